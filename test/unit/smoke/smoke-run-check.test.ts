// One check's run: deadlines (the check fails, its exec is killed, its signal aborts), throws, bad outcomes, redaction.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../src/config/settings.js';
import { exec, secret, sh } from '../../../src/core/cmd/cmd.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { defineSmoke, type SmokeCheck } from '../../../src/smoke/define-smoke.js';
import { runCheck } from '../../../src/smoke/run-check.js';
import { bounded, type SmokeHost } from '../../../src/smoke/smoke-context.js';
import { display } from '../../../src/core/cmd/render.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { waitFor } from '../../helpers/docker/wait-for.js';

const SECRET = 'tok-9f3a1c7e55';
const HOST: SmokeHost = {
  host: 'web1',
  env: 'test',
  groups: ['all', 'app'],
  roles: ['stack'],
  vars: { token: SECRET },
  project: 'p',
  services: [
    {
      name: 'alpha',
      role: 'stack',
      container: 'p_alpha',
      phase: 'apps',
      oneShot: false,
      healthcheck: true,
      image: 'x:1',
      networks: ['backend'],
    },
  ],
  become: false,
};
const input = () => ({
  host: HOST,
  transport: new LocalTransport('web1'),
  redactor: new Redactor([SECRET]),
  settings: SettingsSchema.parse({}),
});
/**
 * Waits until the shell whose pid `pidFile` holds has died (gone, or a zombie nobody reaped yet): a killed command is
 * seen at once, where waiting for its would-be side effect (a marker it touches later) costs that whole delay.
 */
async function waitDead(pidFile: string): Promise<void> {
  const written = (): Promise<string | undefined> => Promise.resolve(readFileSync(pidFile, 'utf8').trim() || undefined);
  const pid = await waitFor(`the pid in ${pidFile}`, written, 2000, 10);
  await waitFor(
    `process ${pid} to die`,
    () => {
      const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
      return Promise.resolve(stat === '' || /^\d+ \(.*\) Z/.test(stat) ? true : undefined);
    },
    2000,
    10,
  );
}

const check = (over: Partial<SmokeCheck> & Pick<SmokeCheck, 'run'>): SmokeCheck =>
  defineSmoke({
    id: 'c',
    description: 'a check',
    target: { groups: ['all'] },
    deadlineSec: 5,
    blocking: true,
    ...over,
  });

describe('runCheck', () => {
  it('passes the outcome through, measured, with the id, host and blocking flag', async () => {
    const r = await runCheck(
      check({
        run: async (ctx) => ({
          status: 'pass',
          evidence: [
            (await ctx.exec(exec(['echo', ctx.host, ctx.container('alpha'), ctx.network('backend')]))).stdout.trim(),
          ],
        }),
      }),
      input(),
    );
    expect(r).toMatchObject({
      check: 'c',
      host: 'web1',
      blocking: true,
      deadlineSec: 5,
      status: 'pass',
      evidence: ['web1 p_alpha p_backend'],
    });
    expect(r.durationMs).toBeGreaterThan(0);
  });

  it('past its deadline: fail, "deadline Ns exceeded", the running command named and killed, the signal aborted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-smoke-'));
    const [pid, marker] = [`${dir}/pid`, `${dir}/survived`];
    let aborted: AbortSignal | undefined;
    const started = performance.now();
    const r = await runCheck(
      check({
        deadlineSec: 0.5,
        run: async (ctx) => {
          aborted = ctx.signal;
          await ctx.exec(sh('echo $$ >"$1"; sleep 30; touch "$2"', pid, marker));
          return { status: 'pass', evidence: ['never'] };
        },
      }),
      input(),
    );
    const took = performance.now() - started;
    expect(r.status).toBe('fail');
    const shown = `/bin/sh -c 'echo $$ >"$1"; sleep 30; touch "$2"' sh ${pid} ${marker}`;
    expect(r.evidence).toEqual(['deadline 0.5s exceeded', `aborted: ${shown}`]);
    expect(r.durationMs).toBeGreaterThanOrEqual(500);
    expect(took).toBeLessThan(2500);
    expect(aborted?.aborted).toBe(true);
    await waitDead(pid);
    expect(existsSync(marker), 'the command was killed at the deadline').toBe(false);
  }, 10_000);

  it('a check that ignores its signal still ends at the deadline; exec after it refuses to run', async () => {
    let late: unknown;
    const r = await runCheck(
      check({
        deadlineSec: 0.2,
        run: async (ctx) => {
          // it goes on past the deadline: the abort it hears is its cue to try one more command
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
          late = await ctx.exec(exec(['true'])).catch((err: unknown) => err);
          return { status: 'pass', evidence: [] };
        },
      }),
      input(),
    );
    expect(r.evidence).toEqual(['deadline 0.2s exceeded']);
    const settled = await waitFor('the late exec to settle', () => Promise.resolve(late), 2000, 10);
    expect(String(settled)).toBe('Error: deadline 0.2s exceeded before true');
  });

  it('a throw is a fail with the error as evidence, secrets masked; a secret env value rides stdin, not argv', async () => {
    const r = await runCheck(
      check({
        run: async (ctx) => {
          const echoed = await ctx.exec(exec(['sh', '-c', 'printf %s "$T"'], { T: secret(String(ctx.vars['token'])) }));
          throw new Error(`token ${echoed.stdout} refused`);
        },
      }),
      input(),
    );
    expect(r).toMatchObject({ status: 'fail', evidence: ['error: token *** refused'] });
  });

  it('a secret in argv or a plain env value is refused before anything runs (M4): a fail naming where', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-smoke-'));
    const run: SmokeCheck['run'] = async (ctx) => {
      await ctx.exec(
        sh('touch "$1"; curl -H "$2" https://x.test', `${dir}/ran`, `X-Token: ${String(ctx.vars['token'])}`),
      );
      return { status: 'pass', evidence: [] };
    };
    const r = await runCheck(check({ run }), input());
    expect(r).toMatchObject({ check: 'c', host: 'web1', status: 'fail' });
    expect(r.evidence).toEqual([
      expect.stringMatching(
        /^error: refused to run \/bin\/sh -c .* 'X-Token: \*\*\*': a secret in argument 5 of \/bin\/sh; pass it in opts\.stdin/,
      ),
    ]);
    const env = await runCheck(
      check({
        run: async (ctx) => ({ status: 'pass', evidence: [(await ctx.exec(exec(['true'], { T: SECRET }))).stdout] }),
      }),
      input(),
    );
    expect(env.evidence).toEqual([
      'error: refused to run T=*** true: a secret in plain environment value T of true; pass it in opts.stdin or as a secret() env value',
    ]);
    expect(existsSync(`${dir}/ran`), 'nothing ran').toBe(false);
  });

  it('stdin reaches the command; evidence is masked and split at line breaks', async () => {
    const r = await runCheck(
      check({
        run: async (ctx) => ({
          status: 'warn',
          evidence: [(await ctx.exec(exec(['cat']), { stdin: `a\n${SECRET}\n` })).stdout.trimEnd()],
        }),
      }),
      input(),
    );
    expect(r).toMatchObject({ status: 'warn', evidence: ['a', '***'] });
  });

  it('an outcome of the wrong shape is a fail saying so', async () => {
    const r = await runCheck(
      check({ run: () => Promise.resolve({ status: 'ok', evidence: 'fine' } as never) }),
      input(),
    );
    expect(r).toMatchObject({
      status: 'fail',
      evidence: [
        'the check returned {"status":"ok","evidence":"fine"}, not { status: pass|warn|fail|skip, evidence: string[] }',
      ],
    });
  });

  it('keeps at most 100 evidence lines', async () => {
    const r = await runCheck(
      check({
        run: () => Promise.resolve({ status: 'pass', evidence: Array.from({ length: 150 }, (_, i) => `line ${i}`) }),
      }),
      input(),
    );
    expect(r.evidence).toHaveLength(100);
    expect(r.evidence.at(-1)).toBe('… 51 more lines');
  });

  it('bounded: the host kills the command and every process it started at the deadline (the transport alone kills only the first)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-smoke-'));
    const [pid, marker] = [`${dir}/pid`, `${dir}/survived`];
    const t = new LocalTransport('web1');
    const started = performance.now();
    // the background shell is a child of the first process: only the group kill reaches it
    const script = `sh -c 'echo $$ >"$1"; sleep 30; touch "$2"' sh "$1" "$2" & wait`;
    const r = await t.exec(bounded(sh(script, pid, marker), 1));
    expect(r.code).toBe(137);
    expect(performance.now() - started).toBeLessThan(1900);
    await waitDead(pid);
    expect(existsSync(marker)).toBe(false);
    const withSecret = bounded(exec(['sh', '-c', 'printf %s "$T"'], { T: secret('s3cr3t') }), 5);
    expect(display(withSecret)).not.toContain('s3cr3t');
    expect((await t.exec(withSecret)).stdout).toBe('s3cr3t');
  }, 10_000);
});
