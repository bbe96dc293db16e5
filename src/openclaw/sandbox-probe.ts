// A sandbox as OpenClaw starts one, without a model call: its mounts from `openclaw sandbox explain`, started with the
// gateway container's own docker CLI and socket, so paths resolve exactly as OpenClaw's do. Builders, parser,
// classifier.
import { z } from 'zod';
import { exec, sh, type Cmd } from '../core/cmd/cmd.js';

/** A non-main session key: `explain` reports the mounts a sandboxed session gets (the main one may run unsandboxed). */
export const PROBE_SESSION = 'agent:main:rig-smoke';

/** `openclaw sandbox explain --json` for the probe session, inside the gateway container. */
export function explainCmd(container: string): Cmd {
  return exec(['docker', 'exec', container, 'openclaw', 'sandbox', 'explain', '--json', '--session', PROBE_SESSION]);
}

const MountSchema = z.looseObject({
  hostRoot: z.string().min(1),
  containerRoot: z.string().min(1),
  writable: z.boolean(),
});
const ExplainSchema = z.looseObject({
  sandbox: z.looseObject({
    mode: z.string(),
    sessionIsSandboxed: z.boolean(),
    runtimeWorkdir: z.string().optional(),
    workspaceMounts: z.array(MountSchema),
  }),
});

/** What the probe needs of `explain`: whether the session is sandboxed and the workspace mounts. */
export type SandboxExplain = z.infer<typeof ExplainSchema>['sandbox'];

/**
 * Parses `explain --json` (a log line before the document is skipped); throws with the start of the output otherwise.
 */
export function parseExplain(stdout: string): SandboxExplain {
  const start = stdout.search(/^\{/m);
  const text = start < 0 ? '' : stdout.slice(start);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(
      `openclaw sandbox explain --json printed no JSON (output starts: ${JSON.stringify(stdout.slice(0, 120))})`,
    );
  }
  const parsed = ExplainSchema.safeParse(doc);
  if (!parsed.success)
    throw new Error(
      `openclaw sandbox explain --json: unexpected shape (${parsed.error.issues[0]?.message ?? 'invalid'})`,
    );
  return parsed.data.sandbox;
}

/** The sandbox to start: as openclaw.json's `agents.defaults.sandbox.docker` says, with explain's mounts. */
export interface SandboxProbe {
  readonly container: string;
  readonly name: string;
  readonly image: string;
  readonly network?: string | undefined;
  readonly user?: string | undefined;
  readonly mounts: readonly { hostRoot: string; containerRoot: string; writable: boolean }[];
  /** The file to read inside the sandbox (`/workspace/AGENTS.md`). */
  readonly path: string;
}

/**
 * Inside the gateway container: `docker run --rm --pull never --name N [--network] [--user] -v host:ctr[:ro] IMAGE cat
 * PATH`, and the sandbox removed whatever happens (a deadline kill included: the `trap` runs on the signal timeout
 * sends first).
 */
export function sandboxRunCmd(p: SandboxProbe): Cmd {
  // --pull never: OpenClaw never pulls its sandbox image, and a missing one must not send the host to Docker Hub
  const run = [
    'docker',
    'run',
    '--rm',
    '--pull',
    'never',
    '--name',
    p.name,
    '--label',
    'rig.smoke=sandbox-spawn',
    ...(p.network ? ['--network', p.network] : []),
    ...(p.user ? ['--user', p.user] : []),
  ];
  for (const m of p.mounts) run.push('-v', `${m.hostRoot}:${m.containerRoot}${m.writable ? '' : ':ro'}`);
  run.push(p.image, 'cat', p.path);
  const script = 'name=$1; shift; trap \'docker rm -f "$name" >/dev/null 2>&1\' EXIT TERM; "$@"';
  return exec(['docker', 'exec', p.container, ...sh(script, p.name, ...run).argv]);
}

/** Why a sandbox could not read the workspace file, named as the incumbent's incidents name it. */
export type SandboxFailureClass = 'EACCES' | 'ENOENT' | 'image-missing' | 'docker-cli-missing' | 'other';

/**
 * The one classifier of a failed probe's stderr (docker CLI 20.10–27 and coreutils/busybox `cat` wordings):
 * EACCES = the gateway cannot use the socket (its group), ENOENT = the workspace path does not exist where the host
 * engine looks (a state-dir mount that is not at the identical path), image-missing = the sandbox image is not on the
 * host (it is never pulled).
 */
export function classifySandboxFailure(code: number, stderr: string): SandboxFailureClass {
  if (code === 127 || /exec: "?docker"?: executable file not found|docker: (command )?not found/i.test(stderr))
    return 'docker-cli-missing';
  if (/permission denied while trying to connect to the docker daemon socket|connect: permission denied/i.test(stderr))
    return 'EACCES';
  if (/Unable to find image|No such image|pull access denied|repository does not exist|manifest unknown/i.test(stderr))
    return 'image-missing';
  if (/No such file or directory|bind source path does not exist|not a directory/i.test(stderr)) return 'ENOENT';
  return 'other';
}
