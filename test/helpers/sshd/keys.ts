// Test keys: key pairs (ed25519 unless asked) made by the real ssh-keygen, plus the OpenSSH fingerprint of a public
// key.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

/** A generated key pair: `path` is the private key, `pub` the public key line. */
export interface KeyPair {
  readonly path: string;
  readonly pub: string;
  /** The raw public key blob (what a server presents). */
  readonly blob: Buffer;
}

/** Runs `ssh-keygen -t <type>` without a passphrase, replacing any key at `path`. */
export async function generateKey(
  path: string,
  comment = 'rig-test',
  type: 'ed25519' | 'ecdsa' = 'ed25519',
): Promise<KeyPair> {
  await execa('rm', ['-f', path, `${path}.pub`]);
  await execa('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', comment, '-f', path]);
  const pub = (await readFile(`${path}.pub`, 'utf8')).trim();
  const b64 = pub.split(/\s+/)[1] ?? '';
  return { path, pub, blob: Buffer.from(b64, 'base64') };
}

/** `SHA256:…` as printed by `ssh-keygen -lf`, from the real tool (so tests do not trust rig's own code). */
export async function sshKeygenFingerprint(pubPath: string): Promise<string> {
  const { stdout } = await execa('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath]);
  const fp = stdout.split(/\s+/)[1];
  if (fp === undefined) throw new Error(`unexpected ssh-keygen output: ${stdout}`);
  return fp;
}
