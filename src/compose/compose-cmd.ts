// Command builders for Docker Compose, the `docker compose` plugin or a `docker-compose` program: pure, argv only.
import { exec, type ExecNode } from '../core/cmd/cmd.js';
import type { ComposeCli, ComposeFlavor } from '../facts/containers/compose-detect.js';

export type { ComposeCli, ComposeFlavor } from '../facts/containers/compose-detect.js';

/** One compose file of a project (rig writes one file per phase; all share the project and its directory). */
export interface ComposeFileTarget {
  /** v1 or v2 by the version the host's compose reports (what it accepts and prints). */
  readonly flavor: ComposeFlavor;
  /** How it is invoked: `docker compose` or `docker-compose` (v1, or a standalone v2). */
  readonly cli: ComposeCli;
  readonly project: string;
  /** Absolute; relative paths in the file (env_file, binds) resolve against it. */
  readonly projectDir: string;
  /** Absolute path of the compose file. */
  readonly file: string;
}

const PROGRAM: Readonly<Record<ComposeCli, readonly string[]>> = {
  standalone: ['docker-compose'],
  plugin: ['docker', 'compose'],
};

// Compose v2's rule. v1 accepts more but silently rewrites the name (lowercased, other characters dropped), so its
// containers would carry a different com.docker.compose.project label than the one rig looks for.
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * `[docker-compose | docker compose] -p P --project-directory D -f F args…`, with COMPOSE_IGNORE_ORPHANS=1: each
 * phase is a separate file of one project, so the other phase's containers are not orphans (rig never passes
 * --remove-orphans). Throws on a project name compose would not keep as is, or a relative directory or file
 * (which would also let a value starting with `-` read as an option, and `-f -` means stdin).
 */
export function compose(t: ComposeFileTarget, ...args: readonly string[]): ExecNode {
  if (!PROJECT_NAME.test(t.project)) {
    throw new Error(
      `compose: project name ${JSON.stringify(t.project)} must be lowercase letters, digits, '_' or '-', starting with a letter or digit`,
    );
  }
  for (const p of [t.projectDir, t.file])
    if (!p.startsWith('/')) throw new Error(`compose: path must be absolute: ${JSON.stringify(p)}`);
  return exec([...PROGRAM[t.cli], '-p', t.project, '--project-directory', t.projectDir, '-f', t.file, ...args], {
    COMPOSE_IGNORE_ORPHANS: '1',
  });
}

/**
 * `… up -d --no-deps [--force-recreate] -- svc…`: creates, recreates (when compose's config hash changed, or always
 * with forceRecreate) or starts exactly these services. Throws on an empty list: compose would then act on all of them.
 */
export function composeUp(
  t: ComposeFileTarget,
  services: readonly string[],
  opts: { readonly forceRecreate: boolean },
): ExecNode {
  if (services.length === 0)
    throw new Error('composeUp: no services given (compose would start every service of the file)');
  return compose(t, 'up', '-d', '--no-deps', ...(opts.forceRecreate ? ['--force-recreate'] : []), '--', ...services);
}

/** `… config -q`: validates the file; exits non-zero with compose's message on stderr when it is invalid. */
export function composeConfigCheck(t: ComposeFileTarget): ExecNode {
  return compose(t, 'config', '-q');
}
