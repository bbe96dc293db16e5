// Deploy edge cases on real target hosts: hostile variable values land byte-exact and never run; host keys are
// enforced; a host that drops mid-run fails alone.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requireDocker, useRoleBed, type RoleBed } from '../../bed/index.js';

const skip = await requireDocker();

const ECHO_ROLE = `import { defineRole, exec, z } from 'rig';
export default defineRole({
  name: 'echo',
  description: 'writes a value to a file and passes it as a command argument',
  vars: z.object({ echo_dir: z.string(), echo_value: z.string() }),
  tasks: ({ vars, dir, content, command }) => [
    dir(vars.echo_dir),
    content(\`\${vars.echo_dir}/value.txt\`, vars.echo_value),
    command(
      'write arg',
      exec(['/bin/sh', '-c', 'printf %s "$1" > "$2"', 'sh', vars.echo_value, \`\${vars.echo_dir}/arg.txt\`]),
      { always: true },
    ),
  ],
});
`;

// The command kills its own sshd session on h2 (session and monitor processes): the connection drops mid-deploy.
const DROP_ROLE = `import { defineRole, sh, z } from 'rig';
const DROP = 'if [ "$1" = h2 ]; then kill -KILL $PPID $(ps -o ppid= -p $PPID); sleep 5; fi';
export default defineRole({
  name: 'drop',
  description: 'x',
  vars: z.object({ drop_dir: z.string() }),
  tasks: ({ vars, hostVars, dir, content, command }) => [
    dir(vars.drop_dir),
    content(\`\${vars.drop_dir}/f.txt\`, 'written\\n'),
    command('maybe drop', sh(DROP, String(hostVars['inventory_hostname'])), { always: true }),
  ],
});
`;

// h2's `unless` check hangs (as `docker ps` does on a host whose dockerd hangs): it rides the facts exec.
const HANG_ROLE = `import { defineRole, sh, z } from 'rig';
export default defineRole({
  name: 'hang',
  description: 'x',
  vars: z.object({ hang_dir: z.string() }),
  tasks: ({ vars, hostVars, dir, command }) => [
    dir(vars.hang_dir),
    command('touch', sh('touch "$1/done"', vars.hang_dir), {
      unless: sh('[ "$1" != h2 ] || sleep 300; test -e "$2/done"', String(hostVars['inventory_hostname']), vars.hang_dir),
    }),
  ],
});
`;

describe.skipIf(skip !== undefined)('deploy edge cases', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: [{ name: 'echo', source: ECHO_ROLE }],
      hosts: 2,
      // each host writes under its own data dir, which this machine sees at the same path
      hostVars: (h) => ({
        echo_dir: `${h.dataDir}/echo`,
        echo_value: 'x',
        drop_dir: `${h.dataDir}/drop`,
        hang_dir: `${h.dataDir}/hang`,
      }),
      files: {
        'roles/drop/role.ts': DROP_ROLE,
        'playbooks/drop.yml': '- hosts: all\n  roles: [drop]\n',
        'roles/hang/role.ts': HANG_ROLE,
        'playbooks/hang.yml': '- hosts: all\n  roles: [hang]\n',
      },
    },
    (b) => (bed = b),
  );

  it('values with quotes, $(…), backticks, ;, newlines, leading -, UTF-8 land byte-exact and never run', async () => {
    const data = bed.host().dataDir;
    const marker = path.join(data, 'pwned');
    const hostile = fc.oneof(
      fc.string({ unit: fc.constantFrom(...[...`'"$();\`\\|&<>*?~#!{}[] \n\t-é漢😀`], 'a', 'b'), maxLength: 24 }),
      fc.constantFrom(
        ...[`$(touch ${marker})`, `\`touch ${marker}\``, `; touch ${marker}`, `'; touch ${marker}; '`],
        ...['-rf /', '--help', `"$(id)"`, 'a\nb\r\nc'],
      ),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (value) => {
        // `{{` starts a variable reference in vars (as in Ansible); literal braces are tested in resolve.test.ts.
        fc.pre(!value.includes('{{'));
        const dir = path.join(data, `v${n++}`);
        bed.setHostVars({ echo_dir: dir, echo_value: value });
        const r = await bed.rig(['deploy', '--limit', 'h1']);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(readFileSync(path.join(dir, 'value.txt'), 'utf8')).toBe(value);
        expect(readFileSync(path.join(dir, 'arg.txt'), 'utf8')).toBe(value);
        expect(existsSync(marker)).toBe(false);
      }),
      // a whitespace-only line: the bed's YAML writer once turned ' \n' into '\n' (core/yaml-text.ts)
      { numRuns: 40, examples: [[' \n'], ['\n \n'], [' a\nb']] },
    );
  }, 240_000);

  it('an unknown host key is refused, --accept-new-host-keys records it, a changed one is refused', async () => {
    const h1 = bed.host('h1');
    const known = path.join(h1.dataDir, 'known_hosts');
    const first = await bed.rig(['plan', '--limit', 'h1', '--known-hosts', known]);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/h1: unreachable\n {2}! .*SHA256:[A-Za-z0-9+/]{43}/);
    expect(first.out).toContain('--accept-new-host-keys');
    const accepted = await bed.rig(['plan', '--limit', 'h1', '--known-hosts', known, '--accept-new-host-keys']);
    expect(accepted.code).toBe(2);
    expect(readFileSync(known, 'utf8')).toContain(`[${h1.address}]:${h1.port} ${bed.tb.host(h1.name).hostKey}`);
    expect((await bed.rig(['plan', '--limit', 'h1', '--known-hosts', known])).code).toBe(2);
    await bed.tb.restartHost('h1', { newHostKey: true });
    const changed = await bed.rig(['plan', '--limit', 'h1', '--known-hosts', known, '--accept-new-host-keys']);
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(/changed/i);
  });

  it('a host that drops mid-run fails alone: the other finishes, the summary names it, exit 1', async () => {
    // the run's known_hosts has h1's new key from the test above (restartHost rewrote it)
    const r = await bed.rig(['deploy', '--playbook', 'playbooks/drop.yml', '--known-hosts', bed.tb.knownHostsPath]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/h2: (unreachable|failed)/);
    expect(r.out).toMatch(/deploy: 2 hosts, \d+ changes? made; ok=0 changed=1 failed=[01] unreachable=[01]/);
    expect(readFileSync(path.join(bed.host('h1').dataDir, 'drop', 'f.txt'), 'utf8')).toBe('written\n');
  });

  it('a command hanging in the facts exec fails its host at RIG_FACTS_TIMEOUT, naming the fact; the other deploys', async () => {
    const args = ['--playbook', 'playbooks/hang.yml', '--known-hosts', bed.tb.knownHostsPath];
    const env = { RIG_FACTS_TIMEOUT: '2' };
    const started = Date.now();
    const plan = await bed.rig(['plan', ...args], { env });
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(plan.code, plan.out).toBe(1);
    const why =
      "h2: reading the host's facts did not finish within 2 s (RIG_FACTS_TIMEOUT): fact command-checks was still running (a command of it hangs on the host)";
    expect(plan.out).toContain(why);
    expect(plan.out).toMatch(/h1: 2 changes/);
    const r = await bed.rig(['deploy', ...args], { env });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(why);
    expect(existsSync(path.join(bed.host('h1').dataDir, 'hang', 'done'))).toBe(true);
    expect(existsSync(path.join(bed.host('h2').dataDir, 'hang', 'done'))).toBe(false);
  });
});
