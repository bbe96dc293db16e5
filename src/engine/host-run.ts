// One host's run, first phase: connect once, lock (rollback), wait for a step a dead run left running, plan (pure).
import type { Transport } from '../transport/transport.js';
import { blobPathsOf, opsOfRelease, othersAsDeployed, pickRollbackTarget } from './host-release.js';
import { execHost } from '../facts/gather.js';
import { HostJournal } from './host-journal.js';
import { waitForJobs } from '../apply/host-job.js';
import { acquireOptions, journalStart, lockInfo, startLease } from './host-lock.js';
import { currentOf, planInput, type HostRunInput, type HostSession, type Lease } from './host-session.js';
import { describeError } from '../core/errors/describe-error.js';
import { failure, type HostResult } from './host-result.js';
import { holderGone } from '../lock/lock-holder.js';
import { acquireLock, LockHeldError, type HeldLock, type LockState } from '../lock/lock.js';
import { planOnHost, type PlannedHost } from '../plan/plan-on-host.js';
import type { InterruptedDeploy } from '../core/plan-data/plan-types.js';

export { failure, type HostResult, type HostStatus } from './host-result.js';
export type { HostRunInput, HostSession } from './host-session.js';

/** Connects, locks (rollback) and plans; never throws for host-level failures (they become the result). */
export async function openAndPlan(asked: HostRunInput): Promise<HostSession> {
  // under `--role`, the roles the run leaves alone become the host's current release's (below)
  let input = asked;
  const journal = new HostJournal(input);
  let t: Transport;
  try {
    t = await input.connect(input.host, input.connection);
  } catch (err) {
    return {
      input,
      journal,
      transport: undefined,
      result: { host: input.host, status: 'unreachable', changes: 0, error: describeError(err) },
    };
  }
  let held: HeldLock | undefined;
  let lease: Lease | undefined;
  const base = (): Pick<HostSession, 'input' | 'journal' | 'transport'> & { held?: HeldLock; lease?: Lease } => ({
    input,
    journal,
    transport: t,
    ...(held ? { held } : {}),
    ...(lease ? { lease } : {}),
  });
  try {
    const become = input.connection.become;
    const { run: ctx, stack } = input;
    // A rollback must read its release before it can plan: it locks first. A deploy plans without the lock (a host
    // with nothing to do is not written to at all) and takes it, with a fresh plan, only when it applies.
    if (ctx.lock && ctx.mode === 'rollback') {
      const asked = Date.now();
      held = await acquireLock(t, stack.stateDir, lockInfo(input), acquireOptions(input, input.breakHolder));
      lease = startLease(t, held, input, asked);
    }
    journalStart(journal, held, input);
    const target =
      ctx.mode === 'rollback'
        ? await pickRollbackTarget(
            t,
            stack,
            input.rollback ?? (ctx.rollbackTo !== undefined ? { to: ctx.rollbackTo } : {}),
            become,
          )
        : undefined;
    if (!target) input = { ...input, roleOps: await othersAsDeployed(t, input.roleOps, stack, become) };
    const roleOps = target ? await opsOfRelease(t, target, stack, become) : input.roleOps;
    const planAgain = (): Promise<PlannedHost> =>
      planOnHost(
        t,
        {
          ...planInput(input, roleOps),
          extraPaths: target ? blobPathsOf(roleOps, stack) : [],
          // the current release's record: a rollback's here, a deploy's under the lock (lockAndReplan), or here too
          // when its roles have services (their records plan the services)
          readCurrentRelease: target ? true : 'id',
          readLock: !held,
          readRunState: true,
        },
        execHost(t, become),
      );
    let planned = await planAgain();
    const live = planned.lock !== undefined && liveOther(planned.lock, input) ? planned.lock : undefined;
    if (planned.jobs && planned.jobs.length > 0 && !live) {
      await waitForJobs(t, stack.stateDir, planned.jobs, { become, log: ctx.log });
      planned = await planAgain();
    }
    if (live && ctx.mode === 'deploy' && !ctx.breakLock)
      throw new LockHeldError(input.host, `${stack.stateDir}/lock`, live);
    const interrupted = live ? undefined : interruptedOf(planned);
    if (interrupted) planned = { ...planned, plan: { ...planned.plan, interrupted } };
    const current = currentOf(planned);
    const notes = live && ctx.mode === 'plan' ? [`a deploy holds the lock now: ${describeHolder(live)}`] : [];
    const result: HostResult = {
      host: input.host,
      status: 'ok',
      plan: planned.plan,
      changes: planned.plan.steps.length,
      counters: t.counters,
      ...(notes.length > 0 ? { notes } : {}),
    };
    return {
      ...base(),
      planned,
      result,
      ...(current ? { current } : {}),
      ...(target ? { target } : {}),
      ...(live && ctx.mode === 'deploy' ? { lockHeld: live } : {}),
    };
  } catch (err) {
    return { ...base(), result: failure(input.host, err, t) };
  }
}

/** A lock someone else holds and keeps: renewed within its lease, and not by a dead process of this workstation. */
function liveOther(lock: LockState, input: HostRunInput): boolean {
  return !lock.stale && !(lock.info !== undefined && holderGone(lock.info, input.run.workstationId));
}

function describeHolder(s: LockState): string {
  const i = s.info;
  return i
    ? `${i.user}@${i.workstation} (pid ${i.pid}, "${i.command}", since ${i.startedAt})`
    : 'unreadable lock content';
}

/** The deploy the marker left behind, when nobody running holds the lock (the caller checked that). */
function interruptedOf(planned: PlannedHost): InterruptedDeploy | undefined {
  const m = planned.marker;
  if (!m) return undefined;
  return {
    deployId: m.deployId,
    user: m.user,
    workstation: m.workstation,
    command: m.command,
    startedAt: m.startedAt,
    step: m.step,
  };
}
