// How a host's run ends on the host: the finish (release record, journal, marker removal, unlock) as its own last
// exec, or, for a deploy whose files are its only change, as the gated tail of the exec that writes them.
import type { ExecTail, TailOutcome } from '../apply/apply-files.js';
import { describeError } from '../core/errors/describe-error.js';
import { markerClearCmd } from '../journal/deploy-marker.js';
import { releaseWriteCmd } from '../release/release-store.js';
import { finishParts, type FinishStep, type FinishSteps } from './host-finish.js';
import type { HostResult } from './host-result.js';
import type { HostSession } from './host-session.js';

/**
 * What the finish of `s` writes for `result`: its release (when the apply recorded one, fenced), `journal`, the
 * marker's removal when the run concluded (not interrupted, not fenced, not cut off).
 */
export function finishSteps(s: HostSession, result: HostResult, journal: FinishStep | undefined): FinishSteps {
  const { stack } = s.input;
  const lost = result.status === 'unreachable' || s.input.run.signal?.aborted === true || result.lockLost === true;
  const ids = [s.input.run.runId, ...(s.planned?.plan.interrupted ? [s.planned.plan.interrupted.deployId] : [])];
  return {
    release: result.pendingRelease
      ? releaseWriteCmd(stack.stateDir, result.pendingRelease, stack.releasesKeep)
      : undefined,
    fence: s.lease?.fence,
    journal,
    ...(lost ? {} : { clearMarker: markerClearCmd(stack.stateDir, ids) }),
  };
}

/** `result` after a finish that did not write everything (`err` says what): a release it did not record fails it. */
export function unrecorded(result: HostResult, err: unknown): HostResult {
  if (!result.pendingRelease) return result;
  const { release: _id, ...rest } = result;
  return {
    ...rest,
    status: 'failed',
    error: `${result.error ? `${result.error}; ` : ''}${describeError(err)}: the deploy applied, but no release was recorded`,
  };
}

/** A finish riding the files' exec. */
export interface Conclusion {
  /** The finish's commands and stdin, for the files' exec. */
  readonly tail: ExecTail;
  /** The run's result once the tail ran (every file step had succeeded): `concluded`, or failed for no release. */
  settle(outcome: TailOutcome): HostResult;
  /** The tail did not run (a step failed, or the files took more than one exec): the usual finish follows. */
  withdraw(): void;
}

/**
 * The finish of a deploy that succeeds as `predicted` (the files' exec being its last change), for that exec to
 * carry; undefined when the run must finish on its own: it holds no lock, is not a deploy, has nothing to journal,
 * or is held at test pause points (whose `after-files` comes between the files and the finish). The journal's
 * closing event is stamped as the exec is sent, not when it ends.
 */
export function prepareConclusion(s: HostSession, predicted: HostResult): Conclusion | undefined {
  const held = s.held;
  const ctx = s.input.run;
  if (!held || ctx.mode !== 'deploy' || ctx.pause !== undefined || !s.journal.pending) return undefined;
  const journal = s.journal.closing(predicted);
  const finish = finishParts(held, finishSteps(s, predicted, journal.step));
  let open = true;
  return {
    // the exec ends by releasing the lock: a renewal beside it is needed only if it runs long (lock-lease.ts)
    tail: { cmds: finish.cmds, stdin: finish.stdin, sent: () => s.lease?.heartbeat.stretch() },
    settle(outcome) {
      open = false;
      // as a finish of its own does: the workstation's copy has the lines whatever the host's append did
      journal.commit();
      const done: HostResult = { ...predicted, concluded: true };
      try {
        finish.check(s.input.host, outcome.parts, outcome.stderr);
        return done;
      } catch (err) {
        ctx.log(describeError(err));
        return unrecorded(done, err);
      }
    },
    withdraw() {
      if (open) journal.withdraw();
      open = false;
    },
  };
}
