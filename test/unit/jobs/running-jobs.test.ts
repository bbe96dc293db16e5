// The running-jobs script, run by a real /bin/sh on job dirs laid out as the launcher leaves them: only a runner that
// still lives on this boot is listed, with its age and meta line; the clock is read only when one is.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { render } from '../../../src/core/cmd/render.js';
import { parseRunningJobs, runningJobsCmd } from '../../../src/jobs/host-job-script.js';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8');
const meta = (what: string): string =>
  JSON.stringify({ deployId: 'd-1', user: 'ops', workstation: 'ws', what, startedAt: '2026-12-06T13:00:00Z' });

describe('runningJobsCmd', () => {
  let stateDir = '';
  let binDir = '';
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });

  const job = (id: string, files: Record<string, string>, ageSec?: number): void => {
    const d = path.join(stateDir, 'jobs', id);
    mkdirSync(d, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(d, name), text);
    if (ageSec !== undefined) {
      const t = Date.now() / 1000 - ageSec;
      utimesSync(d, t, t);
    }
  };
  /** The script's stdout, with `date` counted through a wrapper first on PATH. */
  const run = async (): Promise<{ stdout: string; dates: number }> => {
    const log = path.join(binDir, 'dates');
    rmSync(log, { force: true });
    const r = await execa('/bin/sh', ['-c', render(runningJobsCmd(stateDir))], {
      env: { PATH: `${binDir}:${process.env.PATH ?? ''}` },
    });
    const dates = existsSync(log) ? readFileSync(log, 'utf8').length : 0;
    return { stdout: r.stdout, dates };
  };

  beforeAll(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'rig-jobs-'));
    binDir = mkdtempSync(path.join(tmpdir(), 'rig-jobs-bin-'));
    writeFileSync(path.join(binDir, 'date'), `#!/bin/sh\nprintf x >> '${binDir}/dates'\nexec /bin/date "$@"\n`, {
      mode: 0o755,
    });
  });
  afterAll(() => {
    sleeper.kill();
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(binDir, { recursive: true, force: true });
  });

  it('prints nothing, and reads no clock, when no job dir is there or every job has ended', async () => {
    expect(await run()).toEqual({ stdout: '', dates: 0 });
    job('ended', { status: '0\n', pid: `${process.pid}\n`, boot: bootId, meta: meta('up') });
    job('lost-runner', { pid: '999999999\n', boot: bootId, meta: meta('up') });
    job('other-boot', { pid: `${process.pid}\n`, boot: 'another boot\n', meta: meta('up') });
    expect(await run()).toEqual({ stdout: '', dates: 0 });
  });

  it('lists the job whose runner lives on this boot, with its age and meta, reading the clock once', async () => {
    job('live', { pid: `${sleeper.pid}\n`, boot: bootId, meta: `${meta('compose up')}\n` }, 30);
    job('live-too', { pid: `${process.pid}\n`, boot: bootId, meta: `${meta('remove')}\n` }, 5);
    const { stdout, dates } = await run();
    expect(dates).toBe(1);
    const jobs = parseRunningJobs(stdout);
    expect(jobs.map((j) => [j.id, j.meta?.what])).toEqual([
      ['live', 'compose up'],
      ['live-too', 'remove'],
    ]);
    expect(jobs[0]?.ageSec).toBeGreaterThanOrEqual(29);
    expect(jobs[0]?.ageSec).toBeLessThan(60);
    expect(jobs[1]?.ageSec).toBeGreaterThanOrEqual(4);
    expect(jobs[1]?.ageSec).toBeLessThan(30);
  });
});
