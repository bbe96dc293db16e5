// Deploy edge cases on a real sshd: hostile variable values land byte-exact and never run; host keys are enforced.
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { makeProject } from '../helpers/project.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../helpers/sshd/sshd-fleet.js';
import { testIo } from '../helpers/test-io.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP deploy-edges: ${unavailable}`);

const ECHO_ROLE = `import { defineRole, exec, z } from 'rig';
export default defineRole({
  name: 'echo',
  description: 'writes a value to a file and passes it as a command argument',
  vars: z.object({ echo_dir: z.string(), echo_value: z.string() }),
  tasks: ({ vars, dir, content, command }) => [
    dir(vars.echo_dir),
    content(\`\${vars.echo_dir}/value.txt\`, vars.echo_value),
    command('write arg', exec(['/bin/sh', '-c', 'printf %s "$1" > "$2"', 'sh', vars.echo_value, \`\${vars.echo_dir}/arg.txt\`]), { always: true }),
  ],
});
`;

describe.skipIf(unavailable !== undefined)('deploy edge cases', () => {
  let fleet: SshdFleet;
  let data: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    fleet = await startSshdFleet(2, { firstOctet: 81 });
    data = mkdtempSync(path.join(os.tmpdir(), 'rig-edges-'));
  });
  afterAll(async () => {
    if (fleet) await fleet.stop();
  });

  function project(extra: Record<string, string> = {}): string {
    const h = fleet.hosts[0]!;
    return makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  vars:\n    rig_state_dir: "${data}/state/{{ inventory_hostname }}"\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${fleet.clientKey.path} }\n`,
        'playbooks/site.yml': '- hosts: all\n  roles: [echo]\n',
        'roles/echo/role.ts': ECHO_ROLE,
        ...extra,
      },
      { roles: [] },
    );
  }

  async function rig(root: string, args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'] } });
    const code = await main([...args, '--env', 'test'], io);
    return { code, out: io.outText(), err: io.errText() };
  }

  it('values with quotes, $(…), backticks, ;, newlines, leading -, UTF-8 land byte-exact and never run', async () => {
    const marker = path.join(data, 'pwned');
    const hostile = fc.oneof(
      fc.string({ unit: fc.constantFrom(...[...`'"$();\`\\|&<>*?~#!{}[] \n\t-é漢😀`], 'a', 'b'), maxLength: 24 }),
      fc.constantFrom(`$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`, `'; touch ${marker}; '`, '-rf /', '--help', `"$(id)"`, 'a\nb\r\nc'),
    );
    const root = project();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        // `{{` starts a variable reference in vars (as in Ansible); literal braces are tested in resolve.test.ts.
        fc.pre(!value.includes('{{'));
        const dir = path.join(data, `v${n++}`);
        const vars = stringify({ echo_dir: dir, echo_value: value });
        (await import('node:fs')).mkdirSync(path.join(root, 'inventory/test/group_vars'), { recursive: true });
        writeFileSync(path.join(root, 'inventory/test/group_vars/all.yml'), vars);
        const r = await rig(root, ['deploy', '--known-hosts', fleet.knownHostsFile]);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(readFileSync(path.join(dir, 'value.txt'), 'utf8')).toBe(value);
        expect(readFileSync(path.join(dir, 'arg.txt'), 'utf8')).toBe(value);
        expect(existsSync(marker)).toBe(false);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('an unknown host key is refused with its fingerprint; --accept-new-host-keys records it; a changed key is refused', async () => {
    const root = project({ 'inventory/test/group_vars/all.yml': stringify({ echo_dir: path.join(data, 'keys'), echo_value: 'k' }) });
    const known = path.join(data, 'known_hosts');
    const first = await rig(root, ['plan', '--known-hosts', known]);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/h1: unreachable\n {2}! .*SHA256:[A-Za-z0-9+/]{43}/);
    expect(first.out).toContain('--accept-new-host-keys');
    const accepted = await rig(root, ['plan', '--known-hosts', known, '--accept-new-host-keys']);
    expect(accepted.code).toBe(2);
    expect(readFileSync(known, 'utf8')).toContain(`[${fleet.hosts[0]!.address}]:${fleet.hosts[0]!.port} ssh-ed25519 `);
    expect((await rig(root, ['plan', '--known-hosts', known])).code).toBe(2);
    await fleet.restart(fleet.hosts[0]!, { newHostKey: true });
    const changed = await rig(root, ['plan', '--known-hosts', known, '--accept-new-host-keys']);
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/changed/i);
  });

  it('a host that drops mid-run fails alone: the other finishes, the summary names it, exit 1', async () => {
    const [h1, h2] = fleet.hosts;
    const line = (h: typeof h1) => `    ${h!.name}: { ansible_host: ${h!.address}, ansible_port: ${h!.port}, ansible_user: root, ansible_ssh_private_key_file: ${fleet.clientKey.path} }`;
    // The command kills its own sshd session on h2 (session and monitor processes): the connection drops mid-deploy.
    const drop = `import { defineRole, sh, z } from 'rig';
export default defineRole({ name: 'drop', description: 'x', vars: z.object({ drop_dir: z.string() }), tasks: ({ vars, hostVars, dir, content, command }) => [
  dir(\`\${vars.drop_dir}/\${String(hostVars['inventory_hostname'])}\`),
  content(\`\${vars.drop_dir}/\${String(hostVars['inventory_hostname'])}/f.txt\`, 'written\\n'),
  command('maybe drop', sh('if [ "$1" = h2 ]; then kill -KILL $PPID $(ps -o ppid= -p $PPID); sleep 5; fi', String(hostVars['inventory_hostname'])), { always: true }),
] });
`;
    const dir = path.join(data, 'drop');
    (await import('node:fs')).mkdirSync(dir, { recursive: true });
    const root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  vars:\n    rig_state_dir: "${data}/state/{{ inventory_hostname }}"\n  hosts:\n${line(h1)}\n${line(h2)}\n`,
        'inventory/test/group_vars/all.yml': stringify({ drop_dir: dir }),
        'playbooks/site.yml': '- hosts: all\n  roles: [drop]\n',
        'roles/drop/role.ts': drop,
      },
      { roles: [] },
    );
    try {
      // The key test above gave h1 a new host key: trust on first use into a fresh file here.
      const r = await rig(root, ['deploy', '--known-hosts', path.join(dir, 'known_hosts'), '--accept-new-host-keys']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/h2: (unreachable|failed)/);
      expect(r.out).toMatch(/deploy: 2 hosts, \d+ changes? made; ok=0 changed=1 failed=[01] unreachable=[01]/);
      expect(readFileSync(path.join(dir, 'h1', 'f.txt'), 'utf8')).toBe('written\n');
    } finally {
      await fleet.restart(h2!);
    }
  });
});
