// Input errors stop rig before any host is contacted: a listening socket sees no connection at all.
import { createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { makeProject, sampleFiles } from '../helpers/project.js';
import { testIo } from '../helpers/test-io.js';

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

  const hosts = (): string => `all:\n  children:\n    app:\n      hosts:\n        web1: { ansible_host: 127.0.0.1, ansible_port: ${port} }\n`;

  it.each([
    ['a wrongly typed role variable', {}, ['--var', 'sample_port=eighty']],
    ['a template with a missing variable', { 'roles/broken/role.ts': "import { defineRole, z } from 'rig';\nexport default defineRole({ name: 'broken', description: 'x', vars: z.object({}), tasks: ({ template }) => [template('t.hbs', '/tmp/x')] });\n", 'roles/broken/templates/t.hbs': 'value = {{ broken_nope }}\n', 'playbooks/site.yml': '- hosts: app\n  roles: [sample, broken]\n' }, []],
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
});
