// Which host key algorithms to offer a host: only those of the key types it is known by (as OpenSSH orders them).
import type { ServerHostKeyAlgorithm } from 'ssh2';

/**
 * Host key algorithms rig negotiates, per key type, in the order offered. ssh2 also has `ssh-dss` (left out: DSA is
 * gone from OpenSSH) and no `*-cert-v01@openssh.com` (no host certificates; see SECURITY.md).
 */
const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly ServerHostKeyAlgorithm[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  // one RSA key, three signature algorithms (RFC 8332)
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** What a host known by `keyTypes` may be asked for: `offer` (empty when none is usable) and the types left out. */
export function hostKeyAlgorithms(keyTypes: Iterable<string>): { offer: ServerHostKeyAlgorithm[]; unusable: string[] } {
  const types = [...new Set(keyTypes)];
  const order = Object.keys(ALGORITHMS_BY_KEY_TYPE);
  const usable = types.filter((t) => t in ALGORITHMS_BY_KEY_TYPE).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return {
    offer: usable.flatMap((t) => ALGORITHMS_BY_KEY_TYPE[t] ?? []),
    unusable: types.filter((t) => !(t in ALGORITHMS_BY_KEY_TYPE)),
  };
}
