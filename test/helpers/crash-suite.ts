// The crash matrix on one Compose flavor: a recreate deploy (beta in infra, alpha in apps) interrupted at each stage by
// SIGINT, SIGTERM, SIGKILL of rig or a cut connection; after each, without a manual step, the stack runs within 45 s,
// a plain deploy finishes the work, the next plan is empty, everything is healthy and the journal tells the story.
// CI runs `CI_CASES`; RIG_CRASH_MATRIX=full (make test-crash) runs every signal × stage.
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { composeUpByHand, type ComposeBed } from './compose-bed.js';
import { allRunning, deployedBed, holdDeployAt, interrupt, STAGES, type Interrupt, type Stage } from './crash.js';
import { docker, inspectContainer, waitFor } from './docker/index.js';
import { freePort } from './testbed/index.js';

const INTERRUPTS: readonly Interrupt[] = ['SIGINT', 'SIGINTx2', 'SIGTERM', 'SIGKILL', 'cut'];
type Case = readonly [Interrupt, Stage];

/** Journal events as `rig history --json` prints them. */
type Event = { event: string; deployId: string; ts: string; [k: string]: unknown };

/** `make test-crash`: every case; `make test` (CI, 20 min on 2 cores for everything) runs a subset. */
export const FULL_MATRIX = process.env['RIG_CRASH_MATRIX'] === 'full';

/** The cases of a flavor: all of them with RIG_CRASH_MATRIX=full, else the CI subset given. */
function casesOf(ci: readonly Case[]): readonly Case[] {
  if (!FULL_MATRIX) return ci;
  return INTERRUPTS.flatMap((how) => STAGES.map((stage) => [how, stage] as const));
}

const vars = (n: number) => ({
  stack_alpha_env: { FOO: `v${n}`, API_KEY: '{{ vault_api_key }}' },
  stack_beta_env: { X: `${n}` },
});

/** Defines the suite for `flavor`; `ci` are the cases `make test` runs (and the failed `up` when `ciFailedUp`). */
export function crashSuite(
  flavor: 'v1' | 'v2',
  ci: readonly Case[],
  skip: string | undefined,
  ciFailedUp: boolean,
): void {
  describe.skipIf(skip !== undefined)(`crash-safe deploys on Compose ${flavor}`, () => {
    let bed: ComposeBed;
    let n = 0;

    beforeAll(async () => {
      bed = await deployedBed(`crash${flavor}`, vars(n), flavor);
    }, 300_000);
    afterAll(async () => {
      await bed?.stop();
    });
    afterEach(async (ctx) => {
      if (ctx.task.result?.state !== 'fail') return;
      await bed.tb.dumpLogs();
      console.error((await bed.rig(['history'])).out);
    });

    for (const [how, stage] of casesOf(ci)) {
      it(`${how} at ${stage}: running within 45 s, the next deploy finishes the work, then nothing to do`, async () => {
        n++;
        bed.setVars(vars(n));
        const since = new Date().toISOString();
        const held = await holdDeployAt(bed, stage);
        const cut = await interrupt(bed, held, how);
        console.log(`[crash ${flavor}] ${how} at ${stage}: rig said:\n${cut.out}`);
        if (how === 'SIGKILL') expect(cut.signal, cut.out).toBe('SIGKILL');
        else expect(cut.exitCode, cut.out).toBe(how === 'cut' ? 1 : 130);
        if (how === 'SIGINTx2') expect(cut.out).not.toMatch(/deploy: 1 host/); // gone at once: no summary
        const ms = await allRunning(bed, ['alpha', 'beta'], 45_000);
        console.log(`[crash ${flavor}] ${how} at ${stage}: both services running ${ms} ms after rig ended`);

        const plan = await bed.rig(['plan']);
        expect(plan.code, plan.out).toBe(2);
        if (stage !== 'before-files')
          expect(plan.out).toMatch(/! last deploy [0-9a-f]{12} by tester@\S+ was interrupted /);
        const again = await bed.rig(['deploy']);
        expect(again.code, again.out + again.err).toBe(0);
        expect(again.out).toMatch(/✓ beta healthy/);
        expect(again.out).toMatch(/✓ alpha healthy/);
        const after = await bed.rig(['plan']);
        expect(after.code, after.out).toBe(0);
        for (const s of ['alpha', 'beta'] as const)
          expect((await inspectContainer(bed.container(s)))?.health).toBe('healthy');
        expect((await inspectContainer(bed.container('alpha')))?.env).toContain(`FOO=v${n}`);
        await expectHistory(bed, since, how, stage);
      });
    }

    it.runIf(FULL_MATRIX || ciFailedUp)(
      'a failed `up` (host port taken) is rolled back: the previous containers run, the files are as before',
      async () => {
        const before = await snapshot(bed);
        const port = await freePort();
        const taken = await listen(port);
        try {
          bed.setVars({
            ...vars(n),
            stack_alpha_env: { FOO: 'port-taken', API_KEY: '{{ vault_api_key }}' },
            stack_alpha_ports: [`127.0.0.1:${port}:8080`],
          });
          const r = await bed.rig(['deploy']);
          expect(r.code, r.out).toBe(1);
          expect(r.out).toMatch(/compose up of alpha failed \(exit \d+\)/);
          expect(r.out).toMatch(/rolled back to release \d{8}T\d{6}Z-[0-9a-f]{4}/);
          await allRunning(bed, ['alpha', 'beta'], 45_000);
          expect(await snapshot(bed)).toEqual(before);
          const events = await history(bed);
          expect(events.some((e) => e.event === 'compose.failed')).toBe(true);
          expect(events.findLast((e) => e.event === 'rollback.finished')).toMatchObject({ ok: true });
        } finally {
          taken.close();
        }
        bed.setVars(vars(n));
        expect((await bed.rig(['deploy'])).code).toBe(0);
        expect((await bed.rig(['plan'])).code).toBe(0);
      },
    );

    it.runIf(FULL_MATRIX || ciFailedUp)(
      'a drift repair killed after writing the env file back: the next deploy still recreates the container that ran the hand copy',
      async () => {
        bed.setVars(vars(n));
        const env = `${bed.host.dataDir}/proj/cfg/alpha.env`;
        await docker(['exec', bed.host.container, 'sed', '-i', 's/^FOO=.*$/FOO=by-hand/', env]);
        await composeUpByHand(bed, 'alpha');
        await allRunning(bed, ['alpha'], 45_000);
        expect((await inspectContainer(bed.container('alpha')))?.env).toContain('FOO=by-hand');
        const plan = await bed.rig(['plan']);
        expect(plan.out).toMatch(/~ recreate alpha: env alpha\.env changed on the host, then the container started/);
        // killed once the env file is written back: the host's copy is rig's again, the container still runs FOO=by-hand
        await interrupt(bed, await holdDeployAt(bed, 'after-files'), 'SIGKILL');
        expect((await inspectContainer(bed.container('alpha')))?.env).toContain('FOO=by-hand');
        const next = await bed.rig(['plan']);
        expect(next.out).toMatch(/~ recreate alpha: deploy [0-9a-f]{12} did not finish its recreate of this container/);
        const r = await bed.rig(['deploy']);
        expect(r.code, r.out).toBe(0);
        expect((await inspectContainer(bed.container('alpha')))?.env).toContain(`FOO=v${n}`);
        expect((await bed.rig(['plan'])).code).toBe(0);
      },
    );

    for (const how of ['SIGKILL', 'SIGINT', 'cut'] as const)
      it.runIf(FULL_MATRIX)(
        `${how} during the automatic rollback (files back, the failed container still up): the next deploy rolls back again, the fix deploys`,
        async () => {
          n++;
          bed.setVars(vars(n));
          expect((await bed.rig(['deploy'])).code).toBe(0);
          const before = await snapshot(bed);
          const bad = { FOO: 'bad', SVC_UNHEALTHY: '1', API_KEY: '{{ vault_api_key }}' };
          bed.setVars({ ...vars(n), stack_alpha_env: bad });
          const cut = await interrupt(bed, await holdDeployAt(bed, 'during-rollback'), how);
          console.log(`[crash ${flavor}] ${how} during the rollback: rig said:\n${cut.out}`);
          if (how === 'SIGKILL') expect(cut.signal, cut.out).toBe('SIGKILL');
          else expect(cut.exitCode, cut.out).not.toBe(0);
          const plan = await bed.rig(['plan']);
          expect(plan.code, plan.out).toBe(2);
          // the repository still asks for the failing env: the deploy recreates it, its gate fails, it rolls back
          const again = await bed.rig(['deploy']);
          expect(again.code, again.out).toBe(1);
          expect(again.out).toMatch(/health gate failed: alpha unhealthy; rolled back to release/);
          await allRunning(bed, ['alpha', 'beta'], 45_000);
          expect(await snapshot(bed)).toEqual(before);
          bed.setVars(vars(n));
          const fixed = await bed.rig(['plan']);
          expect(fixed.code, fixed.out).toBe(0);
          n++;
          bed.setVars(vars(n));
          const r = await bed.rig(['deploy']);
          expect(r.code, r.out).toBe(0);
          expect((await inspectContainer(bed.container('alpha')))?.env).toContain(`FOO=v${n}`);
          expect((await bed.rig(['plan'])).code).toBe(0);
        },
      );

    it.runIf(FULL_MATRIX || ciFailedUp)(
      'a container the killed run recreated changes health between the plan and the lock: the deploy goes on',
      async () => {
        // only alpha changes: the killed run recreates it, and dies in its health gate (not in any release yet)
        n++;
        const onlyAlpha = { ...vars(n), stack_beta_env: vars(n - 1).stack_beta_env };
        bed.setVars(onlyAlpha);
        await interrupt(bed, await holdDeployAt(bed, 'during-gate'), 'SIGKILL');
        await allRunning(bed, ['alpha', 'beta'], 45_000);
        const flag = `${bed.host.dataDir}/proj/cfg/alpha/unhealthy`;
        const alphaHealth = (want: string) =>
          waitFor(
            `alpha ${want}`,
            async () => ((await inspectContainer(bed.container('alpha')))?.health === want ? true : undefined),
            60_000,
            200,
          );
        await docker(['exec', bed.host.container, 'touch', flag]);
        await alphaHealth('unhealthy');
        // the plan shown gates alpha as `health unhealthy`; under the lock it is healthy again: `not in the current
        // release`
        const next = await holdDeployAt(bed, 'before-lock');
        await docker(['exec', bed.host.container, 'rm', '-f', flag]);
        await alphaHealth('healthy');
        next.release();
        const r = await next.child;
        const out = `${String(r.stdout)}\n${String(r.stderr)}`;
        expect(r.exitCode, out).toBe(0);
        expect(out).toMatch(/✓ alpha healthy/);
        expect((await bed.rig(['plan'])).code).toBe(0);
        bed.setVars(vars(n));
        expect((await bed.rig(['deploy'])).code).toBe(0);
      },
    );
  });
}

/** What `rig history` must tell: how the interrupted run ended (or that the next one found it so), and the resume. */
async function expectHistory(bed: ComposeBed, since: string, how: Interrupt, stage: Stage): Promise<void> {
  const events = (await history(bed)).filter((e) => e.ts >= since);
  const last = events.findLast((e) => e.event === 'deploy.finished') as Event;
  const first = events.find((e) => e.deployId !== last.deployId && e.event === 'deploy.started');
  if (how === 'SIGINT' || how === 'SIGTERM')
    expect(events.find((e) => e.event === 'deploy.interrupted' && e.deployId === first?.deployId)).toBeDefined();
  if (how === 'cut')
    expect(
      events.find((e) => e.event === 'deploy.failed' && e.deployId === first?.deployId),
      'rig reconnects to journal and unlock',
    ).toBeDefined();
  if (how === 'SIGKILL' || how === 'SIGINTx2')
    expect(events.find((e) => e.event === 'lock.expired' && e.deployId === last.deployId)).toMatchObject({
      reason: 'its process is gone (this workstation)',
    });
  else expect(events.find((e) => e.event === 'lock.expired')).toBeUndefined();
  if (stage !== 'before-files') {
    const interrupted =
      first?.deployId ??
      (events.find((e) => e.event === 'lock.expired') as { previous: { deployId: string } } | undefined)?.previous
        .deployId;
    expect(events.find((e) => e.event === 'deploy.resumed' && e.deployId === last.deployId)).toMatchObject({
      previous: interrupted,
    });
  }
}

async function history(bed: ComposeBed): Promise<Event[]> {
  const r = await bed.rig(['history', '--json']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Event[];
}

/** The containers (image, env, running) and the digests of every file under the project dir but rig's state. */
async function snapshot(bed: ComposeBed): Promise<unknown> {
  const files = await docker([
    'exec',
    bed.host.container,
    'sh',
    '-c',
    `cd ${bed.host.dataDir}/proj && find . -path ./.rig -prune -o -type f -print | sort | xargs sha256sum`,
  ]);
  const containers = await Promise.all(
    (['alpha', 'beta'] as const).map(async (s) => {
      const c = await inspectContainer(bed.container(s));
      return { image: c?.image, env: [...(c?.env ?? [])].sort(), running: c?.running };
    }),
  );
  return { files: files.stdout, containers };
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}
