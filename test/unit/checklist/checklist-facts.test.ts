// The checklist's host facts judged on recorded outputs: headroom (df + /proc/meminfo), the deploy lock, the releases,
// the plan.
import { describe, expect, it } from 'vitest';
import { headroomThresholds, judgeHeadroom } from '../../../src/checklist/host/headroom-fact.js';
import { headroomCmd, parseHeadroom } from '../../../src/facts/host/headroom.js';
import { lockFinding, planFinding, releasesFinding } from '../../../src/checklist/host/host-findings.js';
import { display } from '../../../src/core/cmd/render.js';
import { judgeLock } from '../../../src/lock/lock.js';
import { parseReleaseList } from '../../../src/release/release-store.js';
import type { HostPlan } from '../../../src/core/plan-data/plan-types.js';
import { load, makeProject, sampleFiles } from '../../helpers/project.js';

// Recorded on Debian 12 (this repository's test machine), for a project dir that does not exist yet.
const RECORDED = `path /opt
/dev/vda         264212084 28261944  78128968      27% /
MemTotal:       24683584 kB
MemAvailable:   22903408 kB
`;

describe('headroom fact', () => {
  it('is one command: the nearest existing parent of the project dir, df -P on it, two lines of /proc/meminfo', () => {
    const shown = display(headroomCmd('/opt/rig'));
    expect(shown).toContain('while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done');
    expect(shown).toContain('df -Pk -- "$p" | tail -n 1\n');
    expect(shown).toContain('/proc/meminfo');
    expect(shown.endsWith("' sh /opt/rig")).toBe(true);
  });

  it('parses the recorded output: free = available / (used + available), as df counts Capacity', () => {
    const h = parseHeadroom(RECORDED);
    expect(h).toMatchObject({ path: '/opt', mount: '/' });
    expect(h.diskFreePct).toBeCloseTo((100 * 78128968) / (28261944 + 78128968), 6);
    expect(Math.round(h.diskAvailableMb)).toBe(76298);
    expect(Math.round(h.memAvailableMb)).toBe(22367);
    expect(Math.round(h.memTotalMb)).toBe(24105);
  });

  it('keeps a mount point with spaces whole, and refuses output it does not know', () => {
    expect(parseHeadroom(RECORDED.replace('27% /', '27% /mnt/my disk')).mount).toBe('/mnt/my disk');
    expect(() => parseHeadroom('path /opt\ndf: /opt: Permission denied\n')).toThrow(
      /^unexpected output of the headroom probe: /,
    );
    expect(() => parseHeadroom(RECORDED.replace(/MemAvailable.*\n/, ''))).toThrow(/unexpected output/);
  });

  it.each([
    [
      15,
      512,
      'pass',
      [
        '73.4% free on / (/opt: 74.5 GB available; threshold 15%)',
        '22367 MB memory available of 24105 MB (threshold 512 MB)',
      ],
    ],
    [
      100,
      512,
      'warn',
      [
        'low disk: 73.4% free on / (/opt: 74.5 GB available; threshold 100%)',
        '22367 MB memory available of 24105 MB (threshold 512 MB)',
      ],
    ],
    [
      15,
      30000,
      'warn',
      [
        'low memory: 22367 MB memory available of 24105 MB (threshold 30000 MB)',
        '73.4% free on / (/opt: 74.5 GB available; threshold 15%)',
      ],
    ],
  ])('disk threshold %d%%, memory %d MB → %s (below a threshold is advisory)', (disk, mem, status, evidence) => {
    expect(judgeHeadroom(parseHeadroom(RECORDED), { minDiskFreePct: disk, minMemAvailableMb: mem })).toEqual({
      status,
      evidence,
    });
  });

  it('thresholds come from the inventory, with defaults; a bad value is reported at its file:line:col', async () => {
    const host = async (extra: string) =>
      [...(await load(makeProject(sampleFiles({ 'inventory/test/group_vars/app.yml': extra })))).hosts.values()][0]!;
    expect(headroomThresholds(await host('sample_port: 80\n'))).toEqual({ minDiskFreePct: 15, minMemAvailableMb: 512 });
    expect(
      headroomThresholds(await host('rig_checklist_min_disk_free_pct: 30\nrig_checklist_min_mem_available_mb: 2048\n')),
    ).toEqual({ minDiskFreePct: 30, minMemAvailableMb: 2048 });
    const h = await host('sample_port: 80\nrig_checklist_min_disk_free_pct: "15%"\n');
    const bad = headroomThresholds(h, String(h.vars.get('rig_root')?.value));
    expect('error' in bad && bad.error).toMatch(
      /^inventory\/test\/group_vars\/app\.yml:2:34: rig_checklist_min_disk_free_pct: expected a number from 0 to 100, got "15%"$/,
    );
  });
});

const ALICE = {
  user: 'alice',
  workstation: 'laptop',
  pid: 4242,
  command: 'rig deploy --env prod',
  startedAt: '2026-12-01T07:10:00Z',
  ttlSec: 1800,
  token: 'f'.repeat(32),
};

describe('deploy lock finding (read, never taken)', () => {
  it('no lock passes, a live lock blocks, a stale one is advisory and names its holder', () => {
    expect(lockFinding('h1', '/opt/p/.rig', undefined)).toEqual({
      status: 'pass',
      evidence: ['no deploy lock (/opt/p/.rig/lock)'],
    });
    expect(lockFinding('h1', '/opt/p/.rig', judgeLock(JSON.stringify(ALICE), 192))).toEqual({
      status: 'fail',
      evidence: [
        'deploy lock held by alice@laptop (pid 4242, "rig deploy --env prod", since 2026-12-01T07:10:00Z, 3m12s ago, by an earlier rig version; expires in 26m48s): wait for that deploy and retry; if it is gone, rerun with --break-lock to break it now (it shows the holder and asks first; --yes in scripts)',
      ],
    });
    expect(lockFinding('h1', '/opt/p/.rig', judgeLock(JSON.stringify(ALICE), 3600))).toEqual({
      status: 'warn',
      evidence: [
        'expired deploy lock held by alice@laptop (pid 4242, "rig deploy --env prod", since 2026-12-01T07:10:00Z; not renewed for 1h00m, lease 30m00s): the next deploy takes it over',
      ],
    });
    expect(lockFinding('h1', '/opt/p/.rig', { error: 'h1: the deploy lock could not be read (exit 2)' }).status).toBe(
      'fail',
    );
  });
});

const release = (id: string, kind: 'deploy' | 'rollback' = 'deploy') =>
  JSON.stringify({
    version: 1,
    id,
    createdAt: '2026-12-01T07:15:00Z',
    env: 'prod',
    host: 'h1',
    user: 'alice',
    workstation: 'laptop',
    git: null,
    planHash: 'x',
    kind,
    project: 'p',
    projectDir: '/opt/p',
    files: [],
    dirs: [],
    services: [],
    networks: [],
  });

describe('rollback finding', () => {
  it('the current release is what a rollback after the upgrade returns to; older ones are listed', () => {
    const list = parseReleaseList(
      `20261201T071500Z-ab12\n${release('20261201T071500Z-ab12')}\n${release('20261130T071500Z-cd34')}\n`,
    );
    expect(releasesFinding(list)).toEqual({
      status: 'pass',
      evidence: [
        'rollback returns to 20261201T071500Z-ab12 (current: deploy of 2026-12-01T07:15:00Z by alice, 0 services)',
        'older releases kept: 20261130T071500Z-cd34',
      ],
      current: '20261201T071500Z-ab12',
      count: 2,
    });
  });

  it('a host never deployed to (no state dir: empty output), or without a current release, has nothing to roll back to', () => {
    expect(releasesFinding(parseReleaseList(''))).toMatchObject({
      status: 'fail',
      evidence: [
        'no release is recorded (never deployed with rig?): a failed upgrade would have nothing to roll back to',
      ],
      current: null,
    });
    expect(releasesFinding(parseReleaseList(`\n${release('20261130T071500Z-cd34')}\n`))).toMatchObject({
      status: 'fail',
      evidence: ['1 release kept but none is current: a failed upgrade would have nothing to roll back to'],
    });
  });
});

describe('upgrade plan finding', () => {
  const gate = { timeoutSec: 60, settleSec: 0, oneShot: false, healthcheck: true };
  const plan: HostPlan = {
    host: 'h1',
    observed: 'x',
    steps: [
      { kind: 'pull', role: 'openclaw', why: 'not on the host', image: 'r/oc:2@sha256:aa' },
      {
        kind: 'write',
        role: 'compose',
        why: 'content changed',
        path: '/opt/p/compose.apps.yml',
        change: { kind: 'update', before: 'a', after: 'b', sensitive: false } as never,
        notify: [],
      },
      {
        kind: 'service',
        role: 'openclaw',
        why: 'image changed',
        action: 'recreate',
        service: 'openclaw',
        container: 'p_openclaw',
        phase: 'apps',
        reasons: ['image r/oc:1 → r/oc:2'],
        fingerprint: 'f',
        gate,
      },
      {
        kind: 'service',
        role: 'caddy',
        why: 'reload',
        action: 'reload',
        service: 'caddy',
        container: 'p_caddy',
        phase: 'infra',
        reasons: ['Caddyfile changed'],
        fingerprint: 'g',
        gate,
      },
    ],
  };

  it('lists exactly the services touched, recreated ones in the headline, with the plan reasons and the other steps', () => {
    expect(planFinding(plan)).toEqual({
      status: 'pass',
      evidence: [
        'recreates openclaw, and 2 other steps',
        'recreate openclaw: image r/oc:1 → r/oc:2',
        'reload caddy: Caddyfile changed',
        'pull r/oc:2@sha256:aa: not on the host',
        'write /opt/p/compose.apps.yml: content changed',
      ],
      services: [
        { service: 'openclaw', action: 'recreate', reasons: ['image r/oc:1 → r/oc:2'] },
        { service: 'caddy', action: 'reload', reasons: ['Caddyfile changed'] },
      ],
      otherSteps: 2,
    });
    expect(planFinding({ ...plan, steps: [] }).evidence).toEqual(['no service changes']);
    expect(planFinding({ ...plan, steps: plan.steps.slice(3) }).evidence[0]).toBe('touches caddy (reload)');
  });
});
