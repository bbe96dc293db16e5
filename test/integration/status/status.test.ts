// `rig status` on a real host: never deployed (2), a healthy stack (0, one exec, nothing written, no lock), a stopped
// service (2), a host whose deploy lock is held (live: shown, stale: 2), an unreachable host (1).
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock, newLockInfo, releaseLock } from '../../../src/lock/lock.js';
import { sshConnector } from '../../../src/engine/fleet.js';
import { startComposeBed, type ComposeBed } from '../../helpers/compose-bed.js';
import { dockerOk } from '../../helpers/docker/index.js';
import { pushImage } from '../../helpers/registry/index.js';
import { requireDocker, startRegistry } from '../../helpers/testbed/index.js';

const skip = await requireDocker();

interface StatusJson {
  exitCode: number;
  hosts: {
    host: string;
    status: string;
    execs: number;
    compose?: { flavor: string; version: string; cli: string };
    release?: { id: string; user: string; kind: string };
    lock?: { stale: boolean; holder?: { user: string; command: string }; message: string };
    services: {
      service: string;
      state: string;
      healthy: boolean;
      exitCode?: number;
      uptimeSec?: number;
      inRelease: boolean;
      image: { ref?: string; id?: string; lock: string };
    }[];
  }[];
}

describe.skipIf(skip !== undefined)('rig status on a real host', () => {
  let bed: ComposeBed;
  const onHost = (script: string) => dockerOk(['exec', bed.host.container, 'sh', '-c', script]);
  const tree = () => onHost(`find ${bed.host.dataDir}/proj -printf '%p %s %m %T@\\n' | sort`);
  const status = async (args: string[] = []) => {
    const before = await tree();
    const r = await bed.rig(['status', ...args]);
    expect(await tree()).toBe(before);
    return r;
  };
  const json = async () => {
    const r = await status(['--json']);
    return { code: r.code, report: JSON.parse(r.out) as StatusJson };
  };
  const connect = async () =>
    (
      await sshConnector({
        acceptNewHostKeys: false,
        env: { HOME: os.tmpdir() },
        connectTimeoutSec: 10,
        repoKnownHosts: bed.tb.knownHostsPath,
      })
    )('h1', {
      host: bed.host.address,
      port: bed.host.port,
      user: 'root',
      sshKey: bed.host.keyPath,
      become: false,
    });

  beforeAll(async () => {
    bed = await startComposeBed('status');
  }, 180_000);
  afterAll(async () => {
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bed.tb.dumpLogs();
  });

  it('a host rig never deployed: no release, exit 2', async () => {
    const r = await status();
    expect(r.code).toBe(2);
    expect(r.out).toContain('h1: no release: never deployed by rig\n  no containers of the project\n');
    expect(r.out).toContain('status: env test: 1 host, 0 services: 0 healthy, 0 not; never deployed: h1');
  });

  it('a healthy stack: every service healthy with uptime, image and the release with who deployed it; exit 0 in one exec', async () => {
    expect((await bed.rig(['deploy'])).code).toBe(0);
    const r = await status();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^h1: release \d{8}T\d{6}Z-[0-9a-f]{4} \(deploy by tester@.+, \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
    expect(r.out).toMatch(/^ {2}SERVICE +STATE +UPTIME +RESTARTS +IMAGE +DIGEST +LOCK$/m);
    expect(r.out).toMatch(new RegExp(`^ {2}alpha +healthy +\\d+s +0 +${bed.images.alpha} +- +unpinned$`, 'm'));
    expect(r.out).toMatch(new RegExp(`^ {2}beta +healthy +\\d+s +0 +${bed.images.beta} +- +unpinned$`, 'm'));
    expect(r.out).toContain('status: env test: 1 host, 2 services: 2 healthy, 0 not');
    const { code, report } = await json();
    expect(code).toBe(0);
    const [h] = report.hosts;
    expect(h).toMatchObject({ host: 'h1', status: 'healthy', execs: 1, release: { user: 'tester', kind: 'deploy' } });
    // the compose the host runs, read in the same exec (the demo's summary line prints it)
    expect(h?.compose).toMatchObject({ flavor: bed.compose, version: bed.compose === 'v2' ? '2.26.1-4' : '1.29.2' });
    expect(h?.lock).toBeUndefined();
    expect(h?.services.map((s) => [s.service, s.state, s.healthy, s.inRelease])).toEqual([
      ['alpha', 'healthy', true, true],
      ['beta', 'healthy', true, true],
    ]);
    expect(h?.services[0]?.image).toMatchObject({ ref: bed.images.alpha, lock: 'unpinned' });
    expect(h?.services[0]?.image.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    // no lock taken, no journal line
    expect((await bed.rig(['history', '--json'])).out).not.toContain('status');
  });

  it('a stopped service: exited with its code, named in the summary; exit 2', async () => {
    await dockerOk(['stop', '-t', '1', bed.container('beta')]);
    const r = await status();
    expect(r.code).toBe(2);
    expect(r.out).toMatch(new RegExp(`^ {2}beta +exited \\d+ +- +0 +${bed.images.beta} `, 'm'));
    expect(r.out).toContain('status: env test: 1 host, 2 services: 1 healthy, 1 not (beta on h1)');
    const { report } = await json();
    expect(report.hosts[0]?.status).toBe('unhealthy');
    expect(report.hosts[0]?.services[1]).toMatchObject({ service: 'beta', state: 'exited', healthy: false });
    await dockerOk(['start', bed.container('beta')]);
  });

  it('a locked host: a live lock is shown with its holder (a deploy in progress, not a failure); a stale one is exit 2', async () => {
    // wait for beta to be healthy again after its restart
    const deadline = Date.now() + 60_000;
    for (let r = await bed.rig(['status']); r.code !== 0; r = await bed.rig(['status'])) {
      if (Date.now() > deadline) throw new Error(`beta did not become healthy again within 60 s:\n${r.out}${r.err}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const t = await connect();
    try {
      const held = await acquireLock(t, bed.stateDir, newLockInfo('rig deploy --env test', 1800, { USER: 'alice' }));
      const r = await status();
      expect(r.code).toBe(0);
      expect(r.out).toMatch(
        /^ {2}~ h1: deploy lock held by alice@.+ \(pid \d+, "rig deploy --env test", since .+; renewed \d+s ago, lease 30m00s\): that deploy is running/m,
      );
      expect(r.out).toContain('; locked: h1');
      const { report } = await json();
      expect(report.hosts[0]?.lock).toMatchObject({
        stale: false,
        holder: { user: 'alice', command: 'rig deploy --env test' },
      });
      expect(JSON.stringify(report)).not.toContain(held.info.token);
      utimesSync(`${bed.stateDir}/lock`, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      const stale = await status();
      expect(stale.code).toBe(2);
      expect(stale.out).toMatch(
        /^ {2}! h1: expired deploy lock held by alice@.+ not renewed for 1h00m, lease 30m00s\): the next deploy takes it over$/m,
      );
      expect(stale.out).toContain('; locked: h1 (stale)');
      expect(await releaseLock(t, held)).toBe('released');
    } finally {
      await t.close();
    }
  });

  it('images pulled from a registry by the pinned digest: "= lock"; a lock pinning another digest: "≠ lock"', async () => {
    const reg = await startRegistry();
    try {
      const ref = (name: string) => `${reg.host}/rigtest-status/${name}:1`;
      const alphaDigest = await pushImage('local/rig-svc:1', reg.host, 'rigtest-status/alpha:1');
      await pushImage('local/rig-svc:1', reg.host, 'rigtest-status/beta:1');
      bed.setVars({ stack_alpha_image: ref('alpha'), stack_beta_image: ref('beta') });
      const allow = (name: string) => `  - image: ${reg.host}/rigtest-status/${name}\n    reason: test registry\n`;
      writeFileSync(path.join(bed.root, 'lint.yml'), `images:\n${allow('alpha')}${allow('beta')}`);
      expect((await bed.rig(['pin'])).code).toBe(0);
      expect((await bed.rig(['deploy'])).code).toBe(0);
      const r = await status();
      expect(r.code).toBe(0);
      const short = alphaDigest.slice(7, 19);
      expect(r.out).toMatch(new RegExp(`^ {2}alpha +healthy +\\S+ +0 +${ref('alpha')} +sha256:${short} += lock$`, 'm'));
      // the lock now pins another digest for the tag: a pin not deployed yet
      const lockFile = path.join(bed.root, 'inventory/test/images.lock.yml');
      writeFileSync(lockFile, readFileSync(lockFile, 'utf8').replaceAll(alphaDigest, `sha256:${'e'.repeat(64)}`));
      const moved = await status(['--json']);
      const alpha = (JSON.parse(moved.out) as StatusJson).hosts[0]?.services.find((x) => x.service === 'alpha');
      expect(alpha?.image).toMatchObject({ ref: ref('alpha'), lock: 'differs' });
      const text = (await status()).out;
      expect(text).toMatch(
        new RegExp(`^ {2}alpha +healthy +\\S+ +0 +${ref('alpha')} +sha256:${short} +≠ lock sha256:e{12}$`, 'm'),
      );
      expect(text).not.toContain('= lock');
    } finally {
      await reg.stop();
    }
  });

  it('an unreachable host: exit 1 with the reason', async () => {
    await bed.tb.stopHost('h1');
    try {
      const r = await bed.rig(['status']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^h1: error: h1: unreachable: /m);
      expect(r.out).toContain('1 not read');
    } finally {
      await bed.tb.startHost('h1');
    }
  });
});
