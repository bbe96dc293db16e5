// The bed's command line: test hosts by hand (make testbed), for the demo and the bench, and the sweeps.
// Runs on Node ≥ 22.18 by type stripping (`node test/bed/cli.ts …`): this file and what it imports use `.ts`
// specifiers and nothing from src/ (whose `.js` specifiers only the compiler and vitest resolve).
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bedRoot } from './bed-paths.ts';
import { clearCurrentRun, openRun, resolveRunId, setCurrentRun } from './run-files.ts';
import { startHosts } from './start-hosts.ts';
import { hostLogs } from './testbed-control.ts';
import { listRuns, removeRun, sweepOrphans } from './teardown.ts';

const USAGE = `usage: node test/bed/cli.ts <command>
  start N [--run-id ID] [--compose v1|v2] [--json]   start hosts h1..hN, wait until SSH logs in; print the ssh config
                                                     (or, with --json, the run's testbed.json)
  stop [RUN_ID | --all]                              remove the run: hosts, their compose containers/networks, files
  ssh-config [RUN_ID]                                print the run's ssh config (file: $RIG_TB_ROOT/<run>/ssh/config)
  stop-host RUN_ID HOST | start-host RUN_ID HOST     stop one host (unreachable) / start it again (same port and key)
  logs [RUN_ID]                                      print every host container's log
  list                                               runs with containers on the engine
  sweep                                              remove runs whose test process died before stopping them
RUN_ID defaults to the last run started by hand ($RIG_TB_ROOT/current). Env: RIG_TB_ROOT=/tmp/rig-tb,
RIG_TB_TIMEOUT=60 (seconds to SSH-ready), RIG_TB_PARALLEL=12 (hosts started at once), RIG_TB_COMPOSE=v1|v2 (default
v2), RIG_TB_KEEP=1 (stop keeps the files).`;

async function start(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'run-id': { type: 'string' }, compose: { type: 'string' }, json: { type: 'boolean' } },
  });
  const n = Number(positionals[0]);
  const compose = values.compose;
  if (compose !== undefined && compose !== 'v1' && compose !== 'v2') {
    throw new Error(`--compose must be v1 or v2, got "${compose}"`);
  }
  await mkdir(bedRoot(), { recursive: true });
  const tb = await startHosts(n, {
    owner: 'none',
    readyTimeoutMs: Number(process.env['RIG_TB_TIMEOUT'] ?? 60) * 1000,
    ...(values['run-id'] === undefined ? {} : { runId: values['run-id'] }),
    ...(compose === undefined ? {} : { compose }),
  });
  if (values['run-id'] === undefined) await setCurrentRun(tb.runId);
  process.stderr.write(`testbed: run ${tb.runId}: ${n} host(s) SSH-ready in ${(tb.readyMs / 1000).toFixed(1)}s\n`);
  if (values.json === true) {
    process.stdout.write(await readFile(path.join(tb.runDir, 'testbed.json'), 'utf8'));
  } else {
    process.stdout.write(await readFile(tb.sshConfigPath, 'utf8'));
    process.stderr.write(`testbed: use: ssh -F ${tb.sshConfigPath} h1\n`);
  }
}

async function stop(arg: string | undefined): Promise<void> {
  const ids = arg === '--all' ? (await listRuns()).map((r) => r.runId) : [await resolveRunId(arg)];
  for (const id of ids) {
    await removeRun(id);
    await clearCurrentRun(id);
    process.stderr.write(`testbed: run ${id} stopped\n`);
  }
}

async function list(): Promise<void> {
  for (const run of await listRuns()) {
    const owner = run.ownerPid === undefined ? 'by hand' : `pid ${run.ownerPid}`;
    for (const c of run.containers) process.stdout.write(`${run.runId} ${c.name} ${c.state} ${c.ports} (${owner})\n`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return start(rest);
    case 'stop':
      return stop(rest[0]);
    case 'ssh-config': {
      const tb = await openRun(await resolveRunId(rest[0]));
      process.stdout.write(await readFile(tb.sshConfigPath, 'utf8'));
      return;
    }
    case 'stop-host':
      return (await openRun(await resolveRunId(rest[0]))).stopHost(rest[1] ?? '');
    case 'start-host':
      return (await openRun(await resolveRunId(rest[0]))).startHost(rest[1] ?? '');
    case 'logs':
      process.stdout.write(`${await hostLogs(await openRun(await resolveRunId(rest[0])))}\n`);
      return;
    case 'list':
      return list();
    case 'sweep': {
      const removed = await sweepOrphans();
      const which = removed.length > 0 ? `: ${removed.join(' ')}` : '';
      process.stderr.write(`testbed: swept ${removed.length} orphaned run(s)${which}\n`);
      return;
    }
    default:
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`testbed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
