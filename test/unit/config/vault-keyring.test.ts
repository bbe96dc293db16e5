// The keyring: round trips, wrong passwords, tampering, vault-id ordering, inline `!vault` values, key caching.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument, type ScalarTag } from 'yaml';
import { formatEnvelope, parseEnvelope } from '../../../src/config/vault/envelope.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { formatVaultYaml } from '../../../src/config/vault/vault-yaml.js';
import { UsageError, UserError, VaultError } from '../../../src/core/errors/errors.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/vault/${name}`, import.meta.url), 'utf8');
const single = VaultKeyring.fromPasswords([{ password: 'rig-fixture-password' }]);

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

/** The `!vault` block contents as the yaml package hands them to the config loader. */
function vaultValues(text: string): Record<string, string> {
  const tag: ScalarTag = { tag: '!vault', resolve: (s) => s };
  return parseDocument(text, { customTags: [tag] }).toJS() as Record<string, string>;
}

describe('round trips', () => {
  it('any bytes under any password come back identical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.string({ minLength: 1, maxLength: 40 }), (data, password) => {
        const k = VaultKeyring.fromPasswords([{ password }]);
        expect(k.decryptBytes(k.encrypt(data), 'p').plaintext.equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('every encryption draws a fresh salt', () => {
    expect(single.encrypt('same')).not.toBe(single.encrypt('same'));
  });

  it('refuses to encrypt what is already encrypted, like ansible-vault', () => {
    const err = errorOf(() => single.encrypt(single.encrypt('x')));
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toBe('input is already vault encrypted');
  });
});

describe('wrong password and tampering', () => {
  const envelope = fixture('secrets-1.1.yml');

  it('a wrong password is one VaultError naming the file, without the password', () => {
    const wrong = VaultKeyring.fromPasswords([{ password: 'not-the-password' }]);
    const err = errorOf(() => wrong.decrypt(envelope, 'inventory/prod/group_vars/all/secrets.yml'));
    expect(err).toBeInstanceOf(VaultError);
    expect(err.message).toBe(
      'inventory/prod/group_vars/all/secrets.yml: wrong vault password or corrupted data (HMAC mismatch)',
    );
    expect(err.stack ?? '').not.toContain('not-the-password');
  });

  it('with several passwords the error lists the vault ids tried', () => {
    const wrong = VaultKeyring.fromPasswords([{ password: 'a' }, { label: 'prod', password: 'b' }]);
    expect(errorOf(() => wrong.decrypt(envelope, 'f')).message).toBe(
      'f: wrong vault password or corrupted data (HMAC mismatch; tried vault ids default, prod)',
    );
  });

  it('a flipped ciphertext bit, or a cut of whole AES blocks, fails the HMAC check', () => {
    const { payload } = parseEnvelope(envelope, 'f');
    const flipped = Buffer.from(payload.ciphertext);
    flipped[5] = (flipped[5] ?? 0) ^ 0x01;
    const tampered = formatEnvelope({ ...payload, ciphertext: flipped });
    expect(errorOf(() => single.decrypt(tampered, 'f')).message).toBe(
      'f: wrong vault password or corrupted data (HMAC mismatch)',
    );
    // 16 bytes of ciphertext = 64 digits of the doubly hexlified body: the structure still looks valid.
    const body = envelope.split('\n').slice(1).join('').slice(0, -64);
    const cut = `$ANSIBLE_VAULT;1.1;AES256\n${body.replace(/(.{80})/g, '$1\n')}\n`;
    expect(errorOf(() => single.decrypt(cut, 'f')).message).toBe(
      'f: wrong vault password or corrupted data (HMAC mismatch)',
    );
  });

  it('tampering inside the HMAC hex specifically is caught', () => {
    const k = VaultKeyring.fromPasswords([{ password: 'pw' }]);
    const text = k.encrypt('secret');
    const body = Buffer.from(text.split('\n').slice(1).join(''), 'hex').toString('latin1');
    const [salt, hmac, ct] = body.split('\n');
    const badHmac = `${hmac!.slice(0, -1)}${hmac!.endsWith('0') ? '1' : '0'}`;
    const rebuilt = `$ANSIBLE_VAULT;1.1;AES256\n${Buffer.from([salt, badHmac, ct].join('\n')).toString('hex')}\n`;
    expect(errorOf(() => k.decrypt(rebuilt, 'f')).message).toBe(
      'f: wrong vault password or corrupted data (HMAC mismatch)',
    );
  });
});

describe('vault ids', () => {
  it('a 1.2 envelope tries the password with its label first, then the others', () => {
    // Both labels hold the same password, so whichever is tried first opens it: that shows the order.
    const k = VaultKeyring.fromPasswords([
      { label: 'dev', password: 'same' },
      { label: 'prod', password: 'same' },
    ]);
    expect(k.decryptBytes(k.encrypt('x', { vaultId: 'prod' }), 'f').vaultId).toBe('prod');
    expect(k.decryptBytes(k.encrypt('x', { vaultId: 'dev' }), 'f').vaultId).toBe('dev');
    const other = VaultKeyring.fromPasswords([
      { label: 'prod', password: 'p' },
      { label: 'stage', password: 's' },
    ]);
    const byStage = other.encrypt('y', { vaultId: 'stage' }).replace(';stage', ';unknown');
    expect(other.decryptBytes(byStage, 'f').vaultId).toBe('stage');
  });

  it('encrypting with an unknown vault id is a usage error listing the known ones', () => {
    const err = errorOf(() => single.encrypt('x', { vaultId: 'prod' }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('no password for vault id "prod" (known vault ids: default)');
  });
});

describe('inline !vault values', () => {
  it('decrypts the block of an ansible-vault encrypt_string fixture as parsed by the yaml package', () => {
    const values = vaultValues(fixture('inline.yml'));
    expect(values['plain_key']).toBe('plain value');
    expect(single.decrypt(values['db_password']!, 'inline.yml')).toBe('s3cr3t value ✓');
  });

  it('formats encrypt-string output that parses back to the value', () => {
    const block = formatVaultYaml(single.encrypt('p@ss: "word"'), 'db_password');
    expect(block.split('\n')[0]).toBe('db_password: !vault |');
    expect(block.split('\n')[1]).toBe('          $ANSIBLE_VAULT;1.1;AES256');
    expect(block.endsWith('\n')).toBe(false);
    expect(single.decrypt(vaultValues(block)['db_password']!, 'x')).toBe('p@ss: "word"');
  });
});

describe('key derivation cache', () => {
  it('re-reading the same value does not re-run PBKDF2', () => {
    const k = VaultKeyring.fromPasswords([{ password: 'pw' }]);
    const distinct = Array.from({ length: 20 }, (_, i) => k.encrypt(`value ${i}`));
    let t = performance.now();
    for (const e of distinct) k.decrypt(e, 'f');
    const fresh = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < 5; i++) for (const e of distinct) k.decrypt(e, 'f');
    const cached = performance.now() - t;
    console.log(`20 distinct values: ${fresh.toFixed(1)} ms; 100 cached re-reads: ${cached.toFixed(1)} ms`);
    expect(cached).toBeLessThan(fresh);
  });
});
