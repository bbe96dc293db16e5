// `rig vault create|encrypt|decrypt|view|edit|rekey|encrypt-string`: ansible-vault's commands on rig's keyring.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, UserError, VaultError } from '../../../core/errors/errors.js';
import { commitWrites, writeFileAtomic, type PlannedWrite } from '../../../config/vault/atomic-write.js';
import { planCreate, planEdit } from '../../../config/vault/edit-session.js';
import { isAlreadyEncrypted } from '../../../config/vault/envelope.js';
import { planDecrypt, planEncrypt, planRekey, PRIVATE_MODE } from '../../../config/vault/file-plans.js';
import { VaultKeyring } from '../../../config/vault/keyring.js';
import { describePasswordSearch, parseVaultIdSlug } from '../../../config/vault/password-sources.js';
import { findRepoRoot } from '../../../config/repo-root.js';
import { formatVaultYaml } from '../../../config/vault/vault-yaml.js';
import type { CliIo } from '../../io.js';

const USAGE = `usage: rig vault ACTION [options] [FILE...]

actions:
  create FILE          open $EDITOR on a new file, encrypt what is saved
  encrypt [FILE...]    encrypt files in place (no FILE: stdin to stdout)
  decrypt [FILE...]    decrypt files in place (no FILE: stdin to stdout)
  view FILE...         print the plaintext
  edit FILE...         decrypt into $EDITOR, re-encrypt what is saved
  rekey FILE...        re-encrypt with --new-vault-password-file F or --new-vault-id label@F
  encrypt-string       read a value from stdin, print a "NAME: !vault |" YAML block (--name NAME)

options:
  --vault-password-file F   password file (else $RIG_VAULT_PASSWORD_FILE, else .vault_password at the repo root)
  --vault-id label@F        a labelled password file (repeatable)
  --encrypt-vault-id ID     which vault id encrypts (needed when several are loaded)
  --output F                encrypt/decrypt/encrypt-string: write to F instead (- for stdout)
An executable password file is run and its stdout used. Passwords are never taken from the command line.`;

const OPTIONS = {
  'vault-password-file': { type: 'string' },
  'vault-id': { type: 'string', multiple: true },
  'encrypt-vault-id': { type: 'string' },
  output: { type: 'string' },
  'new-vault-password-file': { type: 'string' },
  'new-vault-id': { type: 'string' },
  name: { type: 'string', short: 'n' },
  'stdin-name': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];
type Action = 'create' | 'encrypt' | 'decrypt' | 'view' | 'edit' | 'rekey' | 'encrypt-string';

/** Options each action accepts besides the password ones. */
const ACTION_OPTIONS: Record<Action, readonly (keyof Values)[]> = {
  create: ['encrypt-vault-id'],
  encrypt: ['encrypt-vault-id', 'output'],
  decrypt: ['output'],
  view: [],
  edit: [],
  rekey: ['new-vault-password-file', 'new-vault-id'],
  'encrypt-string': ['encrypt-vault-id', 'output', 'name', 'stdin-name'],
};
const COMMON_OPTIONS: readonly (keyof Values)[] = ['vault-password-file', 'vault-id', 'help'];

interface Context {
  readonly io: CliIo;
  readonly values: Values;
  readonly files: readonly string[];
  readonly keyring: VaultKeyring;
}

/**
 * Runs `rig vault …` and returns the exit code: 0 success, 1 an error (bad usage, password, file; message on stderr).
 * Nothing is written when any input fails: every file is read and transformed before the first write.
 */
export async function vaultCommand(args: string[], io: CliIo): Promise<number> {
  try {
    return await run(args, io);
  } catch (err) {
    if (err instanceof UsageError) io.err(`rig vault: ${err.message} (see rig vault --help)`);
    else if (err instanceof UserError || err instanceof VaultError) io.err(err.message);
    else throw err;
    return 1; // rig keeps exit 2 for "changes found" (plan, pin --check), never for usage errors
  }
}

async function run(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args);
  const [verb, ...files] = positionals;
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  if (verb === undefined) throw new UsageError('no action given');
  const action = toAction(verb);
  checkOptions(action, values);
  const root = findRepoRoot(io.cwd);
  const keyring = await VaultKeyring.load({
    root,
    cwd: io.cwd,
    passwordFile: values['vault-password-file'],
    vaultIds: values['vault-id'],
    env: io.env,
  });
  if (keyring === undefined) throw new UserError(describePasswordSearch(root));
  await ACTIONS[action]({ io, values, files, keyring });
  return 0;
}

const ACTIONS: Record<Action, (ctx: Context) => Promise<void>> = {
  encrypt: async (ctx) => {
    if (ctx.files.length === 0) {
      const input = await readStdin(ctx.io);
      if (isAlreadyEncrypted(input)) throw new VaultError('<stdin>', 'is already vault encrypted');
      return emit(ctx, ctx.keyring.encrypt(input, { vaultId: encryptVaultId(ctx) }));
    }
    const plan = await planEncrypt(ctx.keyring, ctx.files, { ...fileOptions(ctx), vaultId: encryptVaultId(ctx) });
    await finish(ctx, plan, 'Encryption successful');
  },
  decrypt: async (ctx) => {
    if (ctx.files.length === 0) {
      const input = await readStdin(ctx.io);
      return emit(ctx, ctx.keyring.decryptBytes(input.toString('latin1'), '<stdin>').plaintext);
    }
    await finish(ctx, await planDecrypt(ctx.keyring, ctx.files, fileOptions(ctx)), 'Decryption successful');
  },
  view: async (ctx) => {
    const plan = await planDecrypt(ctx.keyring, needFiles(ctx, 'view'), { cwd: ctx.io.cwd });
    for (const w of plan) ctx.io.out(Buffer.from(w.data).toString('utf8'));
  },
  create: async (ctx) => {
    const [file] = ctx.files;
    if (file === undefined || ctx.files.length > 1) throw new UsageError('create takes exactly one file name');
    const opts = { cwd: ctx.io.cwd, env: ctx.io.env, vaultId: encryptVaultId(ctx) };
    await commitWrites(await planCreate(ctx.keyring, file, opts));
  },
  edit: async (ctx) => {
    for (const file of needFiles(ctx, 'edit')) {
      await commitWrites(await planEdit(ctx.keyring, file, { cwd: ctx.io.cwd, env: ctx.io.env }));
    }
  },
  rekey: async (ctx) => {
    const target = await newKeyring(ctx);
    await commitWrites(await planRekey(ctx.keyring, target, needFiles(ctx, 'rekey'), { cwd: ctx.io.cwd }));
    ctx.io.err('Rekey successful');
  },
  'encrypt-string': async (ctx) => {
    if (ctx.files.length > 0) {
      throw new UsageError(
        'encrypt-string reads the value from stdin only: a value in argv leaks into shell history and ps',
      );
    }
    const value = await readStdin(ctx.io);
    if (value.length === 0) throw new UsageError('stdin was empty, not encrypting');
    const envelope = ctx.keyring.encrypt(value, { vaultId: encryptVaultId(ctx) });
    await emit(ctx, formatVaultYaml(envelope, ctx.values.name ?? ctx.values['stdin-name']));
  },
};

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function toAction(verb: string): Action {
  const action = verb === 'encrypt_string' ? 'encrypt-string' : verb;
  if (action in ACTION_OPTIONS) return action as Action;
  throw new UsageError(`unknown action "${verb}" (expected one of: ${Object.keys(ACTION_OPTIONS).join(', ')})`);
}

function checkOptions(action: Action, values: Values): void {
  const allowed = new Set([...COMMON_OPTIONS, ...ACTION_OPTIONS[action]]);
  for (const key of Object.keys(values) as (keyof Values)[]) {
    if (!allowed.has(key)) throw new UsageError(`--${key} does not apply to "${action}"`);
  }
}

function needFiles(ctx: Context, action: Action): readonly string[] {
  if (ctx.files.length === 0) throw new UsageError(`${action} needs at least one file`);
  return ctx.files;
}

function fileOptions(ctx: Context): { cwd: string; output: string | undefined } {
  const output = ctx.values.output;
  if (output !== undefined && ctx.files.length > 1) throw new UsageError('--output takes a single input file');
  return { cwd: ctx.io.cwd, output: output === '-' ? undefined : output };
}

/** Like ansible-vault: with several vault ids loaded, the one to encrypt with must be named. */
function encryptVaultId(ctx: Context): string | undefined {
  const chosen = ctx.values['encrypt-vault-id'];
  const ids = ctx.keyring.vaultIds;
  if (chosen === undefined && ids.length > 1) {
    throw new UsageError(`vault ids ${ids.join(', ')} are loaded; name the one to encrypt with --encrypt-vault-id`);
  }
  return chosen;
}

async function newKeyring(ctx: Context): Promise<VaultKeyring> {
  const file = ctx.values['new-vault-password-file'];
  const slug = ctx.values['new-vault-id'];
  if ((file === undefined) === (slug === undefined)) {
    throw new UsageError('rekey needs exactly one of --new-vault-password-file F or --new-vault-id label@F');
  }
  const { label, file: source } = slug !== undefined ? parseVaultIdSlug(slug) : { label: 'default', file: file ?? '' };
  const origin = slug !== undefined ? '--new-vault-id' : '--new-vault-password-file';
  return VaultKeyring.fromFiles([{ label, file: path.resolve(ctx.io.cwd, source), origin }]);
}

/** Writes the plan, or prints it when `--output -` asked for stdout. */
async function finish(ctx: Context, plan: readonly PlannedWrite[], done: string): Promise<void> {
  if (ctx.values.output === '-') for (const w of plan) ctx.io.out(Buffer.from(w.data).toString('utf8'));
  else await commitWrites(plan);
  if (ctx.io.isTTY) ctx.io.err(done);
}

/** Stdin-driven results go to `--output F` (atomically, 0600) or stdout. */
async function emit(ctx: Context, data: string | Uint8Array): Promise<void> {
  const output = ctx.values.output;
  if (output === undefined || output === '-')
    ctx.io.out(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'));
  else await writeFileAtomic(path.resolve(ctx.io.cwd, output), data, PRIVATE_MODE);
}

async function readStdin(io: CliIo): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
