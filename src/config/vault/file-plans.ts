// Plans the whole-file vault operations (encrypt, decrypt, rekey): reads and transforms every input, writes nothing.
import { readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { UserError, VaultError } from '../../core/errors/errors.js';
import type { PlannedWrite } from './atomic-write.js';
import { isAlreadyEncrypted } from './envelope.js';
import type { VaultKeyring } from './keyring.js';

/** Files as the user named them (relative to `cwd`); `output` replaces the single input's destination. */
export interface FilePlanOptions {
  readonly cwd: string;
  readonly output?: string | undefined;
}

/** New files hold secrets or ciphertext: owner-only, as ansible-vault writes them. */
export const PRIVATE_MODE = 0o600;

/** An input file: the name to show, its real path (symlinks followed, as Ansible does), bytes and permission bits. */
export interface VaultInput {
  readonly shown: string;
  readonly path: string;
  readonly bytes: Buffer;
  readonly mode: number;
}

/** Reads one input; an unreadable file is a UserError naming it. */
export async function readVaultInput(cwd: string, file: string): Promise<VaultInput> {
  try {
    const real = await realpath(path.resolve(cwd, file));
    const [bytes, st] = await Promise.all([readFile(real), stat(real)]);
    return { shown: file, path: real, bytes, mode: st.mode & 0o7777 };
  } catch (err) {
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Encrypts each file in place (or to `output`). An input that is already a vault is an error, as in ansible-vault. */
export async function planEncrypt(
  keyring: VaultKeyring,
  files: readonly string[],
  opts: FilePlanOptions & { readonly vaultId?: string | undefined },
): Promise<PlannedWrite[]> {
  const plan: PlannedWrite[] = [];
  for (const file of files) {
    const input = await readVaultInput(opts.cwd, file);
    if (isAlreadyEncrypted(input.bytes)) throw new VaultError(file, 'is already vault encrypted (use rekey or edit)');
    const data = keyring.encrypt(input.bytes, { vaultId: opts.vaultId });
    plan.push({ file: destination(input, opts), data, mode: PRIVATE_MODE });
  }
  return plan;
}

/** Decrypts each file in place (or to `output`). */
export async function planDecrypt(
  keyring: VaultKeyring,
  files: readonly string[],
  opts: FilePlanOptions,
): Promise<PlannedWrite[]> {
  const plan: PlannedWrite[] = [];
  for (const file of files) {
    const input = await readVaultInput(opts.cwd, file);
    const { plaintext } = keyring.decryptBytes(input.bytes.toString('latin1'), file);
    plan.push({ file: destination(input, opts), data: plaintext, mode: PRIVATE_MODE });
  }
  return plan;
}

/** Re-encrypts each file with the first password of `target`, keeping its permission bits. */
export async function planRekey(
  keyring: VaultKeyring,
  target: VaultKeyring,
  files: readonly string[],
  opts: { readonly cwd: string },
): Promise<PlannedWrite[]> {
  const plan: PlannedWrite[] = [];
  for (const file of files) {
    const input = await readVaultInput(opts.cwd, file);
    const { plaintext } = keyring.decryptBytes(input.bytes.toString('latin1'), file);
    plan.push({ file: input.path, data: target.encrypt(plaintext), mode: input.mode });
  }
  return plan;
}

function destination(input: VaultInput, opts: FilePlanOptions): string {
  return opts.output === undefined ? input.path : path.resolve(opts.cwd, opts.output);
}
