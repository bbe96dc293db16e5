// Decides whether to trust a host's key: reads the known_hosts files, appends accepted new keys, refuses changed ones.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { HostKeyError } from '../../core/errors/remote-errors.js';
import { hostKeyAlgorithms } from './host-key-algorithms.js';
import {
  checkHostKey,
  fingerprint,
  hostEntries,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  parseKnownHosts,
} from './known-hosts.js';
import type { KnownHostEntry } from './known-hosts.js';

/** Where host keys are looked up and written. */
export interface HostKeyPolicy {
  /** Files read (the user's, the repository's, the system's). Missing files are empty. */
  readonly files: readonly string[];
  /** File new keys are appended to when accepted. */
  readonly writeTo: string;
  /**
   * Trust and record keys of hosts never seen before (`--accept-new-host-keys`). Changed keys are refused regardless.
   */
  readonly acceptNew: boolean;
}

/** What the known_hosts files say about one host, looked up once per connection. */
export interface KnownHost {
  /** The name looked up: `host`, or `[host]:port`. */
  readonly name: string;
  readonly entries: readonly KnownHostEntry[];
  /** Host key algorithms to offer: those of the types the host is known by; undefined for a host with no key. */
  readonly offer: readonly ServerHostKeyAlgorithm[] | undefined;
}

/** Reads the policy's files for the host at `address:port`; refuses a host known only by types rig cannot negotiate. */
export async function knownHost(
  policy: HostKeyPolicy,
  host: string,
  address: string,
  port: number,
): Promise<KnownHost> {
  const name = knownHostsName(address, port);
  const entries = (await Promise.all(policy.files.map((f) => readEntries(policy, f)))).flat();
  const mine = hostEntries(entries, name);
  if (mine.length === 0) return { name, entries, offer: undefined };
  const { offer, unusable } = hostKeyAlgorithms(mine.map((e) => e.keyType));
  if (offer.length === 0) {
    const types = `${unusable.join(', ')}: ${mine.map(where).join(', ')}`;
    const message = `${host} (${name}): known only by host key types rig cannot negotiate (${types}); record an Ed25519, ECDSA or RSA key`;
    throw new HostKeyError(host, 'changed', message);
  }
  return { name, entries, offer };
}

/**
 * Verifies `key` (the raw public key blob) presented by `host`; resolves when trusted, rejects with a HostKeyError
 * naming the host and the fingerprint(s) otherwise.
 */
export async function verifyHostKey(policy: HostKeyPolicy, host: string, known: KnownHost, key: Buffer): Promise<void> {
  const { name } = known;
  const verdict = checkHostKey(known.entries, name, key);
  const presented = `${keyTypeOf(key)} ${fingerprint(key)}`;
  switch (verdict.status) {
    case 'known':
      return;
    case 'revoked':
      throw new HostKeyError(
        host,
        'changed',
        `${host} (${name}): host key ${presented} is marked @revoked in ${where(verdict.entry)}; refusing to connect`,
      );
    case 'changed':
      throw new HostKeyError(host, 'changed', changedMessage(host, name, presented, verdict.known));
    case 'cert-authority':
      throw new HostKeyError(host, 'unknown', certAuthorityMessage(host, name, presented, verdict.entries));
    case 'unknown':
      if (!policy.acceptNew)
        throw new HostKeyError(host, 'unknown', unknownMessage(host, name, presented, policy.writeTo));
      await mkdir(path.dirname(policy.writeTo), { recursive: true, mode: 0o700 });
      await appendFile(policy.writeTo, knownHostsLine(name, key), { mode: 0o600 });
      readCache.get(policy)?.delete(policy.writeTo);
  }
}

/** The refusal when the host offered none of the key types it is known by (the handshake found no common one). */
export function noKnownTypeError(host: string, known: KnownHost): HostKeyError {
  const was = hostEntries(known.entries, known.name)
    .map((e) => `${e.keyType} ${fingerprint(e.key)} (${where(e)})`)
    .join(', ');
  return new HostKeyError(
    host,
    'changed',
    `${host} (${known.name}): HOST KEY HAS CHANGED: the host offers no key of the types it is known by (${was}). ` +
      `Refusing to connect: this may be a man-in-the-middle attack. If the host's keys were really replaced, ` +
      `remove the old lines and connect again (--accept-new-host-keys never replaces a known key)`,
  );
}

/**
 * Each file is read and parsed once per policy (a run builds one for all its hosts: at 100 hosts, reading it per
 * connection parsed 100 × 100 lines), and again after rig appends to it. A line another process adds during the run
 * is seen by the next run.
 */
const readCache = new WeakMap<HostKeyPolicy, Map<string, Promise<KnownHostEntry[]>>>();

function readEntries(policy: HostKeyPolicy, file: string): Promise<KnownHostEntry[]> {
  let files = readCache.get(policy);
  if (files === undefined) readCache.set(policy, (files = new Map<string, Promise<KnownHostEntry[]>>()));
  let entries = files.get(file);
  if (entries === undefined) {
    entries = readFile(file, 'utf8').then(
      (text) => parseKnownHosts(text, file),
      (err: unknown) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      },
    );
    files.set(file, entries);
  }
  return entries;
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

function certAuthorityMessage(host: string, name: string, presented: string, cas: readonly KnownHostEntry[]): string {
  return (
    `${host} (${name}): host key ${presented} is not known, and the @cert-authority line(s) naming the host ` +
    `(${cas.map(where).join(', ')}) cannot vouch for it: rig's SSH library (ssh2) does not verify host certificates. ` +
    `Record the host's own key (check it against its certificate: ssh-keygen -L -f /etc/ssh/ssh_host_*_key-cert.pub); ` +
    `--accept-new-host-keys does not apply to a host under a certificate authority`
  );
}

function changedMessage(host: string, name: string, presented: string, known: readonly KnownHostEntry[]): string {
  const was = known.map((e) => `${e.keyType} ${fingerprint(e.key)} (${where(e)})`).join(', ');
  const otherType = known.every((e) => e.keyType !== presented.split(' ')[0]) ? ' (a key of another type)' : '';
  return (
    `${host} (${name}): HOST KEY HAS CHANGED: known ${was}, presented ${presented}${otherType}. ` +
    `Refusing to connect: this may be a man-in-the-middle attack. If the host was really reinstalled, ` +
    `remove the old line and connect again (--accept-new-host-keys never replaces a changed key)`
  );
}
