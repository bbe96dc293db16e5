// The shipped prod Headscale service against an image laid out like the real one (local/headscale-distroless-standin:1:
// no shell, no wget, the binary in /ko-app on PATH): its default probe passes rig's healthcheck-program pre-check where
// the old default (busybox timeout + wget) and any shell line are refused, and a deploy of it becomes healthy.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { healthProbeOf } from '../../../src/compose/health-probe.js';
import type { ServiceOp } from '../../../src/core/desired/op.js';
import { checkProbes } from '../../../src/apply/apply-probes.js';
import type { ServiceStep } from '../../../src/core/plan-data/plan-types.js';
import { sshConnector } from '../../../src/engine/fleet.js';
import {
  containerLogs,
  imageId,
  inspectContainer,
  removeContainers,
  removeNetworks,
} from '../../helpers/docker/index.js';
import { makeProject, REPO_ROOT } from '../../helpers/project.js';
import { loadShipped, shippedRepo } from '../../helpers/shipped-env.js';
import { testIo } from '../../helpers/test-io.js';
import { freePort, requireDocker, startHosts, type Testbed } from '../../helpers/testbed/index.js';

const IMAGE = 'local/headscale-distroless-standin:1';
const skip =
  (await requireDocker()) ?? ((await imageId(IMAGE)) ? undefined : `${IMAGE} missing (scripts/build-images.sh)`);
if (skip) console.warn(`SKIP headscale on a distroless image: ${skip}`);

describe.skipIf(skip !== undefined)('the shipped Headscale service on a distroless image', () => {
  let tb: Testbed;
  let prefix = '';
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const outputs: string[] = [];

  beforeAll(async () => {
    tb = await startHosts(1);
    prefix = tb.host('h1').composeProject.replace(/-/g, '_');
  }, 120_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
    }
    await tb?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    console.error(outputs.slice(-4).join('\n'));
    console.error(await containerLogs(`${prefix}_headscale`).catch((e: unknown) => String(e)));
    await tb.dumpLogs();
  });

  /** inventory/prod's headscale service, its image swapped for the stand-in, as the step a first deploy plans. */
  async function shippedStep(test?: string | string[]): Promise<ServiceStep> {
    const { rendered } = await loadShipped(shippedRepo(), 'prod');
    const op = (rendered.get('vpn-server') ?? [])
      .flatMap((r) => r.ops)
      .find((o): o is ServiceOp => o.kind === 'service' && o.name === 'headscale');
    if (!op?.spec.healthcheck) throw new Error('inventory/prod renders no headscale service with a healthcheck');
    const spec = {
      ...op.spec,
      image: IMAGE,
      healthcheck: { ...op.spec.healthcheck, ...(test === undefined ? {} : { test }) },
    };
    const probe = healthProbeOf(spec);
    const gate = { oneShot: false, timeoutSec: 60, settleSec: 5, healthcheck: true };
    return {
      kind: 'service',
      action: 'create',
      role: 'headscale',
      service: 'headscale',
      container: 'x',
      phase: 'infra',
      reasons: [],
      why: 'new service',
      fingerprint: '',
      gate,
      ...(probe ? { probe } : {}),
    };
  }

  async function precheck(steps: ServiceStep[]) {
    const h = tb.host('h1');
    const connect = await sshConnector({
      acceptNewHostKeys: false,
      env: { HOME: home },
      connectTimeoutSec: 10,
      repoKnownHosts: tb.knownHostsPath,
    });
    const t = await connect('h1', { host: h.address, port: h.port, user: 'root', sshKey: h.keyPath, become: false });
    try {
      return await checkProbes(t, steps, { become: false });
    } finally {
      await t.close();
    }
  }

  it('the default probe (headscale users list) is found at /ko-app/headscale; the old wget default and a shell line are refused', async () => {
    const shipped = await shippedStep();
    expect(shipped.probe).toEqual({ image: IMAGE, program: 'headscale' });
    expect((await precheck([shipped])).failures).toEqual([]);
    const looked = (p: string) =>
      ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin', '/ko-app']
        .map((d) => `${d}/${p}`)
        .join(', ');
    const old = await precheck([
      await shippedStep(['timeout', '3', 'wget', '-q', '-O-', 'http://127.0.0.1:8080/health']),
    ]);
    expect(old.failures.map((f) => f.message)).toEqual([
      `service headscale: its healthcheck runs "timeout", which image ${IMAGE} does not have (looked for ${looked('timeout')}): the container could never become healthy; give the service a healthcheck the image can run`,
    ]);
    const shell = await precheck([await shippedStep('wget -qO- http://127.0.0.1:8080/health')]);
    expect(shell.failures.map((f) => f.message)).toEqual([
      `service headscale: its healthcheck runs the shell of its CMD-SHELL test, which image ${IMAGE} does not have (looked for /bin/sh): the container could never become healthy; give the service a healthcheck the image can run`,
    ]);
  }, 60_000);

  it("deployed with inventory/prod's VPN host variables, it becomes healthy through its own CLI; the next plan is empty", async () => {
    const h = tb.host('h1');
    const vpn = parse(
      readFileSync(path.join(REPO_ROOT, 'inventory/prod/group_vars/vpn_servers.yml'), 'utf8'),
    ) as Record<string, unknown>;
    const vars = {
      ...vpn,
      project_name: h.composeProject,
      project_dir: `${h.dataDir}/vpn`,
      headscale_image: IMAGE,
      headscale_publish: `127.0.0.1:${await freePort()}`,
      headscale_health_timeout: 40,
    };
    const root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/host_vars/h1.yml': stringify(vars),
        'lint.yml':
          'images:\n  - image: local/headscale-distroless-standin\n    reason: a stand-in built locally by the tests\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [headscale]\n',
      },
      { roles: ['headscale'], asPackage: true },
    );
    const rig = async (args: string[]) => {
      const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
      const code = await main([...args, '--env', 'test'], io);
      outputs.push(io.outText(), io.errText());
      return { code, out: io.outText() };
    };
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ headscale healthy/);
    expect((await inspectContainer(`${prefix}_headscale`))?.health).toBe('healthy');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
  }, 180_000);
});
