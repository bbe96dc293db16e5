// The one way the docker helpers run the engine's client: argv arrays, a deadline, the failed command in the error.
import { execa, type Options } from 'execa';

type DockerOptions = Pick<Options, 'input' | 'env' | 'timeout' | 'stripFinalNewline'>;
import { DOCKER } from '../../bed/bed-paths.js';

/** What a docker client call returned when it ran to completion (any exit code). */
export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Default deadline of one docker client call; a hung daemon fails the test instead of stalling it. */
export const DOCKER_TIMEOUT_MS = 60_000;

/**
 * Runs `/usr/bin/docker ...args` and returns its exit code and output (final newline stripped unless
 * `stripFinalNewline: false`) without throwing on a non-zero exit.
 * Throws only when the client could not run or did not finish (timeout, signal), with the command in the message.
 */
export async function docker(args: string[], opts: DockerOptions = {}): Promise<DockerResult> {
  const result = await execa(DOCKER, args, { timeout: DOCKER_TIMEOUT_MS, ...opts, reject: false });
  if (result.exitCode === undefined)
    throw new Error(result.shortMessage ?? `${DOCKER} ${args.join(' ')}: did not finish`);
  return { code: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Like {@link docker} but throws unless the exit code is 0; returns stdout. */
export async function dockerOk(args: string[], opts: DockerOptions = {}): Promise<string> {
  const result = await docker(args, opts);
  if (result.code !== 0) {
    throw new Error(`${DOCKER} ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/**
 * `docker inspect --type <type> <name>` parsed: the object, or `undefined` when there is no such object.
 * "Absent" is recognised from the JSON (`[]` on stdout), not from the error text.
 */
export async function inspectJson(type: 'container' | 'image' | 'network', name: string): Promise<unknown> {
  const result = await docker(['inspect', '--type', type, name]);
  const parsed: unknown = result.stdout === '' ? undefined : JSON.parse(result.stdout);
  if (Array.isArray(parsed) && parsed.length === 0) return undefined;
  if (result.code !== 0 || !Array.isArray(parsed)) {
    throw new Error(`docker inspect --type ${type} ${name} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return parsed[0];
}
