// Decides which password files rig uses: --vault-id label@file entries, then the default password, as Ansible orders
// them.
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { UsageError } from '../../core/errors/errors.js';
import { DEFAULT_VAULT_ID } from './envelope.js';
import type { PasswordFileRef } from './password-file.js';

/** The environment variable naming a password file, below `--vault-password-file` and above `.vault_password`. */
export const PASSWORD_FILE_ENV = 'RIG_VAULT_PASSWORD_FILE';
/** The password file rig looks for at the repository root when nothing else names one. */
export const DEFAULT_PASSWORD_FILE = '.vault_password';

/** Where to look for vault passwords. Relative paths resolve against `cwd` (default `root`). */
export interface VaultPasswordOptions {
  readonly root: string;
  readonly cwd?: string | undefined;
  readonly passwordFile?: string | undefined;
  readonly vaultIds?: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** One password to load: the vault id it answers to and the file holding (or printing) it. */
export interface LabelledPasswordFile extends PasswordFileRef {
  readonly label: string;
}

/** Splits `label@file` like Ansible (no `@`: the default id). Rig never prompts, so `prompt` is refused. */
export function parseVaultIdSlug(slug: string): { label: string; file: string } {
  const at = slug.indexOf('@');
  const label = at < 0 || at === 0 ? DEFAULT_VAULT_ID : slug.slice(0, at);
  const file = at < 0 ? slug : slug.slice(at + 1);
  if (/[;\s]/.test(label))
    throw new UsageError(`"${slug}" is not a valid vault id: ';' and spaces are not allowed in vault ids`);
  if (file === '') throw new UsageError(`--vault-id "${slug}" names no password file (expected label@file)`);
  if (file === 'prompt' || file === 'prompt_ask_vault_pass') {
    throw new UsageError(`--vault-id "${slug}": rig does not prompt for vault passwords; give label@file`);
  }
  return { label, file };
}

/** Every password file to load, in trial order: `--vault-id`s, then the first default source that applies. */
export async function resolvePasswordFiles(opts: VaultPasswordOptions): Promise<LabelledPasswordFile[]> {
  const cwd = opts.cwd ?? opts.root;
  const sources: LabelledPasswordFile[] = (opts.vaultIds ?? []).map((slug) => {
    const { label, file } = parseVaultIdSlug(slug);
    return { label, file: path.resolve(cwd, file), origin: `--vault-id ${label}` };
  });
  const fallback = await defaultPasswordFile(opts, cwd);
  if (fallback) sources.push({ label: DEFAULT_VAULT_ID, ...fallback });
  return sources;
}

async function defaultPasswordFile(opts: VaultPasswordOptions, cwd: string): Promise<PasswordFileRef | undefined> {
  if (opts.passwordFile !== undefined)
    return { file: path.resolve(cwd, opts.passwordFile), origin: '--vault-password-file' };
  const fromEnv = opts.env[PASSWORD_FILE_ENV];
  if (fromEnv !== undefined && fromEnv !== '')
    return { file: path.resolve(cwd, fromEnv), origin: `$${PASSWORD_FILE_ENV}` };
  const atRoot = path.join(opts.root, DEFAULT_PASSWORD_FILE);
  const exists = await access(atRoot).then(
    () => true,
    () => false,
  );
  return exists ? { file: atRoot, origin: `${DEFAULT_PASSWORD_FILE} at the repository root` } : undefined;
}

/** Says where rig looked, for the error when a vault password is needed and none was found. */
export function describePasswordSearch(root: string): string {
  const atRoot = path.join(root, DEFAULT_PASSWORD_FILE);
  return `no vault password: give --vault-password-file FILE or --vault-id label@FILE, set $${PASSWORD_FILE_ENV}, or create ${atRoot}`;
}
