// Starts N target hosts of one run on testcontainers (h1..hN, in parallel) and writes the run's client files.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { generateKey } from '../helpers/sshd/keys.ts';
import { bedRoot, RUN_ID, runPrefix, TARGET_IMAGE } from './bed-paths.ts';
import { composeFromEnv } from './compose-flavor.ts';
import { dockerEngine, isGone } from './docker-engine.ts';
import { forgetAtExit, removeAtExit } from './exit-sweep.ts';
import { writeClientFiles } from './host-files.ts';
import { startTarget, type ComposeFlavor } from './target-host.ts';
import { mapPool } from '../../src/core/pool.ts';
import { removeRun } from './teardown.ts';
import { attach, type Testbed } from './testbed-control.ts';
import type { TestbedDescription, TestbedHost } from './testbed-description.ts';

/** Options of {@link startHosts}. */
export interface StartHostsOptions {
  /** Run id (lowercase letters and digits); random by default, so parallel test files never collide. */
  runId?: string;
  /** Deadline for every host to accept an SSH login, in ms (default 60 000). */
  readyTimeoutMs?: number;
  /** Compose flavor of the hosts, given to them as `RIG_TB_COMPOSE`; default `$RIG_TB_COMPOSE`, else v2. */
  compose?: ComposeFlavor;
  /**
   * `process` (default): the run belongs to this process, which must stop it; if it dies first, the exit hook
   * or a later sweep removes it. `none`: a run started by hand (make testbed, the demo) that outlives its command.
   */
  owner?: 'process' | 'none';
  /**
   * Hosts started at once (default `$RIG_TB_PARALLEL`, else 12). Each start polls an SSH login every 100 ms: a
   * hundred at once drove the load average of 2 cores past 120 and the logins past their deadline.
   */
  parallel?: number;
}

/**
 * Starts `n` target hosts (`h1`..`hN`) and resolves once each accepts a key login over SSH.
 * On failure the run is removed and the error carries each failed host's reason and container log.
 */
export async function startHosts(n: number, opts: StartHostsOptions = {}): Promise<Testbed> {
  if (!Number.isInteger(n) || n < 1) throw new Error(`testbed: host count must be a positive integer, got ${n}`);
  const runId = opts.runId ?? randomBytes(4).toString('hex');
  if (!RUN_ID.test(runId)) throw new Error(`testbed: run id must be lowercase letters and digits: ${runId}`);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const compose = opts.compose ?? composeFromEnv();
  const started = performance.now();
  await requireTargetImage();
  const runDir = path.join(bedRoot(), runId);
  const sshDir = path.join(runDir, 'ssh');
  await mkdir(sshDir, { recursive: true });
  await chmod(sshDir, 0o700);
  const key = await generateKey(path.join(sshDir, 'id_ed25519'), `rig-testbed-${runId}`);
  const privateKey = await readFile(key.path);
  const ownerPid = opts.owner === 'none' ? undefined : process.pid;
  if (ownerPid !== undefined) removeAtExit(runId);
  const names = Array.from({ length: n }, (_, i) => `h${i + 1}`);
  const results = await mapPool(names, opts.parallel ?? parallelFromEnv(), (name) =>
    settled(async (): Promise<TestbedHost> => {
      const dataDir = path.join(runDir, name);
      const container = `${runPrefix(runId)}${name}`;
      await mkdir(dataDir, { recursive: true });
      const { port, hostKey } = await startTarget({
        ...{ runId, name, container, dataDir, authorizedKey: key.pub },
        ...{ privateKey, readyTimeoutMs, compose, ownerPid },
      });
      const login = { address: '127.0.0.1', port, user: 'root', keyPath: key.path, hostKey } as const;
      return { name, container, ...login, dataDir, composeProject: container };
    }),
  );
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${names[i]}: ${String(r.reason)}`] : []));
  if (failed.length > 0) {
    await removeRun(runId);
    forgetAtExit(runId);
    throw new Error(`testbed: starting ${n} host(s) failed (run ${runId}):\n${failed.join('\n')}`);
  }
  const hosts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const run: TestbedDescription = {
    runId,
    prefix: runPrefix(runId),
    runDir,
    keyPath: key.path,
    sshConfigPath: path.join(sshDir, 'config'),
    knownHostsPath: path.join(sshDir, 'known_hosts'),
    compose,
    hosts,
  };
  await writeClientFiles(run);
  return attach(run, privateKey, readyTimeoutMs, performance.now() - started);
}

/** What `job` settled to, as Promise.allSettled says it: every host's outcome, none cut short by another's failure. */
async function settled<R>(job: () => Promise<R>): Promise<PromiseSettledResult<R>> {
  try {
    return { status: 'fulfilled', value: await job() };
  } catch (reason) {
    return { status: 'rejected', reason };
  }
}

/** `RIG_TB_PARALLEL` when set (a positive integer), else 12. */
function parallelFromEnv(): number {
  const value = process.env['RIG_TB_PARALLEL'];
  if (value === undefined || value === '') return 12;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`testbed: RIG_TB_PARALLEL must be a positive integer, got "${value}"`);
  return n;
}

async function requireTargetImage(): Promise<void> {
  const engine = await dockerEngine();
  await engine.container.dockerode
    .getImage(TARGET_IMAGE)
    .inspect()
    .catch((error: unknown) => {
      if (!isGone(error)) throw error;
      throw new Error(`testbed: image ${TARGET_IMAGE} is not built (scripts/build-images.sh, or make images)`);
    });
}
