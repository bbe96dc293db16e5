// Vault passwords: files and executable scripts read as Ansible does, source priority, vault-id slugs, repo root.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { readPasswordFile } from '../../../src/config/vault/password-file.js';
import { parseVaultIdSlug, resolvePasswordFiles } from '../../../src/config/vault/password-sources.js';
import { findRepoRoot } from '../../../src/config/repo-root.js';
import { UsageError, UserError } from '../../../src/core/errors/errors.js';

const FIXTURE_1_1 = readFileSync(new URL('../../fixtures/vault/secrets-1.1.yml', import.meta.url), 'utf8');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rig-vault-pw-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string, mode = 0o600): Promise<string> {
  const p = path.join(dir, name);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, content);
  await chmod(p, mode);
  return p;
}
const read = async (p: string): Promise<string> =>
  (await readPasswordFile({ file: p, origin: 'test' })).toString('latin1');

describe('password files', () => {
  it('strips surrounding whitespace and newlines from a plain file (Python bytes.strip)', async () => {
    expect(await read(await file('a', '  pass word \t\r\n\n'))).toBe('pass word');
    expect(await read(await file('b', '\x0bpw\x0c'))).toBe('pw');
  });

  it('runs an executable file and strips only CR/LF around its stdout', async () => {
    const script = await file('get-pw.sh', "#!/bin/sh\nprintf ' spaced pw \\r\\n'\n", 0o700);
    expect(await read(script)).toBe(' spaced pw ');
  });

  it('a script password opens a vault made with the same password in a file', async () => {
    const script = await file('pw.sh', '#!/bin/sh\necho rig-fixture-password\n', 0o755);
    const k = await VaultKeyring.load({ root: dir, passwordFile: script, env: {} });
    expect(k?.decrypt(FIXTURE_1_1, 'f')).toContain('hunter2-fixture');
  });

  it('a failing script is an error with its exit code, never its output', async () => {
    const script = await file('bad.sh', '#!/bin/sh\necho leaked-secret\nexit 3\n', 0o700);
    const err = await readPasswordFile({ file: script, origin: '--vault-password-file' }).catch(
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`vault password script ${script} (--vault-password-file) exited with code 3`);
  });

  it('missing and empty files are errors naming the file and where it came from', async () => {
    const missing = path.join(dir, 'nope');
    await expect(read(missing)).rejects.toThrow(`vault password file ${missing} (test) was not found`);
    const empty = await file('empty', ' \n');
    await expect(read(empty)).rejects.toThrow(`vault password file ${empty} (test) gave an empty password`);
  });
});

describe('password sources', () => {
  it('uses --vault-password-file over $RIG_VAULT_PASSWORD_FILE over .vault_password, after --vault-ids', async () => {
    await file('.vault_password', 'root\n');
    await file('env-pw', 'env\n');
    await file('flag-pw', 'flag\n');
    const env = { RIG_VAULT_PASSWORD_FILE: 'env-pw' };
    const all = await resolvePasswordFiles({
      root: dir,
      cwd: dir,
      passwordFile: 'flag-pw',
      vaultIds: ['prod@p', 'q'],
      env,
    });
    expect(all.map((s) => [s.label, path.basename(s.file), s.origin])).toEqual([
      ['prod', 'p', '--vault-id prod'],
      ['default', 'q', '--vault-id default'],
      ['default', 'flag-pw', '--vault-password-file'],
    ]);
    const fromEnv = await resolvePasswordFiles({ root: dir, env });
    expect(fromEnv.map((s) => [path.basename(s.file), s.origin])).toEqual([['env-pw', '$RIG_VAULT_PASSWORD_FILE']]);
    const fromRoot = await resolvePasswordFiles({ root: dir, env: {} });
    expect(fromRoot.map((s) => s.file)).toEqual([path.join(dir, '.vault_password')]);
  });

  it('with no source at all, load gives undefined', async () => {
    expect(await VaultKeyring.load({ root: dir, env: {} })).toBeUndefined();
  });

  it('parses vault-id slugs like Ansible and refuses prompts and bad labels', () => {
    expect(parseVaultIdSlug('prod@secrets/pw')).toEqual({ label: 'prod', file: 'secrets/pw' });
    expect(parseVaultIdSlug('pw@file@x')).toEqual({ label: 'pw', file: 'file@x' });
    expect(parseVaultIdSlug('only-file')).toEqual({ label: 'default', file: 'only-file' });
    expect(parseVaultIdSlug('@file')).toEqual({ label: 'default', file: 'file' });
    expect(() => parseVaultIdSlug('prod@prompt')).toThrow(UsageError);
    expect(() => parseVaultIdSlug('a;b@f')).toThrow('not a valid vault id');
    expect(() => parseVaultIdSlug('prod@')).toThrow('names no password file');
  });
});

describe('repository root', () => {
  it('is the nearest ancestor with an inventory/ directory, else the cwd', async () => {
    await mkdir(path.join(dir, 'repo/inventory/prod'), { recursive: true });
    await mkdir(path.join(dir, 'repo/roles/x'), { recursive: true });
    expect(findRepoRoot(path.join(dir, 'repo/roles/x'))).toBe(path.join(dir, 'repo'));
    expect(findRepoRoot(path.join(dir, 'repo/inventory/prod'))).toBe(path.join(dir, 'repo'));
    await mkdir(path.join(dir, 'elsewhere'));
    expect(findRepoRoot(path.join(dir, 'elsewhere'))).toBe(path.join(dir, 'elsewhere'));
  });
});
