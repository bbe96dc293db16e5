// The AES256 vault cipher, byte-compatible with ansible-vault's VaultAES256: PBKDF2 keys, AES-256-CTR, HMAC-SHA256.
import { createCipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 10_000;
const KEY_LENGTH = 32;
const IV_LENGTH = 16;
const BLOCK = 16;
/** Ansible always draws a 32-byte salt when encrypting. */
export const SALT_LENGTH = 32;

/** The three secrets PBKDF2 derives from a password and a salt (80 bytes, split as Ansible does). */
export interface DerivedKeys {
  readonly cipherKey: Buffer;
  readonly hmacKey: Buffer;
  readonly iv: Buffer;
}

/** The binary parts of an encrypted payload, before hex framing. */
export interface SealedPayload {
  readonly salt: Buffer;
  readonly hmac: Buffer;
  readonly ciphertext: Buffer;
}

/** PBKDF2-HMAC-SHA256, 10000 iterations, 80 bytes: AES key, HMAC key, CTR initial counter. About 10 ms. */
export function deriveKeys(password: Uint8Array, salt: Uint8Array): DerivedKeys {
  const bytes = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LENGTH + IV_LENGTH, 'sha256');
  return {
    cipherKey: bytes.subarray(0, KEY_LENGTH),
    hmacKey: bytes.subarray(KEY_LENGTH, 2 * KEY_LENGTH),
    iv: bytes.subarray(2 * KEY_LENGTH),
  };
}

/** Encrypts with a fresh random salt unless one is given (tests pin it to compare with Ansible byte for byte). */
export function seal(
  plaintext: Uint8Array,
  password: Uint8Array,
  salt: Buffer = randomBytes(SALT_LENGTH),
): SealedPayload {
  const keys = deriveKeys(password, salt);
  const ciphertext = ctr(keys, pkcs7Pad(plaintext));
  return { salt, hmac: mac(keys, ciphertext), ciphertext };
}

/** Why a payload did not open: the HMAC did not match (wrong password or tampering), or the padding is invalid. */
export type OpenFailure = 'hmac-mismatch' | 'bad-padding';

/** Checks the HMAC in constant time, then decrypts and unpads; returns the failure instead of throwing. */
export function open(payload: SealedPayload, keys: DerivedKeys): Buffer | OpenFailure {
  const expected = mac(keys, payload.ciphertext);
  if (payload.hmac.length !== expected.length || !timingSafeEqual(payload.hmac, expected)) return 'hmac-mismatch';
  return pkcs7Unpad(ctr(keys, payload.ciphertext)) ?? 'bad-padding';
}

function mac(keys: DerivedKeys, ciphertext: Buffer): Buffer {
  return createHmac('sha256', keys.hmacKey).update(ciphertext).digest();
}

/** CTR mode is its own inverse: the same call encrypts and decrypts. */
function ctr(keys: DerivedKeys, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', keys.cipherKey, keys.iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

function pkcs7Pad(data: Uint8Array): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

function pkcs7Unpad(data: Buffer): Buffer | undefined {
  const n = data.at(-1);
  if (n === undefined || n === 0 || n > BLOCK || n > data.length) return undefined;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return undefined;
  return data.subarray(0, data.length - n);
}
