// Known-answer and format tests for the vault envelope and cipher, against fixtures made by the real ansible-vault.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatEnvelope,
  isAlreadyEncrypted,
  isVaultEnvelope,
  parseEnvelope,
} from '../../../src/config/vault/envelope.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { VaultError } from '../../../src/core/errors/errors.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/vault/${name}`, import.meta.url), 'utf8');
const PLAINTEXT = fixture('plaintext.yml');
const FIXED_SALT = Buffer.from('rig-fixed-salt-for-known-answer!');
const keyring = VaultKeyring.fromPasswords([
  { password: 'rig-fixture-password' },
  { label: 'prod', password: 'prod-fixture-pw' },
]);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('known answers from ansible-vault 2.14', () => {
  it('decrypts a 1.1 file made by ansible-vault encrypt', () => {
    expect(keyring.decrypt(fixture('secrets-1.1.yml'), 'secrets-1.1.yml')).toBe(PLAINTEXT);
  });

  it('decrypts a 1.2 file with vault id prod, and reports which id opened it', () => {
    const out = keyring.decryptBytes(fixture('secrets-1.2-prod.yml'), 'secrets-1.2-prod.yml');
    expect(out.plaintext.toString('utf8')).toBe(PLAINTEXT);
    expect(out.vaultId).toBe('prod');
    expect(out.envelope.version).toBe('1.2');
    expect(out.envelope.vaultId).toBe('prod');
  });

  it('encrypts byte-for-byte like ansible VaultLib.encrypt with the same salt (1.1 and 1.2)', () => {
    expect(keyring.encrypt(PLAINTEXT, { salt: FIXED_SALT })).toBe(fixture('fixed-salt-1.1.vault'));
    expect(keyring.encrypt(PLAINTEXT, { salt: FIXED_SALT, vaultId: 'prod' })).toBe(
      fixture('fixed-salt-1.2-prod.vault'),
    );
  });
});

describe('envelope format', () => {
  const text = keyring.encrypt('hello');

  it('writes an ansible-style header, 80-column hex lines and a final newline', () => {
    const lines = text.split('\n');
    expect(lines[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -1);
    expect(body.every((l) => /^[0-9a-f]+$/.test(l) && l.length <= 80)).toBe(true);
    expect(body.slice(0, -1).every((l) => l.length === 80)).toBe(true);
  });

  it('writes 1.1 for the default id and 1.2 with the label otherwise', () => {
    const payload = parseEnvelope(text, 'x').payload;
    expect(formatEnvelope(payload, 'default').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.1;AES256');
    expect(formatEnvelope(payload, 'prod').split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(formatEnvelope(payload, 'prod').split('\n').slice(1)).toEqual(text.split('\n').slice(1));
  });

  it('accepts indentation, CRLF and blank lines as left by a YAML block', () => {
    const indented = `\n${text
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\r\n')}\n\n`;
    expect(keyring.decrypt(indented, 'inline')).toBe('hello');
  });

  it('recognises envelopes; encryption refusal follows ansible (header at byte 0)', () => {
    expect(isVaultEnvelope(text)).toBe(true);
    expect(isVaultEnvelope(`  ${text}`)).toBe(true);
    expect(isVaultEnvelope(Buffer.from(text))).toBe(true);
    expect(isVaultEnvelope('db: $ANSIBLE_VAULT;1.1')).toBe(false);
    expect(isAlreadyEncrypted(text)).toBe(true);
    expect(isAlreadyEncrypted(`  ${text}`)).toBe(false);
  });
});

describe('damaged envelopes give one clear VaultError naming the file', () => {
  const text = fixture('secrets-1.1.yml');
  const lines = text.split('\n');
  const cases: [string, string, string][] = [
    ['header only', `${lines[0]}\n`, 'no data after the header'],
    ['cut mid-line', text.slice(0, 201), 'body has an odd number of hex digits'],
    ['cut to 3 lines', lines.slice(0, 4).join('\n'), 'expected salt, HMAC and ciphertext lines, found 2 line(s)'],
    ['non-hex garbage', `${lines[0]}\nzz${lines.slice(1).join('\n')}`, 'body is not hexadecimal'],
    [
      'ciphertext cut by 2 lines',
      lines.slice(0, -3).join('\n'),
      'ciphertext is 95 bytes, not a whole number of 16-byte blocks',
    ],
  ];
  it.each(cases)('%s', (_name, damaged, detail) => {
    const err = errorOf(() => keyring.decrypt(damaged, 'group_vars/all/secrets.yml'));
    expect(err).toBeInstanceOf(VaultError);
    expect(err.message).toBe(
      `group_vars/all/secrets.yml: not a valid vault envelope (truncated or corrupted: ${detail})`,
    );
  });

  it('names unsupported versions and ciphers, and plain text', () => {
    expect(errorOf(() => keyring.decrypt(text.replace('1.1;', '1.0;'), 'f')).message).toBe(
      'f: unsupported vault format version "1.0" (rig reads 1.1 and 1.2)',
    );
    expect(errorOf(() => keyring.decrypt(text.replace('AES256', 'AES'), 'f')).message).toBe(
      'f: unsupported vault cipher "AES" (rig reads AES256)',
    );
    expect(errorOf(() => keyring.decrypt('db: x\n', 'f')).message).toBe(
      'f: not vault encrypted data (no $ANSIBLE_VAULT header)',
    );
  });
});
