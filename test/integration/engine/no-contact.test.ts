// Input errors stop rig before any host is contacted: a listening socket sees no connection at all.
import { createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { makeProject, sampleFiles } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';

const SECRET = 'argv-secret-51c2d8e0aa';

// M4. Line numbers matter: the test asserts the call sites (role.ts:7 … role.ts:11); line 12 is the right way.
const LEAK_ROLE = `import { defineRole, exec, secret, sh, z } from 'rig';
export default defineRole({
  name: 'leak',
  description: 'passes a vault value to remote commands, right and wrong',
  vars: z.object({ leak_token: z.string() }),
  tasks: ({ vars, command, handler, content, service }) => [
    command('register', sh('curl -H "Authorization: Bearer $1" https://api.test/', vars.leak_token), { creates: '/srv/leak/registered' }),
    command('login', exec(['true']), { unless: exec(['check-token'], { TOKEN: vars.leak_token }), missing: 'not logged in' }),
    content('/srv/leak/conf', 'x\\n', { validate: (tmp) => exec(['validate', '--token', Buffer.from('u:' + vars.leak_token).toString('base64'), tmp]) }),
    handler('restart', exec(['systemctl', 'restart', 'leak@' + encodeURIComponent(vars.leak_token)])),
    service('web', { image: 'nginx:1' }, { reload: { paths: ['/srv/leak'], command: ['nginx', '-s', 'reload', vars.leak_token] } }),
    command('the right way', exec(['/bin/sh', '-c', 'curl -H "Authorization: Bearer $TOKEN" https://api.test/'], { TOKEN: secret(vars.leak_token) }), { creates: '/srv/leak/ok' }),
  ],
});
`;

describe('errors found while planning reach no host', () => {
  let server: Server;
  let port = 0;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const hosts = (): string =>
    `all:\n  children:\n    app:\n      hosts:\n        web1: { ansible_host: 127.0.0.1, ansible_port: ${port} }\n`;

  it.each([
    ['a wrongly typed role variable', {}, ['--var', 'sample_port=eighty']],
    [
      'a template with a missing variable',
      {
        'roles/broken/role.ts':
          "import { defineRole, z } from 'rig';\nexport default defineRole({ name: 'broken', description: 'x', vars: z.object({}), tasks: ({ template }) => [template('t.hbs', '/tmp/x')] });\n",
        'roles/broken/templates/t.hbs': 'value = {{ broken_nope }}\n',
        'playbooks/site.yml': '- hosts: app\n  roles: [sample, broken]\n',
      },
      [],
    ],
  ] as [string, Record<string, string>, string[]][])('%s', async (_what, files, args) => {
    const root = makeProject(sampleFiles({ 'inventory/test/hosts.yml': hosts(), ...files }));
    for (const command of ['plan', 'deploy']) {
      const io = testIo({ cwd: root, env: {} });
      expect(await main([command, '--env', 'test', ...args], io)).toBe(1);
      expect(io.errText()).toMatch(/^(inventory\/|roles\/|<command line>)\S*:\d+:\d+: /);
      expect(io.errText()).toContain('nothing was changed');
    }
    expect(connections).toBe(0);
  });

  it('the same project without the error does connect (the check above can fail)', async () => {
    const root = makeProject(sampleFiles({ 'inventory/test/hosts.yml': hosts() }));
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', `${root}/key`]);
    const io = testIo({ cwd: root, env: { HOME: root } });
    expect(await main(['plan', '--env', 'test', '--var', `ansible_ssh_private_key_file=${root}/key`], io)).toBe(1);
    expect(io.outText()).toContain('web1: unreachable');
    expect(connections).toBe(1);
  });

  it('a known secret in a remote command line: each step named with its role and call site, the secret never quoted', async () => {
    const before = connections;
    const ring = VaultKeyring.fromPasswords([{ password: 'argv-pw' }]);
    const root = makeProject(
      sampleFiles({
        'inventory/test/hosts.yml': `all:\n  children:\n    app:\n      hosts:\n        web1: { ansible_host: 127.0.0.1, ansible_port: ${port} }\n`,
        'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`leak_token: ${SECRET}\n`),
        '.vault_password': 'argv-pw\n',
        'roles/leak/role.ts': LEAK_ROLE,
        'playbooks/site.yml': '- hosts: app\n  roles: [sample, leak]\n',
      }),
    );
    for (const command of ['plan', 'deploy']) {
      const io = testIo({ cwd: root, env: {} });
      expect(await main([command, '--env', 'test'], io)).toBe(1);
      const err = io.errText();
      const lines = err.split('\n').filter((l) => l.includes('a secret in'));
      expect(lines).toEqual([
        expect.stringMatching(
          /^roles\/leak\/role\.ts:7:\d+: role leak, command "register": a secret in argument 4 of \/bin\/sh; pass it as a secret\(\) /,
        ),
        expect.stringMatching(
          /^roles\/leak\/role\.ts:8:\d+: role leak, command "login": a secret in plain environment value TOKEN of check-token; /,
        ),
        expect.stringMatching(
          /^roles\/leak\/role\.ts:9:\d+: role leak, validate of \/srv\/leak\/conf: a secret in argument 2 of validate; /,
        ),
        expect.stringMatching(
          /^roles\/leak\/role\.ts:10:\d+: role leak, handler "restart": a secret in argument 2 of systemctl; /,
        ),
        expect.stringMatching(
          /^roles\/leak\/role\.ts:11:\d+: role leak, service "web" reload: a secret in argument 3 of nginx; /,
        ),
      ]);
      expect(err).toContain('nothing was changed');
      expect(`${io.outText()}${err}`).not.toContain(SECRET);
    }
    expect(connections).toBe(before);
  });
});
