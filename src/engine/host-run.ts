// One host's run: connect once, lock (deploy/rollback), plan (pure), apply exactly that plan, record a release, journal, unlock.
import type { Connection } from '../config/connection.js';
import type { RoleOps } from '../config/render-roles.js';
import type { StackConfig } from '../config/stack-vars.js';
import { DiagnosticsError, formatDiagnostic } from '../core/diagnostic.js';
import type { Redactor } from '../core/redactor.js';
import { HostUnreachableError, RemoteCommandError } from '../transport/errors.js';
import type { Transport, TransportCounters } from '../transport/transport.js';
import { blobPathsOf, currentRelease, opsOfRelease, pickRollbackTarget } from './host-release.js';
import { HostJournal } from './host-journal.js';
import { acquireLock, type HeldLock } from './lock.js';
import { hasCompose, planOnHost, type PlannedHost } from './plan-on-host.js';
import type { HostPlan } from './plan-types.js';
import type { Release } from './release-schema.js';
import type { RunContext } from './run-context.js';
import { applyHost } from './host-apply.js';
import type { GateResult } from './health-gate.js';

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
    if (ctx.lock) held = await acquireLock(t, stack.stateDir, { ...ctx.lock, ttlSec: stack.lockTtlSec }, { breakStale: ctx.breakLock, become });
    if (held?.broke) journal.add('lock.broken', { previous: held.broke });
    if (held) journal.add('deploy.started', { command: ctx.lock?.command ?? ctx.mode, workstation: ctx.workstation, git: ctx.git, roles: input.roleOps.filter((r) => r.selected).map((r) => r.role) });
    const target = ctx.mode === 'rollback' ? await pickRollbackTarget(t, stack, ctx.rollbackTo, become) : undefined;
    const roleOps = target ? await opsOfRelease(t, target, stack, become) : input.roleOps;
    const wantsRelease = ctx.mode !== 'plan';
    const [planned, current] = await Promise.all([
      planOnHost(t, { host: input.host, roleOps, redactor: input.redactor, stack, become, removeUndeclared: ctx.removeUndeclared, extraPaths: wantsRelease ? blobPathsOf(roleOps, stack) : [] }),
      wantsRelease && (hasCompose(roleOps) || ctx.mode === 'rollback') ? currentRelease(t, stack, become) : undefined,
    ]);
    const result: HostResult = { host: input.host, status: 'ok', plan: planned.plan, changes: planned.plan.steps.length, counters: t.counters };
    return { input, journal, transport: t, planned, result, ...(held ? { held } : {}), ...(current ? { current } : {}), ...(target ? { target } : {}) };
  } catch (err) {
    return { input, journal, transport: t, result: failure(input.host, err, t), ...(held ? { held } : {}) };
  }
}

/** Applies a planned session (when asked and it planned changes), journals, releases the lock and closes. */
export async function finishSession(s: HostSession, apply: boolean): Promise<HostResult> {
  const t = s.transport;
  if (!t) return s.result;
  const become = s.input.connection.become;
  let result = s.result;
  try {
    if (s.input.run.signal?.aborted) result = { ...result, status: 'failed', changes: 0, error: 'interrupted before applying: nothing was changed on this host' };
    else if (apply && s.planned && !s.result.error) result = await applyHost(t, s);
    if (s.held && s.journal.pending) s.journal.finished(result, s.input.run.signal?.aborted === true);
    return { ...result, counters: t.counters };
  } catch (err) {
    return failure(s.input.host, err, t);
  } finally {
    if (s.held) await s.journal.flushAndRelease(t, s.held, become).catch((err: unknown) => s.input.run.log(`${s.input.host}: journal or lock release: ${describeError(err)}`));
    await t.close().catch(() => undefined);
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
