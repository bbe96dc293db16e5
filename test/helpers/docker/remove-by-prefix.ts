// Cleanup after a test: removes the containers and networks whose names start with the test's unique prefix.
import { dockerOk } from './docker-cli.js';

// A short prefix on the shared engine would also match other test runs' containers (`rig-tb-…`).
const MIN_PREFIX = 4;

/** `docker rm -f -v` every container (running or not) whose name starts with `prefix` (at least 4 characters). */
export async function removeContainers(prefix: string): Promise<void> {
  checkPrefix(prefix);
  const names = matching(prefix, await dockerOk(['ps', '-a', '--format', '{{.Names}}']));
  if (names.length > 0) await dockerOk(['rm', '-f', '-v', ...names]);
}

/** `docker network rm` every network whose name starts with `prefix`; remove the containers first. */
export async function removeNetworks(prefix: string): Promise<void> {
  checkPrefix(prefix);
  const names = matching(prefix, await dockerOk(['network', 'ls', '--format', '{{.Name}}']));
  if (names.length > 0) await dockerOk(['network', 'rm', ...names]);
}

function checkPrefix(prefix: string): void {
  if (prefix.length < MIN_PREFIX)
    throw new Error(`refusing to remove by prefix "${prefix}": shorter than ${MIN_PREFIX}`);
}

function matching(prefix: string, listing: string): string[] {
  return listing.split('\n').filter((name) => name !== '' && name.startsWith(prefix));
}
