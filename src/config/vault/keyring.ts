// The vault passwords of one run, labelled by vault id: decrypts envelopes (caching derived keys) and encrypts new
// ones.
import { UsageError, UserError, VaultError } from '../../core/errors/errors.js';
import { deriveKeys, open, seal, type DerivedKeys } from './aes256.js';
import { DEFAULT_VAULT_ID, formatEnvelope, isAlreadyEncrypted, parseEnvelope, type VaultEnvelope } from './envelope.js';
import { readPasswordFile } from './password-file.js';
import { resolvePasswordFiles, type LabelledPasswordFile, type VaultPasswordOptions } from './password-sources.js';

interface Secret {
  readonly label: string;
  readonly password: Buffer;
}

/** A decrypted envelope: the plaintext bytes, the vault id whose password opened it, and the parsed envelope. */
export interface Decrypted {
  readonly plaintext: Buffer;
  readonly vaultId: string;
  readonly envelope: VaultEnvelope;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The loaded vault passwords. Passwords live in a private field (never printed by `inspect`) and never reach a message.
 * Satisfies the config layer's `SecretSource` (`decrypt(envelope, file)`).
 */
export class VaultKeyring {
  readonly #secrets: readonly Secret[];
  /**
   * PBKDF2 costs ~10 ms: the same value read again (one file for many hosts) reuses its keys. Key: secret index + salt.
   */
  readonly #keys = new Map<string, DerivedKeys>();

  private constructor(secrets: readonly Secret[]) {
    this.#secrets = secrets;
  }

  /**
   * Loads the passwords named by `--vault-id`s and the default source (`--vault-password-file`, then
   * `$RIG_VAULT_PASSWORD_FILE`, then `<root>/.vault_password`). Undefined when none is configured;
   * a UsageError/UserError when one is named but unusable.
   */
  static async load(opts: VaultPasswordOptions): Promise<VaultKeyring | undefined> {
    const files = await resolvePasswordFiles(opts);
    return files.length === 0 ? undefined : VaultKeyring.fromFiles(files);
  }

  /** A keyring from explicit password files, in trial order (rekey's new password). */
  static async fromFiles(files: readonly LabelledPasswordFile[]): Promise<VaultKeyring> {
    if (files.length === 0) throw new UserError('a vault keyring needs at least one password');
    const secrets: Secret[] = [];
    for (const f of files) secrets.push({ label: f.label, password: await readPasswordFile(f) });
    return new VaultKeyring(secrets);
  }

  /** A keyring from passwords in memory (rekey targets, tests). A missing label is the default vault id. */
  static fromPasswords(entries: readonly { label?: string; password: string | Uint8Array }[]): VaultKeyring {
    if (entries.length === 0) throw new UserError('a vault keyring needs at least one password');
    return new VaultKeyring(
      entries.map((e) => ({ label: e.label ?? DEFAULT_VAULT_ID, password: Buffer.from(e.password) })),
    );
  }

  /** The vault ids of the loaded passwords, in trial order (may repeat, as in Ansible). */
  get vaultIds(): readonly string[] {
    return this.#secrets.map((s) => s.label);
  }

  /** Decrypts an envelope (whole file or `!vault` block, indentation allowed) to UTF-8 text. Errors name `file`. */
  decrypt(envelopeText: string, file: string): string {
    const { plaintext } = this.decryptBytes(envelopeText, file);
    try {
      return utf8.decode(plaintext);
    } catch {
      throw new VaultError(file, 'decrypted data is not UTF-8 text');
    }
  }

  /** Decrypts to bytes, trying the passwords whose vault id matches the header first, then the others (as Ansible). */
  decryptBytes(envelopeText: string, file: string): Decrypted {
    const envelope = parseEnvelope(envelopeText, file);
    const wanted = envelope.vaultId ?? DEFAULT_VAULT_ID;
    const order = this.#secrets
      .map((secret, index) => ({ secret, index }))
      .sort((a, b) => Number(b.secret.label === wanted) - Number(a.secret.label === wanted));
    for (const { secret, index } of order) {
      const result = open(envelope.payload, this.#keysFor(index, envelope.payload.salt));
      if (result === 'bad-padding') throw new VaultError(file, 'corrupted data (invalid padding after a valid HMAC)');
      if (result !== 'hmac-mismatch') return { plaintext: result, vaultId: secret.label, envelope };
    }
    const tried = this.#secrets.length > 1 ? `; tried vault ids ${this.vaultIds.join(', ')}` : '';
    throw new VaultError(file, `wrong vault password or corrupted data (HMAC mismatch${tried})`);
  }

  /**
   * Encrypts to an envelope in ansible-vault's exact layout. Uses the password labelled `vaultId`, else the first;
   * a non-default label gives a 1.2 header carrying it. Refuses input that is already a vault envelope.
   */
  encrypt(
    plaintext: string | Uint8Array,
    opts: { vaultId?: string | undefined; salt?: Buffer | undefined } = {},
  ): string {
    const secret = this.#secretFor(opts.vaultId);
    const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    if (isAlreadyEncrypted(bytes)) {
      throw new UserError('input is already vault encrypted');
    }
    return formatEnvelope(seal(bytes, secret.password, opts.salt), secret.label);
  }

  #secretFor(vaultId: string | undefined): Secret {
    const found = vaultId === undefined ? this.#secrets[0] : this.#secrets.find((s) => s.label === vaultId);
    if (found === undefined) {
      throw new UsageError(`no password for vault id "${vaultId}" (known vault ids: ${this.vaultIds.join(', ')})`);
    }
    return found;
  }

  #keysFor(index: number, salt: Buffer): DerivedKeys {
    const cacheKey = `${index}:${salt.toString('hex')}`;
    let keys = this.#keys.get(cacheKey);
    if (keys === undefined) {
      keys = deriveKeys(this.#secrets[index]?.password ?? Buffer.alloc(0), salt);
      this.#keys.set(cacheKey, keys);
    }
    return keys;
  }
}
