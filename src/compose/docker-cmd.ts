// Command builders for the plain docker CLI: pure, argv only; `--` ends the options before every name or ref.
import { exec, mergeStderr, type Cmd, type ExecNode } from '../core/cmd/cmd.js';

/** `docker pull -- ref`. */
export function dockerPull(ref: string): ExecNode {
  return exec(['docker', 'pull', '--', ref]);
}

/** `docker network create [--internal] --label k=v … -- name`; labels in key order, so the command is stable. */
export function dockerNetworkCreate(
  name: string,
  opts: { readonly internal: boolean; readonly labels: Readonly<Record<string, string>> },
): ExecNode {
  const keys = Object.keys(opts.labels).sort();
  for (const k of keys)
    if (k === '' || k.includes('=')) throw new Error(`dockerNetworkCreate: invalid label key ${JSON.stringify(k)}`);
  const labels = keys.flatMap((k) => ['--label', `${k}=${opts.labels[k] ?? ''}`]);
  return exec(['docker', 'network', 'create', ...(opts.internal ? ['--internal'] : []), ...labels, '--', name]);
}

/**
 * `docker rm -f -- name…`: stops and removes. Docker 20.10 exits 0 for a name that does not exist (it prints
 * "Error: No such container" on stderr all the same), so removing is idempotent.
 */
export function dockerRemoveContainers(names: readonly string[]): ExecNode {
  if (names.length === 0) throw new Error('dockerRemoveContainers: no containers given');
  return exec(['docker', 'rm', '-f', '--', ...names]);
}

/** `docker logs --tail N -- container 2>&1`: the container's stdout and stderr, as one stream. */
export function dockerLogsTail(container: string, lines: number): Cmd {
  if (!Number.isInteger(lines) || lines < 0)
    throw new Error(`dockerLogsTail: lines must be a non-negative integer, got ${lines}`);
  return mergeStderr(exec(['docker', 'logs', '--tail', String(lines), '--', container]));
}

/** `docker exec -- container argv…`: runs argv in the running container (no shell unless argv starts one). */
export function dockerExec(container: string, argv: readonly string[]): ExecNode {
  if (argv.length === 0) throw new Error('dockerExec: argv must not be empty');
  return exec(['docker', 'exec', '--', container, ...argv]);
}
