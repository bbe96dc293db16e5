// The OpenClaw target probe: a throwaway container of the target image validating the rendered config and listing
// plugins.
import { cmdBatch, type PartResult } from '../../core/cmd/batch.js';
import { exec, mergeStderr, sh, type ExecNode } from '../../core/cmd/cmd.js';
import { notLoaded, parsePluginsList } from '../../openclaw/plugins-list.js';

/** Where the config is mounted (read-only) in the throwaway container, and its state dir there (never the host's). */
export const PROBE_CONFIG_PATH = '/rig-checklist/openclaw.json';
export const PROBE_STATE_DIR = '/tmp/rig-checklist-state';

/*
 * Args: the target image, a directory for the temp files, then the in-container `/bin/sh -c` arguments. Stdin: the
 * config's byte length on a line, the config, then the env file. The temp dir is made under the given directory when
 * it exists, because the engine resolves `-v` sources where IT runs: rig's state dir sits at the same path for the
 * host and its engine (as the openclaw role's state dir must), /tmp of a containerised host may not. Made with umask
 * 077 (the env file holds the vault's values: 0600), removed on exit and on a signal. No network: validating and
 * listing plugins must not reach Telegram or a model provider.
 */
const PROBE = `image=$1 base=$2; shift 2
[ -d "$base" ] || base=\${TMPDIR:-/tmp}
umask 077
d=$(mktemp -d "$base/checklist-openclaw.XXXXXX") || exit 1
trap 'rm -rf -- "$d"' EXIT
trap 'exit 129' HUP INT TERM
IFS= read -r n || exit 1
head -c "$n" > "$d/openclaw.json" && cat > "$d/openclaw.env" && chmod 0644 "$d/openclaw.json" || exit 1
docker run --rm --network none --label rig.checklist=openclaw-target --env-file "$d/openclaw.env" \\
  -e OPENCLAW_CONFIG_PATH=${PROBE_CONFIG_PATH} -e OPENCLAW_STATE_DIR=${PROBE_STATE_DIR} \\
  -v "$d/openclaw.json:${PROBE_CONFIG_PATH}:ro" --entrypoint /bin/sh "$image" "$@"`;

/**
 * The probe's command and stdin, and how to split what ran in the container into `config validate` and `plugins list`.
 */
export function openclawProbe(
  image: string,
  tempBase: string,
  config: string,
  envFile: string,
): { cmd: ExecNode; stdin: string; split: (stdout: Buffer) => PartResult[] } {
  const inside = cmdBatch([
    mergeStderr(exec(['openclaw', 'config', 'validate'])),
    exec(['openclaw', 'plugins', 'list', '--json']),
  ]);
  const [, ...args] = inside.cmd.argv;
  return {
    cmd: sh(PROBE, image, tempBase, ...args),
    stdin: `${Buffer.byteLength(config)}\n${config}${envFile}`,
    split: inside.split,
  };
}

/**
 * The env as `docker run --env-file` reads it (`KEY=value`, the value taken to the end of the line as it is: no
 * quoting). A value holding a line break cannot be carried: an error naming the key, never the value.
 */
export function dockerEnvFile(env: Readonly<Record<string, string>>, drop: readonly string[]): string {
  const lines = Object.entries(env)
    .filter(([k]) => !drop.includes(k))
    .map(([k, v]) => {
      if (/[\r\n\0]/.test(v))
        throw new Error(`${k}: its value holds a line break, which docker run --env-file cannot carry`);
      return `${k}=${v}\n`;
    });
  return lines.join('');
}

/** What one probe found. */
export interface ProbeVerdict {
  readonly status: 'pass' | 'warn' | 'fail';
  readonly evidence: string[];
}

/**
 * `openclaw config validate`: exit 0 is valid; with `N warning(s):` (e.g. a `${VAR}` missing from the env: "feature
 * using this value will be unavailable") it is advisory; any other exit is invalid. Recorded outputs in
 * test/unit/checklist/checklist-openclaw.test.ts.
 */
export function judgeValidate(part: PartResult | undefined): ProbeVerdict {
  if (part === undefined)
    return { status: 'fail', evidence: ['openclaw config validate did not run in the container'] };
  const lines = part.stdout
    .toString('utf8')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^\[[\w/-]+\] /.test(l));
  if (part.code !== 0)
    return { status: 'fail', evidence: [`openclaw config validate: invalid (exit ${part.code})`, ...lines.slice(-20)] };
  const warned = lines.some((l) => /^\d+ warning\(s\):$/.test(l.trim()));
  return {
    status: warned ? 'warn' : 'pass',
    evidence: [
      `openclaw config validate: ${warned ? 'valid, with warnings' : 'valid'}`,
      ...lines.filter((l) => !l.startsWith('Config valid:')),
    ],
  };
}

/** `openclaw plugins list --json`: every configured channel's plugin must be `loaded`. */
export function judgePlugins(part: PartResult | undefined, channels: readonly string[], stderr: string): ProbeVerdict {
  if (part === undefined) return { status: 'fail', evidence: ['openclaw plugins list did not run in the container'] };
  if (part.code !== 0)
    return { status: 'fail', evidence: [`openclaw plugins list --json failed (exit ${part.code})`, ...tail(stderr)] };
  let list;
  try {
    list = parsePluginsList(part.stdout.toString('utf8'));
  } catch (err) {
    return { status: 'fail', evidence: [err instanceof Error ? err.message : String(err)] };
  }
  const loaded = `plugins loaded: ${list.loaded.join(', ') || 'none'}`;
  const missing = notLoaded(list, channels);
  if (missing.length > 0)
    return {
      status: 'fail',
      evidence: [
        `channel plugin${missing.length > 1 ? 's' : ''} not loaded in the target: ${missing.map((m) => `${m.id} (${m.status})`).join(', ')}`,
        loaded,
      ],
    };
  return {
    status: 'pass',
    evidence: [channels.length === 0 ? 'no channel configured' : `${channels.join(', ')} loaded`, loaded],
  };
}

/**
 * The probe did not get to run both commands: the container's script always exits 0, so a non-zero exit is the
 * docker CLI's (125: e.g. the image cannot be pulled; 126/127: no /bin/sh in it) or the temp files' (1).
 */
export function probeFailure(code: number, image: string, stderr: string): ProbeVerdict {
  const what = code === 1 ? 'the probe could not write its temp files' : `docker run ${image} failed`;
  return { status: 'fail', evidence: [`${what} (exit ${code})`, ...tail(stderr)] };
}

function tail(text: string): string[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-5);
}
