// `rig inventory` end to end in-process: sources shown, secrets never printed, bad input changes nothing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../../../src/cli/main.js';
import { VaultKeyring } from '../../../../../src/config/vault/keyring.js';
import { makeProject, sampleFiles, snapshotTree } from '../../../../helpers/project.js';
import { testIo } from '../../../../helpers/test-io.js';

const PASSWORD = 'fixture-password-1';
const SECRETS = ['sk-live-0123456789abcdef', 'pg-s3cr3t-pw', 'whole-file-secret-42', 'chat 8123 4567'];

/** A project whose secrets come from an inline !vault value, a whole vault file and a derived variable. */
function secretProject(): string {
  const ring = VaultKeyring.fromPasswords([{ password: PASSWORD }]);
  const inline = ring
    .encrypt(SECRETS[0]!)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  const root = makeProject(
    sampleFiles({
      'inventory/test/group_vars/all.yml': `sample_dir: /srv/app\nsample_api_key: !vault |\n${inline}\n`,
      'inventory/test/group_vars/app/secrets.yml': ring.encrypt(
        `vault_db_password: ${SECRETS[1]}\nvault_other: ${SECRETS[2]}\nvault_chat: ${SECRETS[3]}\n`,
      ),
      'inventory/test/group_vars/app/main.yml':
        'db_url: "postgres://app:{{ vault_db_password }}@db:5432/app"\nsample_message: "{{ vault_other }}"\n',
    }),
  );
  writeFileSync(path.join(root, '.vault_password'), `${PASSWORD}\n`);
  return root;
}

describe('rig inventory', () => {
  it('prints every variable with its source and never a secret (text and --json)', async () => {
    const root = secretProject();
    for (const extra of [[], ['--json'], ['--verbose']]) {
      const io = testIo({ cwd: root, env: {} });
      expect(await main(['inventory', '--env', 'test', ...extra], io)).toBe(0);
      const all = io.outText() + io.errText();
      for (const s of SECRETS) expect(all).not.toContain(s);
      expect(all).toContain('<secret>');
    }
    const io = testIo({ cwd: root, env: {} });
    await main(['inventory', '--env', 'test', '--json'], io);
    const json = JSON.parse(io.outText()) as {
      hosts: Record<
        string,
        { vars: Record<string, { value: unknown; secret: boolean; source: string; layer: string }> }
      >;
    };
    const vars = json.hosts['web1']!.vars;
    expect(vars['sample_api_key']).toMatchObject({
      value: '<secret>',
      secret: true,
      source: 'inventory/test/group_vars/all.yml:2:1',
      layer: 'group_vars/all',
    });
    expect(vars['db_url']).toMatchObject({
      value: '<secret>',
      secret: true,
      source: 'inventory/test/group_vars/app/main.yml:1:1',
      layer: 'group_vars',
    });
    expect(vars['sample_port']).toMatchObject({
      value: 8080,
      secret: false,
      source: 'roles/sample/defaults.yml:2:1',
      layer: 'role defaults',
    });
  });

  it('a secret that ends up in a non-secret place is still masked in output', async () => {
    const root = secretProject();
    // A --var that copies a secret's value verbatim: the redactor masks it wherever it appears.
    const io = testIo({ cwd: root, env: {} });
    expect(await main(['inventory', '--env', 'test', '--var', `leak=${SECRETS[0]}`], io)).toBe(0);
    expect(io.outText()).not.toContain(SECRETS[0]);
    expect(io.outText()).toContain('***');
  });

  it('bad input: exit 1, every error with file:line:col, nothing written', async () => {
    const root = makeProject(
      sampleFiles({
        'inventory/test/group_vars/all.yml':
          'sample_dir: /srv/app\nsample_port: "x"\nsample_mesage: hi\nsample_api_key: abcdefghij\n',
      }),
    );
    const before = snapshotTree(root);
    const io = testIo({ cwd: root, env: {} });
    expect(await main(['inventory', '--env', 'test'], io)).toBe(1);
    expect(io.errText().split('\n')).toEqual([
      'inventory/test/group_vars/all.yml:2:14: sample_port: expected number, got string "x" [host web1]',
      'inventory/test/group_vars/all.yml:3:1: unknown variable "sample_mesage" for role sample (did you mean "sample_message"?)',
      'rig: 2 errors; nothing was changed',
    ]);
    expect(snapshotTree(root)).toEqual(before);
  });

  it('unknown env and unknown flag are clear one-line errors', async () => {
    const root = makeProject(sampleFiles());
    const io = testIo({ cwd: root, env: {} });
    expect(await main(['inventory', '--env', 'tset'], io)).toBe(1);
    expect(io.errText()).toBe(
      'rig: unknown environment "tset" (did you mean "test"?): no inventory/tset/hosts.yml (environments: test)',
    );
    const io2 = testIo({ cwd: root, env: {} });
    expect(await main(['inventory', '--hots', 'x'], io2)).toBe(1);
    expect(io2.errText()).toContain('--hots');
    expect(io2.errText()).toContain('did you mean "--host"?');
  });

  it('a wrong vault password names the file and shows no plaintext', async () => {
    const root = secretProject();
    writeFileSync(path.join(root, '.vault_password'), 'not-the-password\n');
    const io = testIo({ cwd: root, env: {} });
    expect(await main(['inventory', '--env', 'test'], io)).toBe(1);
    const err = io.errText();
    expect(err).toMatch(/^inventory\/test\/group_vars\/all\.yml:2:\d+: .*HMAC/m);
    expect(err).toMatch(/^inventory\/test\/group_vars\/app\/secrets\.yml:1:1: .*HMAC/m);
    for (const s of SECRETS) expect(err).not.toContain(s);
  });
});
