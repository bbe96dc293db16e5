// The vault text format: `$ANSIBLE_VAULT;1.1;AES256` (or `1.2;AES256;<id>`) header and hexlified body at 80 columns.
import { VaultError } from '../../core/errors/errors.js';
import type { SealedPayload } from './aes256.js';

const HEADER = '$ANSIBLE_VAULT';
const WIDTH = 80;
const HEX = /^[0-9a-fA-F]*$/;
/** The vault id Ansible gives to a password that has no label; it is never written into a header. */
export const DEFAULT_VAULT_ID = 'default';

/** A parsed envelope: which format and vault id its header names, and the binary payload. */
export interface VaultEnvelope {
  readonly version: '1.1' | '1.2';
  readonly vaultId: string | undefined;
  readonly payload: SealedPayload;
}

/** True when `text` (leading whitespace allowed, as in a YAML block) starts with the vault header. */
export function isVaultEnvelope(text: string | Uint8Array): boolean {
  const head = typeof text === 'string' ? text.slice(0, 200) : Buffer.from(text.subarray(0, 200)).toString('latin1');
  return head.trimStart().startsWith(`${HEADER};`);
}

/**
 * Ansible's own test before encrypting (`is_encrypted`): the bytes start with `$ANSIBLE_VAULT`, no whitespace first.
 */
export function isAlreadyEncrypted(data: string | Uint8Array): boolean {
  if (typeof data === 'string') return data.startsWith(HEADER);
  return Buffer.from(data.subarray(0, HEADER.length)).toString('latin1') === HEADER;
}

/** Formats a payload exactly as ansible-vault writes it, trailing newline included; 1.2 only for a non-default id. */
export function formatEnvelope(payload: SealedPayload, vaultId?: string): string {
  const labelled = vaultId !== undefined && vaultId !== DEFAULT_VAULT_ID;
  const header = labelled ? `${HEADER};1.2;AES256;${vaultId}` : `${HEADER};1.1;AES256`;
  const inner = [payload.salt, payload.hmac, payload.ciphertext].map((b) => b.toString('hex')).join('\n');
  const body = Buffer.from(inner, 'ascii').toString('hex');
  const lines = [header];
  for (let i = 0; i < body.length; i += WIDTH) lines.push(body.slice(i, i + WIDTH));
  return `${lines.join('\n')}\n`;
}

/**
 * Parses an envelope, tolerating indentation and blank lines (the content of a YAML `!vault |` block).
 * Throws a VaultError naming `file` when the text is not a complete, well-formed envelope.
 */
export function parseEnvelope(text: string, file: string): VaultEnvelope {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const [headerLine = '', ...bodyLines] = lines;
  if (!headerLine.startsWith(`${HEADER};`))
    throw new VaultError(file, `not vault encrypted data (no ${HEADER} header)`);
  const [, version = '', cipher = '', vaultId] = headerLine.split(';').map((p) => p.trim());
  if (version !== '1.1' && version !== '1.2') {
    throw new VaultError(file, `unsupported vault format version "${version}" (rig reads 1.1 and 1.2)`);
  }
  if (cipher !== 'AES256') throw new VaultError(file, `unsupported vault cipher "${cipher}" (rig reads AES256)`);
  const payload = parsePayload(bodyLines.join(''), (detail) => corrupted(file, detail));
  return { version, vaultId: vaultId === undefined || vaultId === '' ? undefined : vaultId, payload };
}

function corrupted(file: string, detail: string): VaultError {
  return new VaultError(file, `not a valid vault envelope (truncated or corrupted: ${detail})`);
}

/** Undoes Ansible's double hexlify: hex(hex(salt) \n hex(hmac) \n hex(ciphertext)). */
function parsePayload(body: string, fail: (detail: string) => Error): SealedPayload {
  if (body.length === 0) throw fail('no data after the header');
  const inner = unhex(body, 'body', fail).toString('latin1');
  const parts = inner.split('\n');
  if (parts.length !== 3) throw fail(`expected salt, HMAC and ciphertext lines, found ${parts.length} line(s)`);
  const [saltHex = '', hmacHex = '', ciphertextHex = ''] = parts;
  const salt = unhex(saltHex, 'salt', fail);
  const hmac = unhex(hmacHex, 'HMAC', fail);
  const ciphertext = unhex(ciphertextHex, 'ciphertext', fail);
  if (salt.length === 0) throw fail('empty salt');
  if (hmac.length !== 32) throw fail(`HMAC is ${hmac.length} bytes, expected 32`);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw fail(`ciphertext is ${ciphertext.length} bytes, not a whole number of 16-byte blocks`);
  }
  return { salt, hmac, ciphertext };
}

/** Buffer.from(…, 'hex') silently stops at the first bad digit; vault data must be checked strictly. */
function unhex(text: string, what: string, fail: (detail: string) => Error): Buffer {
  if (!HEX.test(text)) throw fail(`${what} is not hexadecimal`);
  if (text.length % 2 !== 0) throw fail(`${what} has an odd number of hex digits`);
  return Buffer.from(text, 'hex');
}
