// Removing runs: a run's host containers, the compose containers, networks and volumes its hosts made, its files.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { bedRoot, LABEL, runPrefix } from './bed-paths.ts';
import { dockerEngine, isGone } from './docker-engine.ts';

const COMPOSE_PROJECT = 'com.docker.compose.project';

/** One run that has containers on the engine. */
export interface RunListing {
  readonly runId: string;
  /** The owning test process, when a test started it. */
  readonly ownerPid: number | undefined;
  readonly containers: readonly { name: string; state: string; ports: string }[];
}

/**
 * Removes everything of `runId` on the shared engine: its host containers, then the compose containers, networks
 * and volumes of its projects (`rig-tb-<run>-…`, what its hosts deployed; rig's own networks `rig_tb_<run>_…`), then
 * its directory unless `RIG_TB_KEEP=1`.
 * Idempotent; other runs and everything else on the engine are left alone.
 */
export async function removeRun(runId: string): Promise<void> {
  const engine = await dockerEngine();
  const dockerode = engine.container.dockerode;
  const prefix = runPrefix(runId);
  const ours = (labels: Record<string, string> | undefined): boolean =>
    labels?.[LABEL.run] === runId || (labels?.[COMPOSE_PROJECT] ?? '').startsWith(prefix);
  const containers = (await dockerode.listContainers({ all: true })).filter((c) => ours(c.Labels));
  const remove = (id: string) => dockerode.getContainer(id).remove({ force: true, v: true }).catch(ignoreGone);
  await Promise.all(containers.map((c) => remove(c.Id)));
  // rig names a role's networks `<project with _>_<name>` and labels them only rig.managed (no compose project)
  const rigNetwork = prefix.replace(/-/g, '_');
  const networks = (await dockerode.listNetworks()).filter((n) => ours(n.Labels) || n.Name.startsWith(rigNetwork));
  for (const n of networks) await dockerode.getNetwork(n.Id).remove().catch(ignoreGone);
  const { Volumes: volumes } = await dockerode.listVolumes();
  for (const v of volumes.filter((v) => ours(v.Labels ?? undefined))) {
    await dockerode.getVolume(v.Name).remove().catch(ignoreGone);
  }
  if (process.env['RIG_TB_KEEP'] !== '1') await rm(path.join(bedRoot(), runId), { recursive: true, force: true });
}

/** Every run with host containers on the engine, oldest container name order. */
export async function listRuns(): Promise<RunListing[]> {
  const engine = await dockerEngine();
  const listed = await engine.container.dockerode.listContainers({ all: true, filters: { label: [LABEL.run] } });
  const runs = new Map<string, RunListing & { containers: RunListing['containers'][number][] }>();
  for (const c of listed) {
    const runId = c.Labels[LABEL.run] ?? '';
    const pid = c.Labels[LABEL.ownerPid];
    const run = runs.get(runId) ?? { runId, ownerPid: pid === undefined ? undefined : Number(pid), containers: [] };
    const published = c.Ports.filter((p) => p.PublicPort !== undefined);
    const ports = published.map((p) => `${p.IP}:${p.PublicPort}->${p.PrivatePort}`);
    run.containers.push({ name: (c.Names[0] ?? c.Id).replace(/^\//, ''), state: c.State, ports: ports.join(',') });
    runs.set(runId, run);
  }
  return [...runs.values()];
}

/**
 * Removes the runs whose owning test process is gone (killed before its afterAll ran): the bed has no reaper.
 * Runs started by hand carry no owner and are never swept. Returns the run ids removed.
 */
export async function sweepOrphans(): Promise<string[]> {
  const orphans = (await listRuns()).filter((r) => r.ownerPid !== undefined && !alive(r.ownerPid));
  for (const r of orphans) await removeRun(r.runId);
  return orphans.map((r) => r.runId);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ignoreGone(error: unknown): void {
  if (!isGone(error)) throw error;
}
