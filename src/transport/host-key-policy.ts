// Decides whether to trust a host's key: reads the known_hosts files, appends accepted new keys, refuses changed ones.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HostKeyError } from './errors.js';
import { checkHostKey, fingerprint, keyTypeOf, knownHostsLine, knownHostsName, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

/** Where host keys are looked up and written. */
export interface HostKeyPolicy {
  /** Files read, in order (typically `~/.ssh/known_hosts` and the repository's file). Missing files are empty. */
  readonly files: readonly string[];
  /** File new keys are appended to when accepted. */
  readonly writeTo: string;
  /** Trust and record keys of hosts never seen before (`--accept-new-host-keys`). Changed keys are refused regardless. */
  readonly acceptNew: boolean;
}

/**
 * Verifies `key` (the raw public key blob) presented by `host` at `address:port`; resolves when trusted,
 * rejects with a HostKeyError naming the host and the fingerprint(s) otherwise.
 */
export async function verifyHostKey(policy: HostKeyPolicy, host: string, address: string, port: number, key: Buffer): Promise<void> {
  const name = knownHostsName(address, port);
  const entries = (await Promise.all(policy.files.map(readEntries))).flat();
  const verdict = checkHostKey(entries, name, key);
  const presented = `${keyTypeOf(key)} ${fingerprint(key)}`;
  switch (verdict.status) {
    case 'known':
      return;
    case 'revoked':
      throw new HostKeyError(host, 'changed', `${host} (${name}): host key ${presented} is marked @revoked in ${where(verdict.entry)}; refusing to connect`);
    case 'changed':
      throw new HostKeyError(host, 'changed', changedMessage(host, name, presented, verdict.known));
    case 'unknown':
      if (!policy.acceptNew) throw new HostKeyError(host, 'unknown', unknownMessage(host, name, presented, policy.writeTo));
      await mkdir(path.dirname(policy.writeTo), { recursive: true });
      await appendFile(policy.writeTo, knownHostsLine(name, key), { mode: 0o600 });
  }
}

async function readEntries(file: string): Promise<KnownHostEntry[]> {
  try {
    return parseKnownHosts(await readFile(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function where(e: KnownHostEntry): string {
  return `${e.file}:${e.line}`;
}

function unknownMessage(host: string, name: string, presented: string, writeTo: string): string {
  return (
    `${host} (${name}): host key is not known: ${presented}. ` +
    `Check this fingerprint against the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then re-run with ` +
    `--accept-new-host-keys to record it in ${writeTo}`
  );
}

function changedMessage(host: string, name: string, presented: string, known: readonly KnownHostEntry[]): string {
  const was = known.map((e) => `${e.keyType} ${fingerprint(e.key)} (${where(e)})`).join(', ');
  return (
    `${host} (${name}): HOST KEY HAS CHANGED: known ${was}, presented ${presented}. ` +
    `Refusing to connect: this may be a man-in-the-middle attack. If the host was really reinstalled, ` +
    `remove the old line and connect again (--accept-new-host-keys never replaces a changed key)`
  );
}
