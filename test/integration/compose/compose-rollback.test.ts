// Health gate, automatic and manual rollback, releases, the deploy lock (concurrent, stale, SIGINT, Ctrl+C on a
// terminal) on a real engine.
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startComposeBed, type ComposeBed } from '../../helpers/compose-bed.js';
import {
  docker,
  httpGetInContainer,
  imageId,
  inspectContainer,
  retagVariant,
  waitFor,
} from '../../helpers/docker/index.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { requireDocker } from '../../helpers/testbed/index.js';
import { buildCli } from '../../helpers/build-cli.js';
import { holdDeployAt } from '../../helpers/crash.js';

const skip = await requireDocker();
const BIN = path.join(REPO_ROOT, 'bin', 'rig.js');

/** The host's journal, parsed. */
async function journal(bed: ComposeBed): Promise<{ event: string; [k: string]: unknown }[]> {
  const r = await docker(['exec', bed.host.container, 'cat', `${bed.stateDir}/journal.jsonl`]);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { event: string });
}

async function onHost(bed: ComposeBed, script: string): Promise<{ code: number; stdout: string }> {
  return docker(['exec', bed.host.container, 'sh', '-c', script]);
}

describe.skipIf(skip !== undefined)('health gate, rollback and the deploy lock', () => {
  let bed: ComposeBed;
  const good = { stack_alpha_env: { FOO: 'good', API_KEY: '{{ vault_api_key }}' } };

  beforeAll(async () => {
    bed = await startComposeBed('rollback');
    await buildCli();
  }, 180_000);
  afterAll(async () => {
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bed.tb.dumpLogs();
  });

  it('a service that turns unhealthy after recreation is rolled back: previous env values and previous image', async () => {
    bed.setVars(good);
    expect((await bed.rig(['deploy'])).code).toBe(0);
    const oldImage = await imageId(bed.images.alpha);
    await retagVariant('local/rig-svc:1', bed.images.alpha, 'rollback-bad');
    bed.setVars({ stack_alpha_env: { FOO: 'bad', SVC_UNHEALTHY: '1', API_KEY: '{{ vault_api_key }}' } });
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /health gate failed: alpha unhealthy; rolled back to release \d{8}T\d{6}Z-[0-9a-f]{4} \(\d+ changes\)/,
    );
    expect(r.err).toContain('h1: alpha: last 50 log lines:');
    const alpha = await inspectContainer(bed.container('alpha'));
    expect(alpha?.image).toBe(oldImage);
    expect(alpha?.env).toContain('FOO=good');
    expect(alpha?.env.some((e) => e.startsWith('SVC_UNHEALTHY'))).toBe(false);
    expect(alpha?.health).toBe('healthy');
    const events = await journal(bed);
    const last = events.slice(events.findLastIndex((e) => e.event === 'deploy.started'));
    expect(last.find((e) => e.event === 'health.result' && e['ok'] === false)).toMatchObject({
      service: 'alpha',
      detail: 'unhealthy',
    });
    expect(last.find((e) => e.event === 'rollback.finished')).toMatchObject({ ok: true });
    expect(last.at(-1)).toMatchObject({ event: 'deploy.failed' });
    for (const e of events) expect(JSON.stringify(e)).not.toContain(bed.secret);
    const history = await bed.rig(['history', '--host', 'h1', '--json']);
    expect(history.code).toBe(0);
    const shown = JSON.parse(history.out) as { event: string; host: string }[];
    expect(shown.map((e) => e.event)).toEqual(events.map((e) => e.event));
    const text = await bed.rig(['history']);
    expect(text.out).toMatch(/ h1 rollback\.finished tester /);
  });

  it('--no-rollback leaves the failing service as it is', async () => {
    const r = await bed.rig(['deploy', '--no-rollback']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('left as it is (--no-rollback)');
    expect((await inspectContainer(bed.container('alpha')))?.env).toContain('FOO=bad');
  });

  it('rig releases lists what each host keeps; rig rollback --to re-applies one through plan/apply', async () => {
    await retagVariant('local/rig-svc:1', bed.images.alpha, 'rollback-good');
    bed.setVars({ stack_alpha_env: { FOO: 'second', API_KEY: '{{ vault_api_key }}' } });
    expect((await bed.rig(['deploy'])).code).toBe(0);
    const list = await bed.rig(['releases', '--json']);
    expect(list.code).toBe(0);
    const [h1] = JSON.parse(list.out) as { current: string; releases: { id: string }[] }[];
    expect(h1?.releases.length).toBe(2);
    expect(h1?.current).toBe(h1?.releases[0]?.id);
    const previous = h1?.releases[1]?.id as string;
    const back = await bed.rig(['rollback']);
    expect(back.err).toBe('');
    expect(back.code).toBe(0);
    expect(back.out).toContain('~ recreate alpha: ');
    expect(back.out).not.toContain('beta:');
    expect(await httpGetInContainer(bed.container('alpha'), '/env')).toContain('FOO=good');
    const after = JSON.parse((await bed.rig(['releases', '--json'])).out) as {
      current: string;
      releases: { id: string; kind: string; from?: string }[];
    }[];
    expect(after[0]?.releases[0]).toMatchObject({ kind: 'rollback', from: previous });
    expect((await bed.rig(['plan'])).out).toContain('~ recreate alpha: ');
    const unknown = await bed.rig(['rollback', '--to', '20200101T000000Z-0000']);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('no release 20200101T000000Z-0000; kept: ');
  });

  it('a deploy in progress holds the lock: a second one is refused naming the holder; SIGINT releases it and the journal says interrupted', async () => {
    bed.setVars({ ...good, stack_gamma: true, stack_slow_settle: 30 });
    const first = execa(process.execPath, [BIN, 'deploy', '--env', 'test'], {
      cwd: bed.root,
      reject: false,
      env: { USER: 'alice', HOME: os.tmpdir() },
    });
    await waitFor(
      'the first deploy to start gamma',
      async () => ((await inspectContainer(bed.container('gamma')))?.running ? true : undefined),
      60_000,
    );
    const second = await bed.rig(['deploy']);
    expect(second.code).toBe(1);
    expect(second.out).toMatch(
      new RegExp(`h1: deploy lock held by alice@${os.hostname()} \\(pid ${first.pid}, "rig deploy --env test", since `),
    );
    first.kill('SIGINT');
    const done = await first;
    expect(done.exitCode).toBe(130);
    expect(done.stderr).toContain('SIGINT: stopping after the current step');
    expect((await onHost(bed, `test -e ${bed.stateDir}/lock`)).code).not.toBe(0);
    expect((await journal(bed)).at(-1)).toMatchObject({ event: 'deploy.interrupted', user: 'alice' });
  });

  it("on a terminal (util-linux script gives it one): progress per host, and Ctrl+C is rig's interrupt", async () => {
    // gamma is created again, and its 30 s settle keeps the deploy applying until Ctrl+C
    await docker(['rm', '-f', bed.container('gamma')]);
    bed.setVars({ ...good, stack_gamma: true, stack_slow_settle: 30 });
    // what is written to script's stdin is typed at rig's terminal; 120 columns (a pty made without a size has none,
    // and the progress would wrap every character)
    const command = `stty cols 120 rows 40; exec ${process.execPath} ${BIN} deploy --env test`;
    // CI=true (as CI sets it) turns the live progress off: this is a person at a terminal
    const env = { USER: 'alice', HOME: os.tmpdir(), TERM: 'xterm', CI: 'false' };
    const run = execa('script', ['-qfec', command, '/dev/null'], { cwd: bed.root, reject: false, env });
    let screen = '';
    run.stdout?.on('data', (chunk: Buffer) => void (screen += stripVTControlCharacters(chunk.toString())));
    const applying = () => Promise.resolve(/h1: applying \d+ changes?/.test(screen) ? true : undefined);
    await waitFor('the progress to say h1 is applying', applying, 60_000);
    expect(screen).toContain('h1: connecting and planning');
    run.stdin?.write('\x03');
    const done = await run;
    // listr2's own SIGINT listener would exit 127 at once, the lock still held
    expect(screen).toContain('rig: SIGINT: stopping after the current step');
    expect(done.exitCode).toBe(130);
    expect((await onHost(bed, `test -e ${bed.stateDir}/lock`)).code).not.toBe(0);
    expect((await journal(bed)).at(-1)).toMatchObject({ event: 'deploy.interrupted', user: 'alice' });
  });

  it('an expired lock (even of an earlier rig) is taken over by the next deploy and journaled; a live one only with --break-lock, confirmed', async () => {
    const old = JSON.stringify({
      user: 'bob',
      workstation: 'laptop',
      pid: 1,
      command: 'rig deploy --env test',
      startedAt: '2026-01-01T00:00:00Z',
      ttlSec: 60,
      token: 'f'.repeat(32),
    });
    await onHost(bed, `printf '%s\\n' '${old}' > ${bed.stateDir}/lock && touch -d '2 hours ago' ${bed.stateDir}/lock`);
    bed.setVars(good);
    const took = await bed.rig(['deploy']);
    expect(took.err).toBe('');
    expect(took.code).toBe(0);
    expect((await journal(bed)).find((e) => e.event === 'lock.expired')).toMatchObject({
      previous: { user: 'bob' },
      reason: 'its lease expired',
      since: '2026-01-01T00:00:00Z',
    });
    expect((await onHost(bed, `test -e ${bed.stateDir}/lock`)).code).not.toBe(0);

    const live = JSON.stringify({
      user: 'carol',
      workstation: 'ci',
      pid: 7,
      command: 'rig deploy --env test',
      startedAt: '2026-12-01T00:00:00Z',
      ttlSec: 600,
      token: 'e'.repeat(32),
      version: 2,
      workstationId: 'other',
    });
    await onHost(bed, `printf '%s\\n' '${live}' > ${bed.stateDir}/lock`);
    bed.setVars({ ...good, stack_beta_env: { X: '2' } });
    const refused = await bed.rig(['deploy']);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(
      /h1: deploy lock held by carol@ci \(pid 7, "rig deploy --env test", since 2026-12-01T00:00:00Z; renewed \d+s ago, lease 10m00s\): that deploy is running: wait for it and retry; if it is gone, .*--break-lock/,
    );
    const unconfirmed = await bed.rig(['deploy', '--break-lock']);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.err).toContain('rig: --break-lock: h1: deploy lock held by carol@ci');
    expect(unconfirmed.err).toContain('needs a confirmation: run on a terminal, or pass --yes; nothing was changed');
    const broke = await bed.rig(['deploy', '--break-lock', '--yes']);
    expect(broke.code).toBe(0);
    expect((await journal(bed)).find((e) => e.event === 'lock.broken')).toMatchObject({
      previous: { user: 'carol', workstation: 'ci' },
    });
    expect((await onHost(bed, `test -e ${bed.stateDir}/lock`)).code).not.toBe(0);
  });

  it('the image only a pruned release ran is removed once no tag names it; one a container still uses stays', async () => {
    const present = async (id: string): Promise<boolean> => (await docker(['image', 'inspect', id])).code === 0;
    const deployOn = async (variant: string): Promise<string> => {
      const id = await retagVariant('local/rig-svc:1', bed.images.alpha, variant);
      const r = await bed.rig(['deploy']);
      expect(r.code, r.out).toBe(0);
      expect((await inspectContainer(bed.container('alpha')))?.image).toBe(id);
      return id;
    };
    bed.setVars({ ...good, rig_releases_keep: 2 });
    // each variant takes the tag from the one before, which is left with no tag (as a tag pulled anew leaves it)
    const v1 = await deployOn('prune-1');
    const v2 = await deployOn('prune-2');
    expect(await present(v1)).toBe(true); // the release before the current one ran it: a rollback needs it
    const v3 = await deployOn('prune-3');
    expect(await present(v1)).toBe(false);
    expect(await present(v2)).toBe(true);
    // a container made from v2 by hand: docker refuses to remove the image (rig never forces), the deploy goes on
    const hand = `${bed.container('alpha')}_by_hand`;
    await docker(['create', '--name', hand, v2]);
    try {
      await deployOn('prune-4');
      expect(await present(v2)).toBe(true);
      expect(await present(v3)).toBe(true);
    } finally {
      await docker(['rm', '-f', hand]);
    }
  });

  it('docker hanging during the health gate fails the gate at its deadline; the rollback fails at the facts deadline, and the run ends', async () => {
    bed.setVars({ stack_alpha_env: { FOO: 'hang', API_KEY: '{{ vault_api_key }}' }, stack_gate_timeout: 2 });
    const held = await holdDeployAt(bed, 'during-gate', [], { RIG_FACTS_TIMEOUT: '3' });
    // from here on docker on the host never answers (as a hung dockerd), until put back
    const hang = 'mv /usr/bin/docker /usr/bin/docker.real && printf "#!/bin/sh\nexec sleep 600\n" > /usr/bin/docker';
    expect((await onHost(bed, `${hang} && chmod 755 /usr/bin/docker`)).code).toBe(0);
    try {
      held.release();
      const r = await held.child;
      const out = `${String(r.stdout)}\n${String(r.stderr)}`;
      expect(r.exitCode, out).toBe(1);
      expect(out).toMatch(/health gate failed: alpha docker did not answer within 17s \(a hung dockerd\?\)/);
      expect(out).toContain('(docker logs did not answer within 20 s)');
      expect(out).toMatch(
        /the rollback to release \S+ failed too: h1: reading the host's facts did not finish within 3 s/,
      );
    } finally {
      await onHost(bed, 'mv -f /usr/bin/docker.real /usr/bin/docker; pkill -f "sleep 600"; true');
    }
    bed.setVars(good);
    const r = await bed.rig(['deploy']);
    expect(r.code, r.out).toBe(0);
    expect((await inspectContainer(bed.container('alpha')))?.env).toContain('FOO=good');
  });
});
