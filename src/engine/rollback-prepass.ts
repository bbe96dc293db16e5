// Before `rig rollback` locks any host: one exec per host reads its releases and its lock, so the rollback can undo the
// last deploy on the hosts it changed only, and `--break-lock` can show the holders it would break and ask first.
import type { Connection } from '../config/inventory/connection.js';
import type { HostConfig } from '../config/project.js';
import { cmdBatch } from '../core/cmd/batch.js';
import type { Transport } from '../transport/transport.js';
import { describeError } from '../core/errors/describe-error.js';
import { failure, type HostResult } from './host-result.js';
import { holderGone } from '../lock/lock-holder.js';
import type { BreakTarget } from '../lock/lock-script.js';
import { LockHeldError, lockStateStep, parseLockState, type LockState } from '../lock/lock.js';
import { mapPool } from '../core/pool.js';
import { listReleasesCmd, parseReleaseList, type ReleaseList } from '../release/release-store.js';
import { rollbackScope } from '../release/rollback-scope.js';
import type { RunContext } from './run-context.js';
import type { HeldLockReport } from './host-session.js';

/** Per host: go on (to which release, breaking which holder), or a result already (untouched, or why not). */
export type RollbackStart =
  | { readonly to: string; readonly expectCurrent?: string; readonly breakHolder?: BreakTarget }
  | { readonly result: HostResult };

/** Reads every host, decides what the rollback does there, and asks about live locks when `--break-lock` is given. */
export async function prepareRollback(
  hosts: readonly HostConfig[],
  connect: (host: string, c: Connection) => Promise<Transport>,
  ctx: RunContext,
  opts: { forks: number; confirmBreak?: ((held: readonly HeldLockReport[]) => Promise<boolean>) | undefined },
): Promise<Map<string, RollbackStart>> {
  const read = await mapPool(hosts, opts.forks, async (h) => ({ h, facts: await readHost(h, connect) }));
  const out = new Map<string, RollbackStart>();
  const lists = new Map(read.flatMap(({ h, facts }) => ('list' in facts ? [[h.name, facts.list] as const] : [])));
  const scope = rollbackScope(lists);
  for (const { h, facts } of read) {
    if ('error' in facts) out.set(h.name, { result: facts.error });
    else if (ctx.rollbackTo !== undefined) out.set(h.name, { to: ctx.rollbackTo });
    else {
      const part = scope.hosts.get(h.name);
      if (part?.kind === 'rollback') out.set(h.name, { to: part.to, expectCurrent: part.current });
      else if (part?.kind === 'untouched')
        out.set(h.name, { result: { host: h.name, status: 'ok', changes: 0, notes: [`untouched: ${part.why}`] } });
      else
        out.set(h.name, {
          result: {
            host: h.name,
            status: 'failed',
            changes: 0,
            error: `${h.name}: ${part?.why ?? 'no releases read'}`,
          },
        });
    }
  }
  await settleLiveLocks(read, out, ctx, opts.confirmBreak);
  return out;
}

/** A host's releases and lock, in one exec. */
async function readHost(
  h: HostConfig,
  connect: (host: string, c: Connection) => Promise<Transport>,
): Promise<{ list: ReleaseList; lock: LockState | undefined } | { error: HostResult }> {
  let t: Transport | undefined;
  try {
    t = await connect(h.name, h.connection);
    const batch = cmdBatch([listReleasesCmd(h.stack.stateDir), lockStateStep(h.stack.stateDir)]);
    const r = await t.exec(batch.cmd, { become: h.connection.become });
    const [list, lock] = batch.split(r.stdoutBytes);
    if (list?.code !== 0 || lock?.code !== 0)
      throw new Error(
        `${h.name}: reading the releases and the deploy lock failed (exit ${r.code}): ${r.stderr.trim()}`,
      );
    return { list: parseReleaseList(list.stdout.toString('utf8')), lock: parseLockState(lock.stdout.toString('utf8')) };
  } catch (err) {
    return { error: { ...failure(h.name, err, t), error: describeError(err) } };
  } finally {
    await t?.close().catch(() => undefined);
  }
}

/**
 * A host held by a live run: broken once confirmed with `--break-lock`, else its rollback fails now, naming the holder.
 */
async function settleLiveLocks(
  read: readonly { h: HostConfig; facts: { lock?: LockState | undefined } | { error: HostResult } }[],
  out: Map<string, RollbackStart>,
  ctx: RunContext,
  confirmBreak: ((held: readonly HeldLockReport[]) => Promise<boolean>) | undefined,
): Promise<void> {
  const live = read.flatMap(({ h, facts }) => {
    const lock = 'lock' in facts ? facts.lock : undefined;
    const start = out.get(h.name);
    if (!lock || lock.stale || (lock.info && holderGone(lock.info, ctx.workstationId)) || !start || 'result' in start)
      return [];
    return [{ h, report: { host: h.name, lockPath: `${h.stack.stateDir}/lock`, state: lock } }];
  });
  if (live.length === 0) return;
  const yes = ctx.breakLock && confirmBreak ? await confirmBreak(live.map((l) => l.report)) : false;
  for (const { h, report } of live) {
    const start = out.get(h.name) as Exclude<RollbackStart, { result: HostResult }>;
    const info = report.state.info;
    if (yes)
      out.set(h.name, { ...start, breakHolder: info ? { token: info.token } : { fileId: report.state.fileId ?? '' } });
    else
      out.set(h.name, { result: failure(h.name, new LockHeldError(h.name, report.lockPath, report.state), undefined) });
  }
}
