// ssh2 host key check against the key the testbed collected, so tests connect with strict host verification.
import type { TestbedHost } from './testbed-description.ts';

/**
 * Returns an ssh2 `hostVerifier` accepting only `host`'s key (compares the raw key blob).
 * Use: `client.connect({ host: h.address, port: h.port, privateKey, hostVerifier: hostVerifier(h) })`
 */
export function hostVerifier(host: Pick<TestbedHost, 'hostKey'>): (key: Buffer) => boolean {
  const expected = host.hostKey.split(' ')[1] ?? '';
  return (key) => key.toString('base64') === expected;
}
