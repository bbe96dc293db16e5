// Compose detection, part of the docker-state fact: which compose answers, what version it reports, what the engine
// accepts; the shell text (run inside the docker-state script) and its pure parser.
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import type { ComposeCli, ComposeFlavor } from '../../core/plan-data/compose-flavor.js';
import { textFact, type Fact } from '../fact.js';

export type { ComposeCli, ComposeFlavor } from '../../core/plan-data/compose-flavor.js';

/** The compose rig drives on a host. */
export interface ComposeInstall {
  readonly flavor: ComposeFlavor;
  /** As reported, without a leading `v` (`2.26.1-4`, `1.29.2`). */
  readonly version: string;
  readonly cli: ComposeCli;
}

/** What the host said about compose and the engine; everything but `compose` is context for the support check. */
export interface ComposeDetection {
  /** undefined: no compose answered, or one answered with a version rig cannot read (`unrecognised`). */
  readonly compose: ComposeInstall | undefined;
  /** The first line a compose command printed when no version could be read from it. */
  readonly unrecognised?: { readonly cli: ComposeCli; readonly line: string };
  /** The engine's version and the oldest API version it accepts; undefined when `docker version` did not say. */
  readonly engine?: { readonly version: string; readonly minApi: string };
  /**
   * Under become (sudo): a compose plugin installed for the login user only (`~/.docker/cli-plugins`), which root's
   * docker does not see. rig never runs it as root: that file is the login user's to swap.
   */
  readonly userPlugin?: { readonly user: string; readonly path: string };
}

/*
 * Shell function `compose` of the docker-state script. Output lines:
 *   `plugin <first line of docker compose version>` | `standalone <first line of docker-compose version>` | `none`
 *   `engine <server version> <min API version>`          (when the engine answers)
 *   `user-plugin <user> <path>`                          (as root through sudo, when the login user has one)
 * The plugin is asked first, as the docker CLI and every tool do; the flavor is then read from the version printed,
 * not from the name (a standalone v2 installed as docker-compose is v2).
 */
export const COMPOSE_DETECT_SH = `nl='
'
compose() {
  if v=$(docker compose version 2>/dev/null) && [ -n "$v" ]; then printf 'plugin %s\\n' "\${v%%"$nl"*}"
  elif v=$(docker-compose version 2>/dev/null) && [ -n "$v" ]; then printf 'standalone %s\\n' "\${v%%"$nl"*}"
  else echo none; fi
  e=$(docker version --format '{{.Server.Version}} {{.Server.MinAPIVersion}}' 2>/dev/null) && echo "engine $e"
  if [ -n "\${SUDO_USER:-}" ] && [ "$(id -u)" = 0 ]; then
    h=$(getent passwd "$SUDO_USER" 2>/dev/null | cut -d: -f6)
    f="$h/.docker/cli-plugins/docker-compose"
    [ -n "$h" ] && [ -f "$f" ] && printf 'user-plugin %s %s\\n' "$SUDO_USER" "$f"
  fi
  return 0
}`;

/** Compose detection alone (`rig status`): the `compose` function's lines, parsed by {@link parseComposeDetection}. */
export function composeDetectCmd(): ExecNode {
  return sh(`${COMPOSE_DETECT_SH}\ncompose`);
}

/** Fact `compose`: compose detection alone, as a fact of its own (`rig status`). */
export function composeDetectFact(): Fact<ComposeDetection> {
  return textFact('compose', composeDetectCmd(), (out) =>
    parseComposeDetection(
      out.split('\n').filter((l) => l !== ''),
      'compose',
    ),
  );
}

// `Docker Compose version v2.26.1`, `Docker Compose version 2.26.1-4`, `docker-compose version 1.29.2, build unknown`
const VERSION_LINE = /^(?:docker compose|docker-compose) version v?(\d+)\.(\d+)\.(\d+)([^\s,]*)/i;

/** Parses the lines of the `--compose` section; throws on a line the script cannot have printed. */
export function parseComposeDetection(lines: readonly string[], fact: string): ComposeDetection {
  const [first = '', ...rest] = lines;
  let out: { -readonly [K in keyof ComposeDetection]: ComposeDetection[K] } = { compose: undefined };
  const m = /^(plugin|standalone) (.*)$/.exec(first);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    const cli = m[1] === 'plugin' ? 'plugin' : 'standalone';
    const install = installOf(cli, m[2]);
    out = install === undefined ? { compose: undefined, unrecognised: { cli, line: m[2] } } : { compose: install };
  } else if (first !== 'none') {
    throw new Error(`${fact}: malformed --compose section ${JSON.stringify(lines.join('\n'))}`);
  }
  for (const line of rest) {
    const e = /^engine (\S+) (\d+\.\d+)$/.exec(line);
    const u = /^user-plugin (\S+) (\/.*)$/.exec(line);
    if (e?.[1] !== undefined && e[2] !== undefined) out.engine = { version: e[1], minApi: e[2] };
    else if (u?.[1] !== undefined && u[2] !== undefined) out.userPlugin = { user: u[1], path: u[2] };
    else throw new Error(`${fact}: malformed --compose line ${JSON.stringify(line)}`);
  }
  return out;
}

function installOf(cli: ComposeCli, line: string): ComposeInstall | undefined {
  const m = VERSION_LINE.exec(line.trim());
  if (m?.[1] === undefined) return undefined;
  const version = `${m[1]}.${m[2] ?? ''}.${m[3] ?? ''}${m[4] ?? ''}`;
  return { flavor: Number(m[1]) >= 2 ? 'v2' : 'v1', version, cli };
}
