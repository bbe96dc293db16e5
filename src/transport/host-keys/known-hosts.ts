// known_hosts as data: a pure parser, the lookup OpenSSH does (plain, hashed, [host]:port), and fingerprints.
import { createHash, createHmac } from 'node:crypto';
import { matchPatternList } from '../ssh-pattern.js';

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  readonly file: string;
  readonly line: number;
  readonly marker: 'cert-authority' | 'revoked' | undefined;
  /** Comma-separated patterns, or a hashed name `|1|salt|hash`. */
  readonly hosts: string;
  readonly keyType: string;
  readonly key: Buffer;
}

/** The verdict for a presented host key. */
export type HostKeyVerdict =
  | { readonly status: 'known'; readonly entry: KnownHostEntry }
  | { readonly status: 'unknown' }
  /** Not among the keys the host is known by, whatever their types (another type is a changed key too). */
  | { readonly status: 'changed'; readonly known: readonly KnownHostEntry[] }
  /** Known only through a `@cert-authority` line, which rig cannot verify (see SECURITY.md). */
  | { readonly status: 'cert-authority'; readonly entries: readonly KnownHostEntry[] }
  | { readonly status: 'revoked'; readonly entry: KnownHostEntry };

/** Parses known_hosts text; comments, blank and malformed lines are skipped as OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    const marker =
      fields[0] === '@cert-authority' ? 'cert-authority' : fields[0] === '@revoked' ? 'revoked' : undefined;
    const [hosts, keyType, keyB64] = marker === undefined ? fields : fields.slice(1);
    if (hosts === undefined || keyType === undefined || keyB64 === undefined) return;
    entries.push({ file, line: i + 1, marker, hosts, keyType, key: Buffer.from(keyB64, 'base64') });
  });
  return entries;
}

/** The name OpenSSH looks up and writes: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Whether an entry's host field names `name` (plain patterns with negation, or a `|1|salt|hash` HMAC-SHA1). */
export function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.startsWith('|1|')) {
    const [, , salt, hash] = entry.hosts.split('|');
    if (salt === undefined || hash === undefined) return false;
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return mac === hash;
  }
  return matchPatternList(entry.hosts.split(','), name);
}

/**
 * Checks a presented key (the raw blob) for `name`: revoked beats everything; a matching key is known; any other key
 * for a name that has keys is a changed key, of the same type or not (a MITM offering ECDSA for a host known by
 * Ed25519 must not pass as "unknown"); a name covered only by `@cert-authority` lines is reported as such; else
 * unknown.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked !== undefined) return { status: 'revoked', entry: revoked };
  const forHost = hostEntries(entries, name);
  const same = forHost.find((e) => e.key.equals(key));
  if (same !== undefined) return { status: 'known', entry: same };
  if (forHost.length > 0) return { status: 'changed', known: forHost };
  const authorities = entries.filter((e) => e.marker === 'cert-authority' && entryMatches(e, name));
  return authorities.length > 0 ? { status: 'cert-authority', entries: authorities } : { status: 'unknown' };
}

/** The plain key lines (no marker) whose host field names `name`. */
export function hostEntries(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  return entries.filter((e) => e.marker === undefined && entryMatches(e, name));
}

/** The key type named inside an SSH public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, …). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH's fingerprint format: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A line to append for a newly accepted key (plain name, as OpenSSH writes without HashKnownHosts). */
export function knownHostsLine(name: string, key: Buffer): string {
  return `${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
}
