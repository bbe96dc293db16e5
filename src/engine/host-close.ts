// One host's run, last phase: apply the plan under the lock (when asked), then the one exec that records, journals and
// unlocks (for a deploy that changes files only, the tail of the exec that writes them); a connection lost on the way
// is opened again just for that.
import type { Transport } from '../transport/transport.js';
import { fencedTransport } from '../lock/fence.js';
import { finishOnHost } from './host-finish.js';
import { finishSteps, prepareConclusion, unrecorded } from './host-conclude.js';
import { lockAndReplan } from './host-lock.js';
import { describeError } from '../core/errors/describe-error.js';
import { failure, type HostResult } from './host-result.js';
import type { HostSession } from './host-session.js';
import type { HeldLock } from '../lock/lock.js';
import { HostUnreachableError } from '../core/errors/remote-errors.js';

/** Whether applying has anything to do on the host: a run that applies, and a plan with steps or a deploy to conclude. */
function applies(s: HostSession, apply: boolean): boolean {
  const plan = s.planned?.plan;
  return apply && plan !== undefined && (plan.steps.length > 0 || plan.interrupted !== undefined) && !s.result.error;
}

/**
 * Whether finishing the host will only close its connection: nothing to apply, no lock to release, no held lock to
 * show (`--break-lock`). Such a connection can be closed as soon as the host is planned.
 */
export function onlyClosing(s: HostSession, apply: boolean): boolean {
  return !applies(s, apply) && s.held === undefined && s.lockHeld === undefined;
}

/** Applies a planned session (when asked and it planned changes), journals, releases the lock and closes. */
export async function finishSession(s: HostSession, apply: boolean): Promise<HostResult> {
  const t = s.transport;
  if (!t) return s.result;
  let session = s;
  let result = s.result;
  const aborted = (): boolean => s.input.run.signal?.aborted === true;
  try {
    if (aborted())
      result = {
        ...result,
        status: 'failed',
        changes: 0,
        error: 'interrupted before applying: nothing was changed on this host',
      };
    else if (applies(s, apply)) {
      if (!session.held) {
        await s.input.run.pause?.('before-lock', s.input.host);
        session = await lockAndReplan(t, session, (held, lease) => (session = { ...session, held, lease }));
      }
      // issue 13's attack point: the facts were read under the lock, the apply is next
      await s.input.run.pause?.('after-facts', s.input.host);
      const fence = session.lease?.fence;
      // loaded only when there is something to apply: a no-op run never pays for the apply modules
      const { applyHost } = await import('./host-apply.js');
      const applied = session;
      result = await applyHost(fence ? fencedTransport(t, fence, s.input.connection.become) : t, applied, (predicted) =>
        prepareConclusion(applied, predicted),
      );
    }
  } catch (err) {
    result = failure(s.input.host, err, t);
  }
  if (!result.concluded && session.held && session.journal.pending) session.journal.finished(result, aborted());
  await session.lease?.heartbeat.stop();
  if (!result.concluded && session.held) result = await finishRun(t, session, result);
  // counted after the lock release: the result's round trips are the whole run's
  const counters = { ...t.counters };
  await t.close().catch(() => undefined);
  const { pendingRelease: _, concluded: _done, ...shown } = result;
  return { ...shown, counters };
}

/**
 * The last exec: the release (when the apply recorded one), the journal, the marker (when the run concluded: not
 * interrupted, not fenced, not cut off), the unlock. A lost connection is opened again once for it. A failure is
 * reported, not thrown.
 */
async function finishRun(t: Transport, s: HostSession, result: HostResult): Promise<HostResult> {
  const held = s.held as HeldLock;
  const steps = finishSteps(s, result, s.journal.drainStep());
  try {
    await finishOnHost(t, held, steps, s.input.connection.become);
    return result;
  } catch (err) {
    if (err instanceof HostUnreachableError) {
      const again = await reconnectAndFinish(s, held, steps);
      if (again === undefined) return result;
      s.input.run.log(again);
    } else s.input.run.log(describeError(err));
    return unrecorded(result, err);
  }
}

/** A second connection for the last exec; undefined when it worked, else why not. */
async function reconnectAndFinish(
  s: HostSession,
  held: HeldLock,
  steps: Parameters<typeof finishOnHost>[2],
): Promise<string | undefined> {
  let t2: Transport | undefined;
  try {
    t2 = await s.input.connect(s.input.host, s.input.connection);
    await finishOnHost(t2, held, steps, s.input.connection.become);
    s.input.run.log(
      `${s.input.host}: the connection dropped; reconnected to journal this run and release the deploy lock`,
    );
    return undefined;
  } catch (err) {
    return `${s.input.host}: the connection dropped and reconnecting to release the deploy lock failed: ${describeError(err)}; the next run takes it over once its lease ends`;
  } finally {
    await t2?.close().catch(() => undefined);
  }
}
