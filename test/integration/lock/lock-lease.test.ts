// The deploy lock as a lease on a real host: two racing deploys never both apply; a holder that is merely slow (a gate
// longer than its lease) keeps the lock by its heartbeat; a holder frozen past its lease (SIGSTOP) is taken over, and
// when it wakes (SIGCONT) its fence stops it before it changes anything more.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeBed } from '../../helpers/compose-bed.js';
import { deployedBed, holdDeployAt } from '../../helpers/crash.js';
import { FULL_MATRIX } from '../../helpers/crash-suite.js';
import { docker, inspectContainer, waitFor } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();
// short, but not so short that a loaded 2-core machine stalls a renewal past it (8 s was seen to)
const LEASE = 12;

type Event = { event: string; deployId: string; ts: string; [k: string]: unknown };

describe.skipIf(skip !== undefined)('the deploy lock is a lease', () => {
  let bed: ComposeBed;
  const vars = (foo: string, extra: Record<string, unknown> = {}) => ({
    rig_lock_lease: LEASE,
    stack_alpha_env: { FOO: foo, API_KEY: '{{ vault_api_key }}' },
    ...extra,
  });
  const set = (foo: string, extra: Record<string, unknown> = {}): void => bed.setVars(vars(foo, extra));

  beforeAll(async () => {
    bed = await deployedBed('lease', vars('start'));
  }, 300_000);
  afterAll(async () => {
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error((await bed.rig(['history'])).out);
  });

  async function events(since: string): Promise<Event[]> {
    return (JSON.parse((await bed.rig(['history', '--json'])).out) as Event[]).filter((e) => e.ts >= since);
  }

  /** Seconds since the lock file was last renewed, on the host clock; undefined when there is none. */
  async function lockAge(): Promise<number | undefined> {
    const r = await docker([
      'exec',
      bed.host.container,
      'sh',
      '-c',
      `m=$(stat -c %Y ${bed.stateDir}/lock) && echo $(( $(date +%s) - m ))`,
    ]);
    return r.code === 0 ? Number(r.stdout.trim()) : undefined;
  }

  it('two racing deploys: one applies, the other is refused or finds nothing left to do', async () => {
    set('race');
    const since = new Date().toISOString();
    const [a, b] = await Promise.all([bed.spawnRig(['deploy']), bed.spawnRig(['deploy'])]);
    const outs = [a, b].map((r) => `${String(r.stdout)}\n${String(r.stderr)}`);
    const applied = outs.filter((o) => /release \S+ recorded/.test(o));
    expect(applied, outs.join('\n----\n')).toHaveLength(1);
    const other = outs.find((o) => !/release \S+ recorded/.test(o)) ?? '';
    expect(other).toMatch(
      /deploy lock held by tester@|the host changed between the plan and taking the deploy lock|nothing to do/,
    );
    expect(
      (await events(since)).filter((e) => e.event === 'service.recreated' && e['service'] === 'alpha'),
    ).toHaveLength(1);
    expect((await bed.rig(['plan'])).code).toBe(0);
  });

  // a minute of waiting on purpose: in the full crash matrix (make test-crash), not in CI
  it.runIf(FULL_MATRIX)(
    `a slow holder (a ${LEASE * 2 + 6} s gate, a ${LEASE} s lease) keeps the lock: its heartbeat renews it`,
    async () => {
      set('slow', { stack_gamma: true, stack_slow_settle: LEASE * 2 + 6, stack_gate_timeout: 90 });
      const slow = bed.spawnRig(['deploy']);
      try {
        await waitFor(
          'gamma started (the slow gate runs)',
          async () => ((await inspectContainer(bed.container('gamma')))?.running ? true : undefined),
          120_000,
        );
      } catch (err) {
        slow.kill('SIGINT');
        const r = await slow;
        throw new Error(`${String(err)}; the deploy said:\n${String(r.stdout)}\n${String(r.stderr)}`, { cause: err });
      }
      const holding = Date.now();
      await new Promise((r) => setTimeout(r, (LEASE + 3) * 1000)); // past one whole lease: only renewals keep it
      const age = await lockAge();
      expect(age).toBeLessThanOrEqual(LEASE);
      const refused = await bed.rig(['deploy']);
      expect(refused.code).toBe(1);
      expect(refused.out).toMatch(
        new RegExp(
          `deploy lock held by tester@\\S+ \\(pid ${slow.pid}, .*; renewed \\d+s ago, lease ${LEASE}s\\): that deploy is running`,
        ),
      );
      const done = await slow;
      expect(done.exitCode, String(done.stdout)).toBe(0);
      expect(Date.now() - holding).toBeGreaterThan(LEASE * 1000);
      expect((await bed.rig(['plan'])).code).toBe(0);
    },
  );

  it('a holder frozen past its lease is taken over; woken up, its fence stops it before its next change', async () => {
    set('frozen');
    const since = new Date().toISOString();
    const held = await holdDeployAt(bed, 'after-files');
    const pid = held.child.pid as number;
    process.kill(pid, 'SIGSTOP');
    try {
      held.release();
      await waitFor(
        "the frozen holder's lease to expire",
        async () => (((await lockAge()) ?? 0) > LEASE + 1 ? true : undefined),
        60_000,
        500,
      );
      set('taker');
      const taker = await bed.rig(['deploy']);
      expect(taker.code, taker.out + taker.err).toBe(0);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const woke = await held.child;
    const out = `${String(woke.stdout)}\n${String(woke.stderr)}`;
    expect(woke.exitCode, out).toBe(1);
    expect(out).toMatch(
      /h1: the deploy lock (was taken over by another run|is gone \(broken by someone\?\)|'s lease expired .*): this run stops here and changes nothing more/,
    );
    expect((await inspectContainer(bed.container('alpha')))?.env).toContain('FOO=taker');
    const log = await events(since);
    const frozenId = log.find((e) => e.event === 'lock.lost')?.deployId;
    expect(frozenId).toBeDefined();
    expect(log.find((e) => e.event === 'lock.expired')).toMatchObject({
      reason: 'its lease expired',
      previous: { deployId: frozenId },
    });
    expect(log.filter((e) => e.event === 'service.recreated' && e.deployId === frozenId)).toEqual([]);
    expect((await bed.rig(['plan'])).code).toBe(0);
  });
});
