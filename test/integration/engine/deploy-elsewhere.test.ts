// A deploy repository kept apart from rig's checkout: a copy of this repository's roles and smoke checks in a temp
// dir (no package.json, no node_modules), with an inventory and a playbook for one real target host, planned,
// deployed and smoke-tested by the built CLI with `--root <copy>` from another directory.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { docker, inspectContainer, removeContainers, removeNetworks } from '../../helpers/docker/index.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { freePort, requireImages, startHosts, type Testbed } from '../../helpers/testbed/index.js';
import { buildCli } from '../../helpers/build-cli.js';

const IMAGE = 'local/caddy:2.6-rig';
const skip = await requireImages('deploy from elsewhere', ['rig/target:1', IMAGE], 'scripts/build-images.sh');
const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');

describe.skipIf(skip !== undefined)('a deploy repository outside the checkout (rig --root)', () => {
  let tb: Testbed;
  let copy: string;
  let prefix: string;
  const outputs: string[] = [];
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  /** The built CLI, run from a directory that is neither the checkout nor the copy. */
  async function rig(args: string[]) {
    const r = await execa(process.execPath, [BIN, ...args, '--root', copy, '--env', 'test'], {
      cwd: home,
      reject: false,
      stdin: 'ignore',
      env: { HOME: home, USER: 'tester', RIG_ENV: undefined },
      extendEnv: true,
    });
    outputs.push(`$ rig ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  beforeAll(async () => {
    await buildCli();
    tb = await startHosts(1);
    const host = tb.host('h1');
    prefix = host.composeProject.replace(/-/g, '_');
    copy = mkdtempSync(path.join(os.tmpdir(), 'rig-deploy-repo-'));
    for (const dir of ['roles', 'smoke-tests']) {
      cpSync(path.join(REPO_ROOT, dir), path.join(copy, dir), { recursive: true });
    }
    const login = { ansible_host: host.address, ansible_port: host.port, ansible_user: 'root' };
    const key = { ansible_ssh_private_key_file: host.keyPath };
    const respond = { name: 'respond', args: ['hello', '200'] };
    const vhost = { host: 'www.rig.test', upstream: 'web:8080', vpn_only: false, directives: [respond] };
    const files: Record<string, string> = {
      'inventory/test/hosts.yml': stringify({ all: { children: { web: { hosts: { h1: { ...login, ...key } } } } } }),
      'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
      'inventory/test/host_vars/h1.yml': stringify({
        project_name: host.composeProject,
        project_dir: `${host.dataDir}/proj`,
        caddy_image: IMAGE,
        caddy_http_publish: `127.0.0.1:${await freePort()}`,
        caddy_https_publish: '',
        caddy_vhosts: [vhost],
      }),
      'lint.yml': 'images:\n  - image: local/caddy\n    reason: built locally by scripts/images/caddy.sh\n',
      'playbooks/site.yml': '- hosts: web\n  roles: [caddy]\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(copy, rel)), { recursive: true });
      writeFileSync(path.join(copy, rel), text);
    }
  }, 300_000);
  afterAll(async () => {
    if (!tb) return;
    await removeContainers(prefix);
    await removeNetworks(prefix);
    await tb.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    console.error(outputs.slice(-3).join('\n'));
    await tb.dumpLogs();
  });

  it('plans, deploys, plans nothing, and smoke-tests from the copy', async () => {
    expect(existsSync(path.join(copy, 'package.json')) || existsSync(path.join(copy, 'node_modules'))).toBe(false);
    expect(path.relative(REPO_ROOT, copy).startsWith('..')).toBe(true);

    const plan = await rig(['plan']);
    expect(plan.stderr).toBe('');
    expect(plan.exitCode).toBe(2);
    expect(plan.stdout).toContain('+ create caddy: new service  [caddy]');

    const deploy = await rig(['deploy']);
    expect(deploy.stderr).toBe('');
    expect(deploy.exitCode).toBe(0);
    expect((await inspectContainer(`${prefix}_caddy`))?.health).toBe('healthy');

    const again = await rig(['plan']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('h1: nothing to do');

    // every check of the repository loads from the copy (rig's parsers come from `rig`); services-healthy runs on h1
    const smoke = await rig(['smoke']);
    expect(smoke.stderr).toBe('');
    expect(smoke.exitCode).toBe(0);
    expect(smoke.stdout).toMatch(/^PASS {2}services-healthy +h1 /m);
    expect(existsSync(path.join(copy, '.rig', 'build'))).toBe(false);
    expect((await docker(['inspect', '-f', '{{.State.Running}}', `${prefix}_caddy`])).stdout.trim()).toBe('true');
  });
});
