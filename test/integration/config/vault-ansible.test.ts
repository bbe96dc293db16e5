// rig's vault against the real ansible-vault (Debian ansible-core): each side reads what the other wrote.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type ScalarTag } from 'yaml';
import { vaultCommand } from '../../../src/cli/commands/project/vault.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { testIo } from '../../helpers/test-io.js';

const probe = spawnSync('ansible-vault', ['--version'], { encoding: 'utf8' });
const hasAnsible = probe.status === 0;
if (!hasAnsible) console.log('SKIP vault-ansible: ansible-vault not found on PATH (apt-get install ansible-core)');

const PLAINTEXT = 'db_password: "hunter2"\napi_token: "tök€n ✓"\n';
let dir: string;
const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], ANSIBLE_NOCOLOR: '1' };

async function put(name: string, content: string, mode = 0o600): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  await chmod(p, mode);
  return p;
}
const ansibleVault = (args: string[], input?: string) =>
  execa('ansible-vault', args, { cwd: dir, env, extendEnv: false, ...(input === undefined ? {} : { input }) });

async function rig(args: string[], stdin?: string) {
  const io = testIo({ cwd: dir, env, ...(stdin === undefined ? {} : { stdin }) });
  const code = await vaultCommand(args, io);
  return { code, out: io.outText(), err: io.errText() };
}
const vaultBlocks = (yamlText: string): Record<string, string> => {
  const tag: ScalarTag = { tag: '!vault', resolve: (s) => s };
  return parseDocument(yamlText, { customTags: [tag] }).toJS() as Record<string, string>;
};

describe.skipIf(!hasAnsible)('interop with the real ansible-vault', () => {
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rig-vault-ansible-'));
    await put('pw', 'interop-pw\n');
    await put('prod-pw', 'prod-interop-pw\n');
    await put('new-pw', 'rotated-pw\n');
    await put('pw-script', '#!/bin/sh\necho script-pw\n', 0o700);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('rig decrypts a 1.1 file and a 1.2 vault-id file encrypted by ansible-vault', async () => {
    await put('a.yml', PLAINTEXT);
    await put('b.yml', PLAINTEXT);
    await ansibleVault(['encrypt', '--vault-password-file', 'pw', 'a.yml']);
    await ansibleVault(['encrypt', '--vault-id', 'prod@prod-pw', '--encrypt-vault-id', 'prod', 'b.yml']);
    expect((await readFile(path.join(dir, 'b.yml'), 'utf8')).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(await rig(['view', '--vault-password-file', 'pw', 'a.yml'])).toEqual({ code: 0, out: PLAINTEXT, err: '' });
    const both = await VaultKeyring.load({ root: dir, vaultIds: ['dev@pw', 'prod@prod-pw'], env: {} });
    expect(both?.decryptBytes(await readFile(path.join(dir, 'b.yml'), 'utf8'), 'b.yml').vaultId).toBe('prod');
    expect(await rig(['decrypt', '--vault-id', 'prod@prod-pw', 'b.yml'])).toMatchObject({ code: 0 });
    expect(await readFile(path.join(dir, 'b.yml'), 'utf8')).toBe(PLAINTEXT);
  });

  it('ansible-vault views what rig encrypted (1.1, 1.2 with a vault id, and a password script)', async () => {
    await put('c.yml', PLAINTEXT);
    await put('d.yml', PLAINTEXT);
    await put('e.yml', PLAINTEXT);
    expect((await rig(['encrypt', '--vault-password-file', 'pw', 'c.yml'])).code).toBe(0);
    expect((await rig(['encrypt', '--vault-id', 'prod@prod-pw', 'd.yml'])).code).toBe(0);
    expect((await rig(['encrypt', '--vault-password-file', 'pw-script', 'e.yml'])).code).toBe(0);
    expect((await readFile(path.join(dir, 'd.yml'), 'utf8')).split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect((await ansibleVault(['view', '--vault-password-file', 'pw', 'c.yml'])).stdout).toBe(PLAINTEXT.trimEnd());
    expect((await ansibleVault(['view', '--vault-id', 'prod@prod-pw', 'd.yml'])).stdout).toBe(PLAINTEXT.trimEnd());
    expect((await ansibleVault(['view', '--vault-password-file', 'pw-script', 'e.yml'])).stdout).toBe(
      PLAINTEXT.trimEnd(),
    );
    await ansibleVault(['decrypt', '--vault-password-file', 'pw', 'c.yml']);
    expect(await readFile(path.join(dir, 'c.yml'), 'utf8')).toBe(PLAINTEXT);
  });

  it('inline values: rig decrypts encrypt_string output; ansible reads rig encrypt-string output', async () => {
    const fromAnsible = await ansibleVault(
      ['encrypt_string', '--vault-password-file', 'pw', '--stdin-name', 'db_password'],
      's3cr3t ✓',
    );
    const keyring = await VaultKeyring.load({ root: dir, passwordFile: 'pw', env: {} });
    expect(keyring?.decrypt(vaultBlocks(fromAnsible.stdout)['db_password']!, 'vars.yml')).toBe('s3cr3t ✓');

    const fromRig = await rig(['encrypt-string', '--vault-password-file', 'pw', '--name', 'db_password'], 's3cr3t ✓');
    // Same layout as ansible's, digits aside (the salt is random).
    const shape = (s: string): string => s.replace(/[0-9a-f]{2,}/g, (m) => 'x'.repeat(m.length));
    expect(
      shape(fromRig.out)
        .split('\n')
        .map((l) => l.length),
    ).toEqual(
      shape(fromAnsible.stdout)
        .split('\n')
        .map((l) => l.length),
    );
    expect(shape(fromRig.out).split('\n').slice(0, 2)).toEqual(shape(fromAnsible.stdout).split('\n').slice(0, 2));
    await put('vars.yml', `${fromRig.out}\n`);
    const debug = await execa(
      'ansible',
      [
        'localhost',
        '-c',
        'local',
        '-i',
        'localhost,',
        '-m',
        'debug',
        '-a',
        'var=db_password',
        '-e',
        '@vars.yml',
        '--vault-password-file',
        'pw',
      ],
      { cwd: dir, env, extendEnv: false },
    );
    expect(debug.stdout).toContain('"db_password": "s3cr3t ✓"');
  });

  it('rekey round trip: rig rekeys what ansible wrote, ansible rekeys what rig wrote', async () => {
    await put('r.yml', PLAINTEXT);
    await ansibleVault(['encrypt', '--vault-password-file', 'pw', 'r.yml']);
    expect(
      (await rig(['rekey', '--vault-password-file', 'pw', '--new-vault-password-file', 'new-pw', 'r.yml'])).code,
    ).toBe(0);
    expect((await ansibleVault(['view', '--vault-password-file', 'new-pw', 'r.yml'])).stdout).toBe(PLAINTEXT.trimEnd());
    await ansibleVault(['rekey', '--vault-password-file', 'new-pw', '--new-vault-password-file', 'pw', 'r.yml']);
    expect((await rig(['view', '--vault-password-file', 'pw', 'r.yml'])).out).toBe(PLAINTEXT);
  });

  it('a wrong password: rig exits non-zero, the file stays byte-identical and ansible still opens it', async () => {
    await put('w.yml', PLAINTEXT);
    await ansibleVault(['encrypt', '--vault-password-file', 'pw', 'w.yml']);
    const before = await readFile(path.join(dir, 'w.yml'));
    for (const action of ['decrypt', 'view']) {
      const r = await rig([action, '--vault-password-file', 'prod-pw', 'w.yml']);
      expect(r).toEqual({ code: 1, out: '', err: 'w.yml: wrong vault password or corrupted data (HMAC mismatch)' });
    }
    expect((await readFile(path.join(dir, 'w.yml'))).equals(before)).toBe(true);
    expect((await ansibleVault(['view', '--vault-password-file', 'pw', 'w.yml'])).stdout).toBe(PLAINTEXT.trimEnd());
  });
});
