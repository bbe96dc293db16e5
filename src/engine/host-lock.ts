// A host run and its deploy lock: the holder line, taking it (with the plan made under it), the lease kept alive
// while the run works, and the journal lines that say how it was taken.
import type { Transport } from '../transport/transport.js';
import { lockingGather } from '../plan/gather.js';
import type { HostJournal } from './host-journal.js';
import { currentOf, planInput, type HostRunInput, type HostSession, type Lease } from './host-session.js';
import { blobPathsOf } from './host-release.js';
import { startHeartbeat } from '../lock/lock-lease.js';
import type { AcquireOptions, HeldLock, LockInfo } from '../lock/lock.js';
import type { BreakTarget } from '../lock/lock-script.js';
import { planOnHost } from '../plan/plan-on-host.js';
import { findContainer } from '../compose/plan-services.js';
import { markerWriteStep, type DeployMarker } from '../journal/deploy-marker.js';
import type { Step } from '../core/plan-data/plan-types.js';
import { RELEASE_ID } from '../release/release-schema.js';

/** The run's holder line for this host, with the host's lease. */
export function lockInfo(input: HostRunInput): LockInfo {
  return { ...(input.run.lock as LockInfo), ttlSec: input.stack.lockLeaseSec };
}

export function acquireOptions(input: HostRunInput, breakHolder: BreakTarget | undefined): AcquireOptions {
  const ws = input.run.workstationId;
  return {
    become: input.connection.become,
    ...(ws !== undefined ? { workstationId: ws } : {}),
    ...(breakHolder ? { breakHolder } : {}),
  };
}

/**
 * Starts renewing `held` at once (a confirmation prompt or a long gate must not let it expire); `takenAt`: when the
 * exec that took it was sent.
 */
export function startLease(t: Transport, held: HeldLock, input: HostRunInput, takenAt: number): Lease {
  const heartbeat = startHeartbeat(t, held, input.connection.become, takenAt);
  return { heartbeat, fence: { stateDir: input.stack.stateDir, token: held.info.token, leaseSec: held.info.ttlSec } };
}

/**
 * Takes the deploy lock and plans again in the same exec (with the release facts apply needs); the plan applied is
 * always one made under the lock. It must equal the plan shown and confirmed, else nothing is done.
 */
export async function lockAndReplan(
  t: Transport,
  s: HostSession,
  onLock: (held: HeldLock, lease: Lease) => void,
): Promise<HostSession> {
  const { input } = s;
  const become = input.connection.become;
  const opts = acquireOptions(input, s.breakHolder);
  let held: HeldLock | undefined;
  let lease: Lease | undefined;
  const then = markerWriteStep(input.stack.stateDir, startMarker(s));
  const asked = Date.now();
  const took = (h: HeldLock): void => {
    held = h;
    lease = startLease(t, h, input, asked);
    onLock(h, lease);
  };
  const gather = lockingGather(t, become, {
    stateDir: input.stack.stateDir,
    info: lockInfo(input),
    ...opts,
    then,
    onLock: took,
  });
  const again = await planOnHost(
    t,
    {
      ...planInput(input, input.roleOps),
      ...(s.planned?.marker ? { unfinished: s.planned.marker } : {}),
      extraPaths: blobPathsOf(input.roleOps, input.stack),
      readCurrentRelease: true,
      // not the run state (marker, host jobs): openAndPlan, which acts on it, has run, and its marker is given above;
      // the marker there would be the one this exec has just written (a `cat` less per host)
    },
    gather,
  );
  journalStart(s.journal, held, input);
  const before = s.planned?.plan;
  if (!before || !samePlan(before.steps, again.plan.steps, input.stack.stateDir)) {
    const what = before ? planDifference(before.steps, again.plan.steps, input.stack.stateDir) : '';
    throw new Error(
      `${input.host}: the host changed between the plan and taking the deploy lock, another run?${what}; nothing was changed: plan again`,
    );
  }
  const current = currentOf(again);
  const plan = before.interrupted ? { ...again.plan, interrupted: before.interrupted } : again.plan;
  return {
    ...s,
    planned: { ...again, plan },
    ...(held ? { held } : {}),
    ...(lease ? { lease } : {}),
    ...(current ? { current } : {}),
  };
}

/**
 * The marker a deploy writes as it takes the lock (step `files`: from here on it may change the host), from the plan
 * shown; it replaces the marker of an interrupted deploy, which this one finishes. Cleared when the run concludes.
 */
export function startMarker(s: HostSession): DeployMarker {
  const ctx = s.input.run;
  const steps = s.planned?.plan.steps ?? [];
  const services = steps.flatMap((st) => (st.kind === 'service' ? [st.service] : []));
  // the containers it is to recreate or reload, as the plan found them
  const [containers, project] = [s.planned?.docker?.containers ?? [], s.planned?.plan.compose?.project ?? ''];
  const pending = steps.flatMap((st) => {
    if (st.kind !== 'service' || (st.action !== 'recreate' && st.action !== 'reload')) return [];
    const c = findContainer(containers, project, st.service, st.container);
    return c ? [{ id: c.id, action: st.action }] : [];
  });
  // the id the host's `current` named when planned (a plan of files alone reads no record: openAndPlan)
  const previous = s.planned?.releases?.current;
  return {
    deployId: ctx.runId,
    user: ctx.user,
    workstation: ctx.workstation,
    command: ctx.lock?.command ?? ctx.mode,
    startedAt: ctx.lock?.startedAt ?? new Date().toISOString(),
    step: 'files',
    services,
    ...(pending.length > 0 ? { pending } : {}),
    ...(previous !== undefined && RELEASE_ID.test(previous) ? { previous } : {}),
  };
}

/**
 * Whether two plans do the same: the steps, not the facts digest; without the directory steps of the state dir's
 * ancestors (taking the lock creates the state dir, `mkdir -p`, often inside the project dir the plan was going to
 * create); and without a service step's reasons, which say why and may change while the work does not (a container
 * a dead run recreated is gated as `health starting` in one plan and as `not in the current release` a second
 * later). What a step does is in the rest of it: action, fingerprint, digests, modes. (The marker read under the lock
 * is this run's own: it was written as the lock was taken.)
 */
export function samePlan(a: readonly Step[], b: readonly Step[], stateDir: string): boolean {
  return JSON.stringify(comparable(a, stateDir)) === JSON.stringify(comparable(b, stateDir));
}

function kept(steps: readonly Step[], stateDir: string): Step[] {
  const own = (st: Step): boolean =>
    (st.kind === 'mkdir' || (st.kind === 'attrs' && st.target === 'dir')) &&
    `${stateDir}/`.startsWith(`${st.path.replace(/\/+$/, '')}/`);
  return steps.filter((st) => !own(st));
}

function comparable(steps: readonly Step[], stateDir: string): unknown[] {
  return kept(steps, stateDir).map((st) => {
    if (st.kind !== 'service') return st;
    const { reasons: _reasons, why: _why, ...work } = st;
    return work;
  });
}

/** What differs between the plan shown and the plan made under the lock, by what each step acts on, for the refusal. */
function planDifference(shown: readonly Step[], locked: readonly Step[], stateDir: string): string {
  const label = (st: Step): string => {
    if (st.kind === 'service') return `${st.action} ${st.service}`;
    if (st.kind === 'pull') return `pull ${st.image}`;
    if (st.kind === 'command' || st.kind === 'handler' || st.kind === 'network') return `${st.kind} ${st.name}`;
    return `${st.kind} ${st.path}`;
  };
  const byLabel = (steps: readonly Step[]): Map<string, string> =>
    new Map(kept(steps, stateDir).map((st) => [label(st), JSON.stringify(comparable([st], stateDir))]));
  const a = byLabel(shown);
  const b = byLabel(locked);
  const parts = [
    ...[...a.keys()].filter((k) => !b.has(k)).map((k) => `no longer ${k}`),
    ...[...b.keys()].filter((k) => !a.has(k)).map((k) => `now also ${k}`),
    ...[...a].filter(([k, v]) => b.has(k) && b.get(k) !== v).map(([k]) => `${k} differs`),
  ];
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

/** The run's first journal lines once it holds the lock: how it got it (when taken over), then `deploy.started`. */
export function journalStart(journal: HostJournal, held: HeldLock | undefined, input: HostRunInput): void {
  if (!held) return;
  const ctx = input.run;
  const took = held.took;
  if (took) {
    const p = took.previous;
    const previous = p
      ? {
          user: p.user,
          workstation: p.workstation,
          pid: p.pid,
          command: p.command,
          startedAt: p.startedAt,
          ...(p.deployId ? { deployId: p.deployId } : {}),
        }
      : null;
    const data = { previous, notRenewedForSec: took.ageSec, movedTo: took.movedTo };
    if (took.reason === 'broken') journal.add('lock.broken', data);
    else
      journal.add('lock.expired', {
        ...data,
        reason: took.reason === 'expired' ? 'its lease expired' : 'its process is gone (this workstation)',
        since: took.previous?.startedAt ?? null,
      });
  }
  journal.add('deploy.started', {
    command: ctx.lock?.command ?? ctx.mode,
    workstation: ctx.workstation,
    git: ctx.git,
    roles: input.roleOps.filter((r) => r.selected).map((r) => r.role),
  });
}
