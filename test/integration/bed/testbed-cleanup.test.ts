// The bed without testcontainers' reaper: a run whose test process exits or is killed before stopping it is still
// removed (the exit hook, the orphan sweep), and runs started by hand with the CLI stay until stopped.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dockerOk, waitFor } from '../../helpers/docker/index.js';
import { requireDocker } from '../../bed/index.js';
import { sweepOrphans } from '../../bed/teardown.js';

const skipReason = await requireDocker();
const START_HOSTS = new URL('../../bed/start-hosts.ts', import.meta.url).href;
const CLI = fileURLToPath(new URL('../../bed/cli.ts', import.meta.url));

/** A node process that starts a one-host run, prints its id, then exits (`exit`) or waits to be killed (`hang`). */
function ownerProcess(mode: 'exit' | 'hang') {
  const script = `const { startHosts } = await import(${JSON.stringify(START_HOSTS)});
const tb = await startHosts(1);
console.log(tb.runId);
if (${JSON.stringify(mode)} === 'exit') process.exit(0); else setInterval(() => {}, 1000);`;
  return execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
}

async function firstLine(child: ReturnType<typeof ownerProcess>): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += String(d);
      const line = /^([a-z0-9]+)\n/.exec(text)?.[1];
      if (line !== undefined) resolve(line);
    });
    void child.then((r) => reject(new Error(`owner process ended first (exit ${r.exitCode}): ${r.stderr}`)));
  });
}

const containersOf = async (runId: string): Promise<string> =>
  (await dockerOk(['ps', '-aq', '-f', `label=rig.testbed.run=${runId}`])).trim();

describe.skipIf(skipReason !== undefined)('testbed cleanup without a reaper', () => {
  it('a run whose process exits without stopping it is removed by the exit hook', async () => {
    const child = ownerProcess('exit');
    const runId = await firstLine(child);
    expect((await child).exitCode).toBe(0);
    await waitFor(`run ${runId} removed`, async () => ((await containersOf(runId)) === '' ? true : undefined), 60_000);
  });

  it('a run whose process was killed is an orphan: the sweep removes it, and only it', async () => {
    const child = ownerProcess('hang');
    const runId = await firstLine(child);
    expect(await containersOf(runId)).not.toBe('');
    child.kill('SIGKILL');
    await child;
    expect(await containersOf(runId)).not.toBe('');
    expect(await sweepOrphans()).toContain(runId);
    expect(await containersOf(runId)).toBe('');
  });

  it('the CLI starts a run by hand that no sweep takes, and stops it', async () => {
    const started = await execa(process.execPath, [CLI, 'start', '1', '--run-id', `cli${process.pid}`, '--json']);
    const run = JSON.parse(started.stdout) as { runId: string; hosts: { port: number }[] };
    expect(started.stderr).toMatch(/run cli\d+: 1 host\(s\) SSH-ready in \d+\.\ds/);
    try {
      expect(await sweepOrphans()).not.toContain(run.runId);
      const listed = (await execa(process.execPath, [CLI, 'list'])).stdout;
      const port = run.hosts[0]?.port;
      expect(listed).toContain(`${run.runId} rig-tb-${run.runId}-h1 running 127.0.0.1:${port}->22 (by hand)`);
    } finally {
      await execa(process.execPath, [CLI, 'stop', run.runId]);
    }
    expect(await containersOf(run.runId)).toBe('');
  });
});
