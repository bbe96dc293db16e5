// `create` and `edit`: the plaintext goes to $EDITOR in a private temp dir that is always removed afterwards.
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa, ExecaError } from 'execa';
import { UserError } from '../../core/errors/errors.js';
import type { PlannedWrite } from './atomic-write.js';
import { PRIVATE_MODE, readVaultInput } from './file-plans.js';
import type { VaultKeyring } from './keyring.js';

/** What an edit session needs: where relative names resolve, and the environment ($EDITOR, $TMPDIR, $PATH). */
export interface EditOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Opens `content` in `$EDITOR` (default `vi`) and returns what the user saved. The editor string is run by `/bin/sh`
 * as git does (so `EDITOR="code --wait"` works) with the file as `$1`, `exec`ed so that signals reach the editor and
 * not a shell between; the temp dir is 0700, the file 0600.
 */
export async function editInEditor(content: Uint8Array, name: string, env: EditOptions['env']): Promise<Buffer> {
  return await signalsHeld(async (stop) => {
    const dir = await mkdtemp(path.join(env['TMPDIR'] ?? tmpdir(), 'rig-vault-'));
    try {
      const file = path.join(dir, path.basename(name));
      await writeFile(file, content, { mode: PRIVATE_MODE });
      await runEditor(env, file, stop);
      return await readFile(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** Runs the editor on `file`; any way it fails (exit code, signal, rig's own SIGTERM) saves nothing. */
async function runEditor(env: EditOptions['env'], file: string, stop: AbortSignal): Promise<void> {
  const editor = env['EDITOR'] || 'vi';
  if (stop.aborted) throw new UserError(`interrupted (${String(stop.reason)}); nothing was saved`);
  try {
    await execa('/bin/sh', ['-c', `exec ${editor} "$1"`, 'sh', file], {
      stdio: 'inherit',
      env: { ...env },
      extendEnv: false,
      cancelSignal: stop,
      forceKillAfterDelay: 3000,
    });
  } catch (err) {
    if (!(err instanceof ExecaError)) throw err;
    if (err.isCanceled) throw new UserError(`interrupted (${String(stop.reason)}); nothing was saved`);
    const why = err.exitCode ?? err.signal ?? err.code ?? 'error';
    throw new UserError(`editor "${editor}" failed (${why}); nothing was saved`);
  }
}

/**
 * Runs `fn` with rig's signals held, so that the plaintext is removed whatever arrives. Ctrl-C reaches the editor too
 * (one process group): rig ignores it, as git does, and the editor decides (vi keeps going; an editor that dies of it
 * fails the edit). SIGTERM and SIGHUP, which would end Node at once and leave the plaintext in $TMPDIR, abort `stop`
 * instead: the editor gets SIGTERM (SIGKILL 3 s later), so it can write its swap file into the dir before it goes.
 */
async function signalsHeld<T>(fn: (stop: AbortSignal) => Promise<T>): Promise<T> {
  const stop = new AbortController();
  const ignore = (): void => undefined;
  const end = (signal: NodeJS.Signals): void => stop.abort(signal);
  process.on('SIGINT', ignore);
  process.on('SIGTERM', end);
  process.on('SIGHUP', end);
  try {
    return await fn(stop.signal);
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', end);
    process.off('SIGHUP', end);
  }
}

/** `create`: the file must not exist; what the editor saves is encrypted into it (parent dirs created, as Ansible). */
export async function planCreate(
  keyring: VaultKeyring,
  file: string,
  opts: EditOptions & { readonly vaultId?: string | undefined },
): Promise<PlannedWrite[]> {
  const target = path.resolve(opts.cwd, file);
  const exists = await access(target).then(
    () => true,
    () => false,
  );
  if (exists) throw new UserError(`${file} exists, use "rig vault edit" instead`);
  const plaintext = await editInEditor(Buffer.alloc(0), file, opts.env);
  const data = keyring.encrypt(plaintext, { vaultId: opts.vaultId });
  await mkdir(path.dirname(target), { recursive: true });
  return [{ file: target, data, mode: PRIVATE_MODE }];
}

/**
 * `edit`: decrypts, edits, and re-encrypts with the password that opened the file, keeping its permission bits.
 * An unchanged plaintext writes nothing (the ciphertext stays byte-identical).
 */
export async function planEdit(keyring: VaultKeyring, file: string, opts: EditOptions): Promise<PlannedWrite[]> {
  const input = await readVaultInput(opts.cwd, file);
  const { plaintext, vaultId } = keyring.decryptBytes(input.bytes.toString('latin1'), file);
  const edited = await editInEditor(plaintext, file, opts.env);
  if (edited.equals(plaintext)) return [];
  return [{ file: input.path, data: keyring.encrypt(edited, { vaultId }), mode: input.mode }];
}
