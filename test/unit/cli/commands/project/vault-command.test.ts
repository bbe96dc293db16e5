// `rig vault` driven through vaultCommand with a test CliIo, on real files and a real editor script.
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDocument, type ScalarTag } from 'yaml';
import { vaultCommand } from '../../../../../src/cli/commands/project/vault.js';
import { VaultKeyring } from '../../../../../src/config/vault/keyring.js';
import { testIo } from '../../../../helpers/test-io.js';

const FIXTURES = new URL('../../../../fixtures/vault/', import.meta.url).pathname;
const PLAINTEXT = 'db_password: hunter2\n';
let repo: string;
let env: Record<string, string | undefined>;
const keyring = VaultKeyring.fromPasswords([{ password: 'rig-fixture-password' }]);

beforeEach(async () => {
  repo = await mkdtemp(path.join(tmpdir(), 'rig-vault-cmd-'));
  await mkdir(path.join(repo, 'inventory/prod/group_vars/all'), { recursive: true });
  await writeFile(path.join(repo, '.vault_password'), 'rig-fixture-password\n');
  env = { PATH: process.env['PATH'], HOME: process.env['HOME'], TMPDIR: path.join(repo, 'tmp') };
  await mkdir(path.join(repo, 'tmp'));
});
afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function put(name: string, content: string | Buffer): Promise<string> {
  await writeFile(path.join(repo, name), content);
  return name;
}
const text = (name: string): Promise<string> => readFile(path.join(repo, name), 'utf8');

async function rig(
  args: string[],
  opts: { cwd?: string; stdin?: string; env?: Record<string, string | undefined> } = {},
) {
  const cwd = opts.cwd ?? path.join(repo, 'inventory/prod');
  const io = testIo({ cwd, env: opts.env ?? env, ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }) });
  const code = await vaultCommand(args, io);
  return { code, out: io.outText(), err: io.errText() };
}

describe('encrypt, view, decrypt', () => {
  it('encrypts in place with .vault_password found at the repo root, views and decrypts back', async () => {
    await put('inventory/prod/secrets.yml', PLAINTEXT);
    expect(await rig(['encrypt', 'secrets.yml'])).toEqual({ code: 0, out: '', err: '' });
    const encrypted = await text('inventory/prod/secrets.yml');
    expect(encrypted.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    expect(((await stat(path.join(repo, 'inventory/prod/secrets.yml'))).mode & 0o777).toString(8)).toBe('600');
    expect((await rig(['view', 'secrets.yml'])).out).toBe(PLAINTEXT);
    expect((await rig(['decrypt', 'secrets.yml'])).code).toBe(0);
    expect(await text('inventory/prod/secrets.yml')).toBe(PLAINTEXT);
  });

  it('a wrong password exits 1 with one message naming the file, and leaves it byte-identical', async () => {
    const name = await put('inventory/prod/group_vars/all/secrets.yml', keyring.encrypt(PLAINTEXT));
    const before = await readFile(path.join(repo, name));
    await writeFile(path.join(repo, 'wrong'), 'not-it\n');
    for (const action of ['decrypt', 'view', 'edit']) {
      const r = await rig([action, '--vault-password-file', 'wrong', name], {
        cwd: repo,
        env: { ...env, EDITOR: 'false' },
      });
      expect(r).toEqual({ code: 1, out: '', err: `${name}: wrong vault password or corrupted data (HMAC mismatch)` });
    }
    const r = await rig(
      ['rekey', '--vault-password-file', 'wrong', '--new-vault-password-file', '.vault_password', name],
      { cwd: repo },
    );
    expect(r.code).toBe(1);
    expect((await readFile(path.join(repo, name))).equals(before)).toBe(true);
    expect(await readdir(path.join(repo, 'inventory/prod/group_vars/all'))).toEqual(['secrets.yml']);
  });

  it('refuses to encrypt an encrypted file, and writes none of the inputs when one fails', async () => {
    await put('a.yml', PLAINTEXT);
    await put('b.yml', keyring.encrypt('x'));
    const r = await rig(['encrypt', 'a.yml', 'b.yml'], { cwd: repo });
    expect(r).toEqual({ code: 1, out: '', err: 'b.yml: is already vault encrypted (use rekey or edit)' });
    expect(await text('a.yml')).toBe(PLAINTEXT);
  });

  it('--output writes elsewhere; - and no file use stdout and stdin', async () => {
    await put('plain.yml', PLAINTEXT);
    expect((await rig(['encrypt', 'plain.yml', '--output', 'enc.yml'], { cwd: repo })).code).toBe(0);
    expect(await text('plain.yml')).toBe(PLAINTEXT);
    expect(keyring.decrypt(await text('enc.yml'), 'enc.yml')).toBe(PLAINTEXT);
    expect((await rig(['decrypt', 'enc.yml', '--output', '-'], { cwd: repo })).out).toBe(PLAINTEXT);
    const piped = await rig(['encrypt'], { cwd: repo, stdin: PLAINTEXT });
    expect((await rig(['decrypt'], { cwd: repo, stdin: piped.out })).out).toBe(PLAINTEXT);
  });
});

describe('vault ids and passwords', () => {
  it('encrypts under a labelled vault id (1.2) and needs --encrypt-vault-id when several are loaded', async () => {
    await copyFile(path.join(FIXTURES, 'password-prod.txt'), path.join(repo, 'prod-pw'));
    await put('s.yml', PLAINTEXT);
    const several = await rig(['encrypt', '--vault-id', 'prod@prod-pw', 's.yml'], { cwd: repo });
    const hint = 'rig vault: vault ids prod, default are loaded; name the one to encrypt with --encrypt-vault-id';
    expect(several).toEqual({ code: 1, out: '', err: `${hint} (see rig vault --help)` });
    expect(
      (await rig(['encrypt', '--vault-id', 'prod@prod-pw', '--encrypt-vault-id', 'prod', 's.yml'], { cwd: repo })).code,
    ).toBe(0);
    expect((await text('s.yml')).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect((await rig(['view', '--vault-id', 'prod@prod-pw', 's.yml'], { cwd: repo })).out).toBe(PLAINTEXT);
  });

  it('a missing password says where rig looked', async () => {
    await rm(path.join(repo, '.vault_password'));
    await put('s.yml', keyring.encrypt('x'));
    const r = await rig(['view', 's.yml'], { cwd: repo });
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `no vault password: give --vault-password-file FILE or --vault-id label@FILE, set $RIG_VAULT_PASSWORD_FILE, or create ${path.join(repo, '.vault_password')}`,
    );
  });

  it('rekey re-encrypts with the new password and keeps the file mode', async () => {
    await put('s.yml', keyring.encrypt(PLAINTEXT));
    await chmod(path.join(repo, 's.yml'), 0o640);
    await put('new-pw', 'brand-new\n');
    const r = await rig(['rekey', '--new-vault-password-file', 'new-pw', 's.yml'], { cwd: repo });
    expect(r).toEqual({ code: 0, out: '', err: 'Rekey successful' });
    expect(((await stat(path.join(repo, 's.yml'))).mode & 0o777).toString(8)).toBe('640');
    expect(VaultKeyring.fromPasswords([{ password: 'brand-new' }]).decrypt(await text('s.yml'), 's')).toBe(PLAINTEXT);
  });
});

describe('encrypt-string', () => {
  it('reads the value from stdin and prints an ansible-style !vault block', async () => {
    const r = await rig(['encrypt-string', '--name', 'db_password'], { stdin: 'value "with" quotes' });
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('db_password: !vault |');
    expect(lines[1]).toBe('          $ANSIBLE_VAULT;1.1;AES256');
    expect(lines.slice(2).every((l) => /^ {10}[0-9a-f]{1,80}$/.test(l))).toBe(true);
    const tag: ScalarTag = { tag: '!vault', resolve: (s) => s };
    const parsed = parseDocument(r.out, { customTags: [tag] }).toJS() as Record<string, string>;
    expect(keyring.decrypt(parsed['db_password']!, 'x')).toBe('value "with" quotes');
  });

  it('refuses a value on the command line and empty stdin', async () => {
    const r = await rig(['encrypt-string', '--name', 'x', 'hunter2']);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('hunter2');
    expect((await rig(['encrypt-string'], { stdin: '' })).err).toContain('stdin was empty');
  });
});

describe('create and edit', () => {
  /** A real editor: appends a line, and records its file's path and directory mode. */
  async function editorScript(): Promise<string> {
    const script = path.join(repo, 'editor.sh');
    const log = path.join(repo, 'edited-path');
    const body = [`echo "$1" > "${log}"`, `stat -c %a "$(dirname "$1")" >> "${log}"`, 'echo "added: yes" >> "$1"'];
    await writeFile(script, `#!/bin/sh\n${body.join('\n')}\n`);
    await chmod(script, 0o755);
    return script;
  }

  it('create encrypts what the editor saved and removes the private temp dir', async () => {
    const r = await rig(['create', 'inventory/prod/new.yml'], {
      cwd: repo,
      env: { ...env, EDITOR: await editorScript() },
    });
    expect(r).toEqual({ code: 0, out: '', err: '' });
    expect(keyring.decrypt(await text('inventory/prod/new.yml'), 'x')).toBe('added: yes\n');
    const [tmpFile, dirMode] = (await text('edited-path')).trim().split('\n');
    expect(dirMode).toBe('700');
    expect(tmpFile?.startsWith(path.join(repo, 'tmp'))).toBe(true);
    expect(await readdir(path.join(repo, 'tmp'))).toEqual([]);
    const again = await rig(['create', 'inventory/prod/new.yml'], { cwd: repo });
    expect(again.err).toBe('inventory/prod/new.yml exists, use "rig vault edit" instead');
  });

  it('edit re-encrypts the change; an unchanged file and a failing editor leave it byte-identical', async () => {
    await put('s.yml', keyring.encrypt(PLAINTEXT));
    expect((await rig(['edit', 's.yml'], { cwd: repo, env: { ...env, EDITOR: await editorScript() } })).code).toBe(0);
    const edited = await readFile(path.join(repo, 's.yml'));
    expect(keyring.decrypt(edited.toString(), 'x')).toBe(`${PLAINTEXT}added: yes\n`);
    expect((await rig(['edit', 's.yml'], { cwd: repo, env: { ...env, EDITOR: 'true' } })).code).toBe(0);
    expect((await readFile(path.join(repo, 's.yml'))).equals(edited)).toBe(true);
    const failing = await rig(['edit', 's.yml'], { cwd: repo, env: { ...env, EDITOR: 'sh -c "exit 4"' } });
    expect(failing).toEqual({ code: 1, out: '', err: 'editor "sh -c "exit 4"" failed (4); nothing was saved' });
    expect((await readFile(path.join(repo, 's.yml'))).equals(edited)).toBe(true);
  });
});

describe('usage', () => {
  it('unknown actions and misplaced options exit 1', async () => {
    expect(await rig(['frobnicate'])).toMatchObject({
      code: 1,
      err: expect.stringContaining('unknown action "frobnicate"'),
    });
    const misplaced = await rig(['view', '--output', 'x', 'f']);
    expect(misplaced).toMatchObject({ code: 1, err: expect.stringContaining('--output does not apply to "view"') });
    expect(await rig(['view', '--bogus'])).toMatchObject({ code: 1 });
    expect((await rig(['--help'])).out).toContain('usage: rig vault');
  });
});
