// Bad input: each case asserts the exact diagnostic text (file:line:col: message), and that errors come all at once.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { load, loadErrors, makeProject, renderErrors, sampleFiles } from '../../helpers/project.js';

const HOSTS = 'inventory/test/hosts.yml';
const ALL = 'inventory/test/group_vars/all.yml';

describe('config errors', () => {
  it('malformed YAML', async () => {
    const root = makeProject(sampleFiles({ [ALL]: 'sample_dir: /srv/app\nsample_api_key: [unclosed\n' }));
    expect(await loadErrors(root)).toEqual([expect.stringMatching(/^inventory\/test\/group_vars\/all\.yml:3:1: /)]);
  });

  it("a vars file that fails to load: its hosts' variables are not judged, the other hosts' are", async () => {
    // web1's group file is broken: what it sets is unknown, so sample_port's "eighty" (it may override it) and the
    // missing sample_api_key (it may set it) are not its errors; web2 (group db) loaded every file, and is judged
    const root = makeProject(
      sampleFiles({
        [HOSTS]: 'all:\n  children:\n    app:\n      hosts:\n        web1:\n    db:\n      hosts:\n        web2:\n',
        [ALL]: 'sample_dir: /srv/app\nsample_port: "eighty"\n',
        'inventory/test/group_vars/app.yml': 'sample_api_key: not-a-real-key-123\nsample_port: [80\n',
        'inventory/test/group_vars/db.yml': 'sample_api_key: not-a-real-key-456\n',
        'playbooks/site.yml': '- hosts: [app, db]\n  roles: [sample]\n',
      }),
    );
    expect(await loadErrors(root)).toEqual([
      'inventory/test/group_vars/all.yml:2:14: sample_port: expected number, got string "eighty" [host web2]',
      expect.stringMatching(/^inventory\/test\/group_vars\/app\.yml:3:1: /),
    ]);
    // the same with host_vars, and with a --var that is refused (every host's then)
    writeFileSync(path.join(root, 'inventory/test/group_vars/app.yml'), 'sample_api_key: not-a-real-key-123\n');
    const hostVars = path.join(root, 'inventory/test/host_vars');
    mkdirSync(hostVars);
    writeFileSync(path.join(hostVars, 'web2.yml'), 'sample_api_key: [x\n');
    expect(await loadErrors(root)).toEqual([
      'inventory/test/group_vars/all.yml:2:14: sample_port: expected number, got string "eighty" [host web1]',
      expect.stringMatching(/^inventory\/test\/host_vars\/web2\.yml:2:1: /),
    ]);
    rmSync(hostVars, { recursive: true });
    // versions.yml is part of group_vars/all: every host's
    writeFileSync(path.join(root, 'inventory/test/versions.yml'), 'sample_image: [x\n');
    expect(await loadErrors(root)).toEqual([expect.stringMatching(/^inventory\/test\/versions\.yml:2:1: /)]);
    rmSync(path.join(root, 'inventory/test/versions.yml'));
    expect(await loadErrors(root, { extraVars: ['9sample_port=80'] })).toEqual([
      expect.stringMatching(/^<command line>:1:1: .*"9sample_port"/),
    ]);
  });

  it('duplicate key', async () => {
    const root = makeProject(
      sampleFiles({ [ALL]: 'sample_dir: /srv/app\nsample_api_key: not-a-real-key-123\nsample_dir: /srv/other\n' }),
    );
    expect(await loadErrors(root)).toEqual([
      'inventory/test/group_vars/all.yml:3:1: duplicate key (YAML map keys must be unique)',
    ]);
  });

  it('unknown group in children', async () => {
    const hosts = 'all:\n  children:\n    app:\n      hosts:\n        web1:\n    aps:\n';
    const root = makeProject(sampleFiles({ [HOSTS]: hosts }));
    expect(await loadErrors(root)).toEqual([
      'inventory/test/hosts.yml:6:5: unknown group "aps" in children of "all" (did you mean "app"?) (a group must be defined with hosts, vars or children somewhere)',
    ]);
  });

  it('unknown key in a group', async () => {
    const root = makeProject(sampleFiles({ [HOSTS]: 'all:\n  children:\n    app:\n      host:\n        web1:\n' }));
    expect(await loadErrors(root)).toEqual([
      'inventory/test/hosts.yml:4:7: unknown key "host" (did you mean "hosts"?)',
    ]);
  });

  it('a host listed twice with conflicting connection vars', async () => {
    const hosts = [
      'all:',
      '  children:',
      '    app:',
      '      hosts:',
      '        web1: { ansible_host: 10.0.0.1 }',
      '    db:',
      '      hosts:',
      '        web1: { host: 10.0.0.2 }',
      '',
    ].join('\n');
    const root = makeProject(sampleFiles({ [HOSTS]: hosts }));
    expect(await loadErrors(root)).toEqual([
      'inventory/test/hosts.yml:8:17: host "web1" is listed twice with conflicting connection host: host="10.0.0.2" here, ansible_host="10.0.0.1" at inventory/test/hosts.yml:5:17 [host web1]',
    ]);
  });

  it('wrong type for a role var, misspelt role var and missing required var, all at once', async () => {
    const root = makeProject(
      sampleFiles({ [ALL]: 'sample_dir: /srv/app\nsample_port: "eighty"\nsample_mesage: hi\n' }),
    );
    const errors = await loadErrors(root);
    const roleTs = path.relative(root, path.join(root, 'roles/sample/role.ts'));
    expect(errors).toEqual([
      'inventory/test/group_vars/all.yml:2:14: sample_port: expected number, got string "eighty" [host web1]',
      'inventory/test/group_vars/all.yml:3:1: unknown variable "sample_mesage" for role sample (did you mean "sample_message"?)',
      expect.stringMatching(
        new RegExp(
          `^${roleTs.replace(/[.]/g, '\\.')}:\\d+:5: missing required variable "sample_api_key" of role sample \\(declared here; set it in group_vars or host_vars\\) \\[host web1\\]$`,
        ),
      ),
    ]);
  });

  it('a long wrongly typed value (a vault secret given as a port) is not quoted in part', async () => {
    const secret = 'vault-secret-0123456789abcdef0123456789abcdef';
    const ring = VaultKeyring.fromPasswords([{ password: 'pw' }]);
    const root = makeProject(
      sampleFiles({ 'inventory/test/host_vars/web1.yml': ring.encrypt(`sample_port: ${secret}\n`) }),
    );
    const errors = await loadErrors(root, { vaultPassword: 'pw' });
    expect(errors).toEqual([
      `inventory/test/host_vars/web1.yml:1:14: sample_port: expected number, got a string of ${secret.length} characters [host web1]`,
    ]);
    expect(errors.join('\n')).not.toContain(secret.slice(0, 12));
  });

  it('missing template variable names the variable, the template and its line', async () => {
    const root = makeProject(sampleFiles());
    const project = await load(root);
    const tpl = path.join(root, 'roles/sample/templates/app.conf.hbs');
    const original = (await import('node:fs')).readFileSync(tpl, 'utf8');
    try {
      writeFileSync(tpl, `${original}extra = {{sample_nope}}\n`);
      const lines = renderErrors(project, root);
      expect(lines).toEqual([expect.stringMatching(/^roles\/sample\/templates\/app\.conf\.hbs:5:11: .*"sample_nope"/)]);
    } finally {
      writeFileSync(tpl, original);
    }
  });

  it('wrong vault password and truncated vault file name the file', async () => {
    const ring = VaultKeyring.fromPasswords([{ password: 'right-password' }]);
    const secretFile = `sample_api_key: ${'!vault |'}\n${ring
      .encrypt('the-real-key-42')
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n')}\n`;
    const whole = ring.encrypt('sample_dir: /srv/app\n');
    const truncated = whole.slice(0, Math.floor(whole.length / 2));
    const root = makeProject(sampleFiles({ [ALL]: secretFile, 'inventory/test/group_vars/app.yml': truncated }));
    const errors = await loadErrors(root, { vaultPassword: 'wrong-password' });
    expect(errors).toEqual([
      expect.stringMatching(/^inventory\/test\/group_vars\/all\.yml:1:\d+: .*(HMAC|password)/),
      expect.stringMatching(/^inventory\/test\/group_vars\/app\.yml:1:1: .*(truncated|corrupted|password)/),
    ]);
    expect(errors.join('\n')).not.toContain('the-real-key-42');
  });

  it('a destination leaving its directory by "..", or not normalised, is refused at the call site', async () => {
    const root = makeProject(
      sampleFiles({ [ALL]: 'sample_dir: /srv/app/../../etc\nsample_api_key: not-a-real-key-123\n' }),
    );
    expect(renderErrors(await load(root), root)).toEqual([
      expect.stringMatching(
        /^roles\/sample\/role\.ts:\d+:\d+: destination must not contain "\.\.": "\/srv\/app\/\.\.\/\.\.\/etc"$/,
      ),
    ]);
    const slashes = makeProject(sampleFiles({ [ALL]: 'sample_dir: /srv//app/\nsample_api_key: not-a-real-key-123\n' }));
    expect(renderErrors(await load(slashes), slashes)[0]).toMatch(
      /^roles\/sample\/role\.ts:\d+:\d+: destination must be a normalised path: "\/srv\/\/app\/" \(did you mean "\/srv\/app"\?\)/,
    );
  });

  it.each([
    ['template', '../../../etc/shadow'],
    ['copy', '/etc/shadow'],
  ])('a role file named outside the role (%s %s) is refused at the call site', async (op, name) => {
    const role = [
      "import { defineRole, z } from 'rig';",
      "export default defineRole({ name: 'escape', description: 'reads outside itself', vars: z.object({}),",
      `  tasks: ({ template, copy }) => [${op}(${JSON.stringify(name)}, '/srv/a')],`,
      '});',
      '',
    ].join('\n');
    const files = sampleFiles({
      'roles/escape/role.ts': role,
      'playbooks/site.yml': '- hosts: app\n  roles: [escape]\n',
    });
    const root = makeProject(files, { roles: [], asPackage: true });
    const col = `  tasks: ({ template, copy }) => [`.length + 1;
    expect(renderErrors(await load(root), root)).toEqual([
      `roles/escape/role.ts:3:${col}: role file name must be a relative path inside the role, without "..": "${name}"`,
    ]);
  });

  it('a host name that would write lines of its own into templates is refused at its key', async () => {
    const hosts =
      'all:\n  children:\n    app:\n      hosts:\n        "web1\\n# injected": { ansible_host: 127.0.0.1 }\n';
    const root = makeProject(sampleFiles({ [HOSTS]: hosts }));
    expect(await loadErrors(root)).toEqual([
      expect.stringMatching(/^inventory\/test\/hosts\.yml:5:9: .*a host name: letters, digits, "\.", "_" and "-"/),
    ]);
  });

  it('a service image that is no image reference (a newline, a space) is refused at the call site', async () => {
    const role = [
      "import { defineRole, z } from 'rig';",
      "export default defineRole({ name: 'img', description: 'a bad image', vars: z.object({}),",
      "  tasks: ({ service }) => [service('app', { image: 'redis:7\\nFROM evil' })],",
      '});',
      '',
    ].join('\n');
    const files = sampleFiles({ 'roles/img/role.ts': role, 'playbooks/site.yml': '- hosts: app\n  roles: [img]\n' });
    const root = makeProject(files, { roles: [], asPackage: true });
    expect(renderErrors(await load(root), root)).toEqual([
      expect.stringMatching(
        /^roles\/img\/role\.ts:3:\d+: service app: invalid image reference "redis:7\\nFROM evil": /,
      ),
    ]);
  });
});
