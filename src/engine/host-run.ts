// One host's run: connect once, lock (deploy/rollback), plan (pure), apply exactly that plan, record a release, journal, unlock.
import type { Connection } from '../config/connection.js';
import type { RoleOps } from '../config/render-roles.js';
import type { StackConfig } from '../config/stack-vars.js';
import { DiagnosticsError, formatDiagnostic } from '../core/diagnostic.js';
import type { Redactor } from '../core/redactor.js';
import { HostUnreachableError, RemoteCommandError } from '../transport/errors.js';
import type { Transport, TransportCounters } from '../transport/transport.js';
import { blobPathsOf, opsOfRelease, pickRollbackTarget } from './host-release.js';
import { lockingGather, plainGather } from './gather.js';
import { HostJournal } from './host-journal.js';
import { acquireLock, LockHeldError, type HeldLock, type LockInfo } from './lock.js';
import { planOnHost, type PlannedHost } from './plan-on-host.js';
import type { HostPlan, Step } from './plan-types.js';
import type { Release } from './release-schema.js';
import type { RunContext } from './run-context.js';
import type { GateResult } from './health-gate.js';
import { finishOnHost } from './host-finish.js';
import { releaseWriteCmd } from './release-store.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable';

export interface HostResult {
  readonly host: string;
  readonly status: HostStatus;
  readonly plan?: HostPlan;
  /** Steps applied (deploy) or to apply (plan). */
  readonly changes: number;
  readonly error?: string;
  readonly counters?: TransportCounters;
  /** The release recorded by this run, or re-applied by a rollback. */
  readonly release?: string;
  /** Set when a failed health gate put the previous release back. */
  readonly rolledBackTo?: string;
  /** The health gate's verdict on each service this run (re)created or started. */
  readonly gate?: readonly GateResult[];
  /** The release to record in the run's last exec (with the journal and the unlock). */
  readonly pendingRelease?: Release;
}

export interface HostRunInput {
  readonly host: string;
  readonly connection: Connection;
  readonly stack: StackConfig;
  readonly roleOps: readonly RoleOps[];
  readonly redactor: Redactor;
  readonly connect: (host: string, c: Connection) => Promise<Transport>;
  readonly run: RunContext;
}

/** A host after the planning phase: its open connection and lock (when it got them) and its plan or failure. */
export interface HostSession {
  readonly input: HostRunInput;
  readonly transport: Transport | undefined;
  readonly result: HostResult;
  readonly planned?: PlannedHost;
  readonly held?: HeldLock;
  /** The release current before this run (deploy: the auto-rollback target). */
  readonly current?: Release;
  /** rollback: the release being re-applied. */
  readonly target?: Release;
  readonly journal: HostJournal;
}

/** Connects, locks (deploy, rollback) and plans; never throws for host-level failures (they become the result). */
export async function openAndPlan(input: HostRunInput): Promise<HostSession> {
  const journal = new HostJournal(input);
  let t: Transport;
  try {
    t = await input.connect(input.host, input.connection);
  } catch (err) {
    return { input, journal, transport: undefined, result: { host: input.host, status: 'unreachable', changes: 0, error: describeError(err) } };
  }
  let held: HeldLock | undefined;
  try {
    const become = input.connection.become;
    const { run: ctx, stack } = input;
    // A rollback must read its release before it can plan: it locks first. A deploy plans without the lock (a host
    // with nothing to do is not written to at all) and takes it, with a fresh plan, only when it applies.
    if (ctx.lock && ctx.mode === 'rollback') held = await acquireLock(t, stack.stateDir, lockInfo(input), { breakStale: ctx.breakLock, become });
    const target = ctx.mode === 'rollback' ? await pickRollbackTarget(t, stack, ctx.rollbackTo, become) : undefined;
    const roleOps = target ? await opsOfRelease(t, target, stack, become) : input.roleOps;
    const rollback = ctx.mode === 'rollback';
    const planned = await planOnHost(t, { ...planInput(input, roleOps), extraPaths: rollback ? blobPathsOf(roleOps, stack) : [], readReleases: rollback, readLock: ctx.mode === 'deploy' }, plainGather(t, become));
    if (planned.lock && !(planned.lock.stale && ctx.breakLock)) throw new LockHeldError(input.host, `${stack.stateDir}/lock`, planned.lock);
    journalStart(journal, held, input);
    const current = currentOf(planned);
    const result: HostResult = { host: input.host, status: 'ok', plan: planned.plan, changes: planned.plan.steps.length, counters: t.counters };
    return { input, journal, transport: t, planned, result, ...(held ? { held } : {}), ...(current ? { current } : {}), ...(target ? { target } : {}) };
  } catch (err) {
    journalStart(journal, held, input);
    return { input, journal, transport: t, result: failure(input.host, err, t), ...(held ? { held } : {}) };
  }
}

function planInput(input: HostRunInput, roleOps: readonly RoleOps[]) {
  return { host: input.host, roleOps, redactor: input.redactor, stack: input.stack, become: input.connection.become, removeUndeclared: input.run.removeUndeclared };
}

function lockInfo(input: HostRunInput): LockInfo {
  return { ...(input.run.lock as LockInfo), ttlSec: input.stack.lockTtlSec };
}

function currentOf(planned: PlannedHost): Release | undefined {
  return planned.releases?.releases.find((r) => r.id === planned.releases?.current);
}

/**
 * Takes the deploy lock and plans again in the same exec (with the release facts apply needs); the plan applied is
 * always one made under the lock. It must equal the plan shown and confirmed, else nothing is done.
 */
async function lockAndReplan(t: Transport, s: HostSession, onLock: (held: HeldLock) => void): Promise<HostSession> {
  const { input } = s;
  const become = input.connection.become;
  const lock = { stateDir: input.stack.stateDir, info: lockInfo(input), breakStale: input.run.breakLock };
  let held: HeldLock | undefined;
  const gather = lockingGather(t, become, lock, (h) => {
    held = h;
    onLock(h);
  });
  const again = await planOnHost(t, { ...planInput(input, input.roleOps), extraPaths: blobPathsOf(input.roleOps, input.stack), readReleases: true }, gather);
  journalStart(s.journal, held, input);
  const before = s.planned?.plan;
  if (!before || !samePlan(before.steps, again.plan.steps, input.stack.stateDir)) {
    throw new Error(`${input.host}: the host changed between the plan and taking the deploy lock (another run?); nothing was changed: plan again`);
  }
  const current = currentOf(again);
  return { ...s, planned: again, ...(held ? { held } : {}), ...(current ? { current } : {}) };
}

/**
 * The steps, not the facts digest, and without the directory steps of the state dir's ancestors: taking the lock
 * creates the state dir (`mkdir -p`), which is often inside the project dir the plan was going to create.
 */
function samePlan(a: readonly Step[], b: readonly Step[], stateDir: string): boolean {
  const own = (st: Step): boolean => (st.kind === 'mkdir' || (st.kind === 'attrs' && st.target === 'dir')) && `${stateDir}/`.startsWith(`${st.path.replace(/\/+$/, '')}/`);
  const keep = (steps: readonly Step[]): string => JSON.stringify(steps.filter((st) => !own(st)));
  return keep(a) === keep(b);
}

function journalStart(journal: HostJournal, held: HeldLock | undefined, input: HostRunInput): void {
  if (!held) return;
  const ctx = input.run;
  if (held.broke) journal.add('lock.broken', { previous: held.broke });
  journal.add('deploy.started', { command: ctx.lock?.command ?? ctx.mode, workstation: ctx.workstation, git: ctx.git, roles: input.roleOps.filter((r) => r.selected).map((r) => r.role) });
}

/** Applies a planned session (when asked and it planned changes), journals, releases the lock and closes. */
export async function finishSession(s: HostSession, apply: boolean): Promise<HostResult> {
  const t = s.transport;
  if (!t) return s.result;
  const become = s.input.connection.become;
  let session = s;
  let result = s.result;
  try {
    const changes = s.planned !== undefined && s.planned.plan.steps.length > 0;
    if (s.input.run.signal?.aborted) result = { ...result, status: 'failed', changes: 0, error: 'interrupted before applying: nothing was changed on this host' };
    else if (apply && changes && !s.result.error) {
      if (!session.held) session = await lockAndReplan(t, session, (held) => (session = { ...session, held }));
      await s.input.run.pause?.('after-facts', s.input.host);
      // loaded only when there is something to apply: a no-op run never pays for the apply modules
      result = await (await import('./host-apply.js')).applyHost(t, session);
    }
    if (session.held && session.journal.pending) session.journal.finished(result, s.input.run.signal?.aborted === true);
  } catch (err) {
    result = failure(s.input.host, err, t);
    if (session.held && session.journal.pending) session.journal.finished(result, s.input.run.signal?.aborted === true);
  }
  if (session.held) result = await finishRun(t, session, result, become);
  // counted after the lock release: the result's round trips are the whole run's
  const counters = { ...t.counters };
  await t.close().catch(() => undefined);
  const { pendingRelease: _, ...shown } = result;
  return { ...shown, counters };
}

/** The last exec: the release (when the apply recorded one), the journal, the unlock. A failure there is reported, not thrown. */
async function finishRun(t: Transport, s: HostSession, result: HostResult, become: boolean): Promise<HostResult> {
  const release = result.pendingRelease ? releaseWriteCmd(s.input.stack.stateDir, result.pendingRelease, s.input.stack.releasesKeep) : undefined;
  try {
    await finishOnHost(t, s.held as HeldLock, { release, journal: s.journal.drainStep() }, become);
    return result;
  } catch (err) {
    s.input.run.log(describeError(err));
    if (!release) return result;
    const { release: _id, ...rest } = result;
    return { ...rest, error: `${describeError(err)}: the deploy applied, but no release was recorded` };
  }
}

export function failure(host: string, err: unknown, t: Transport | undefined): HostResult {
  const status: HostStatus = err instanceof HostUnreachableError ? 'unreachable' : 'failed';
  return { host, status, changes: 0, error: describeError(err), ...(t ? { counters: t.counters } : {}) };
}

export function describeError(err: unknown): string {
  if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
  if (err instanceof RemoteCommandError) return `${compactCommand(err.message)}${err.stderrTail ? `\n${err.stderrTail}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** rig's own multi-line scripts are noise in a summary: keep the message's first lines and the command's first line. */
function compactCommand(message: string): string {
  const lines = message.split('\n');
  if (lines.length <= 4) return message;
  return `${lines.slice(0, 2).join('\n')} … (${lines.length - 2} more lines of rig's script)`;
}
