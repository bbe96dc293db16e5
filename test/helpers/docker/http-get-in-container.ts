// HTTP GET against a service from inside its own container (busybox wget), so tests never dial 172.x addresses.
import { execIn } from './exec-in.js';

/**
 * `docker exec <container> wget -q -O- http://127.0.0.1:<port><path>` and returns the body byte for byte (`ok\n`).
 * Throws with wget's message on any failure, including a non-2xx status (busybox wget exits 1).
 * Needs `wget` and `timeout` in the container (local/rig-svc:1 and local/busybox:1 have both).
 */
export async function httpGetInContainer(container: string, path: string, port = 8080): Promise<string> {
  const url = `http://127.0.0.1:${port}${path.startsWith('/') ? path : `/${path}`}`;
  // `timeout`, not `wget -T`: the latter segfaults in Debian 12's busybox-static 1.35.
  const result = await execIn(container, ['timeout', '10', 'wget', '-q', '-O-', url]);
  if (result.code !== 0) {
    throw new Error(`GET ${url} in ${container} failed (exit ${result.code}): ${result.stderr.trim()}`);
  }
  return result.stdout;
}
