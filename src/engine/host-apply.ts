// Applies a planned host session: the deploy marker and the journal on the host as it goes, container changes as
// detached host jobs, a release recorded on success, an automatic rollback when `up` or the health gate fails.
import type { Cmd } from '../core/cmd/cmd.js';
import type { Phase } from '../core/desired/service.js';
import type { Transport } from '../transport/transport.js';
import { applyPlan, filesOnly } from '../apply/apply-plan.js';
import { ApplyFilesError, FileCheckError } from '../apply/apply-files-error.js';
import { ComposeUpError, HealthGateError, PrecheckError, type PhaseRunEnd } from '../apply/apply-compose.js';
import { markerLine, markerWriteStep, type DeployMarker, type MarkerStep } from '../journal/deploy-marker.js';
import { LockLostError } from '../lock/fence.js';
import { runHostJob, runParts, type ExecPart } from '../apply/host-job.js';
import { startMarker } from './host-lock.js';
import { hostRelease, releaseBlobWrites } from './host-release.js';
import { describeError } from '../core/errors/describe-error.js';
import { failure, type HostResult } from './host-result.js';
import { rollBack } from './host-rollback.js';
import type { HostSession } from './host-session.js';
import type { PausePoint } from './test-pause.js';
import type { HostPlan, ServiceStep } from '../core/plan-data/plan-types.js';
import { fileProbeCache } from '../apply/probe-cache.js';
import type { GateResult } from '../apply/health-gate.js';
import type { Conclusion } from './host-conclude.js';

/**
 * Applies `s`'s plan; never throws: failures (and automatic rollbacks) become the result. When the plan changes
 * files only, `conclude` may give the run's finish for the exec that writes them (its result is then `concluded`).
 */
export async function applyHost(
  t: Transport,
  s: HostSession,
  conclude?: (predicted: HostResult) => Conclusion | undefined,
): Promise<HostResult> {
  const planned = s.planned;
  if (!planned) return s.result;
  const { plan } = planned;
  const ctx = s.input.run;
  const progress = { done: 0 };
  if (plan.interrupted)
    s.journal.add('deploy.resumed', {
      previous: plan.interrupted.deployId,
      by: `${plan.interrupted.user}@${plan.interrupted.workstation}`,
      step: plan.interrupted.step,
      startedAt: plan.interrupted.startedAt,
    });
  // only an interrupted deploy to conclude: every service is recorded and through its gate, nothing to change
  if (plan.steps.length === 0) return { ...s.result, status: 'ok' };
  const pause = (point: PausePoint) => (): Promise<void> => ctx.pause?.(point, s.input.host) ?? Promise.resolve();
  let conclusion: Conclusion | undefined;
  try {
    await pause('before-files')();
    ctx.signal?.throwIfAborted();
    journalFiles(s, plan);
    // a deploy wrote its marker as it took the lock; a rollback took its lock before it knew its plan
    if (ctx.mode === 'rollback')
      await runParts(
        t,
        [markerWriteStep(s.input.stack.stateDir, marker(s, 'files')), ...journalPart(s)],
        s.input.connection.become,
      );
    const extra = releaseBlobWrites(planned.roleOps, s.input.stack, planned.facts);
    const recorded = (gate: readonly GateResult[]): HostResult => {
      const release = hostRelease({
        stack: s.input.stack,
        roleOps: planned.roleOps,
        plan,
        previous: s.current,
        after: planned.releases?.current,
        run: ctx,
        host: s.input.host,
        gate,
        docker: planned.docker,
        ...(s.target ? { from: s.target.id } : {}),
      });
      return {
        ...s.result,
        status: 'changed',
        release: release.id,
        pendingRelease: release,
        ...(gate.length > 0 ? { gate } : {}),
      };
    };
    // files only: no container is gated, so the result is known before the exec that writes them, which can end the run
    conclusion = conclude && filesOnly(plan) ? conclude(recorded([])) : undefined;
    const { gate, tail } = await applyPlan(t, plan, planned.roleOps, {
      become: s.input.connection.become,
      before: planned.before,
      extraFiles: extra.files,
      extraDirs: extra.dirs,
      ...callbacks(s),
      progress,
      afterFiles: pause('after-files'),
      runPhase: phaseRunner(t, s, pause('during-up')),
      beforeGate: pause('during-gate'),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(conclusion ? { tail: conclusion.tail } : {}),
    });
    if (conclusion && tail) return conclusion.settle(tail);
    conclusion?.withdraw();
    return recorded(gate);
  } catch (err) {
    conclusion?.withdraw();
    return afterError(t, s, err, progress.done);
  }
}

async function afterError(t: Transport, s: HostSession, err: unknown, done: number): Promise<HostResult> {
  const ctx = s.input.run;
  const steps = s.planned?.plan.steps.length ?? 0;
  if (err instanceof LockLostError) {
    s.journal.add('lock.lost', { reason: err.reason, changes: done });
    return { ...failure(s.input.host, err, t), changes: done, lockLost: true };
  }
  if (err instanceof HealthGateError || err instanceof ComposeUpError)
    return rollBack(t, s, err, {
      ...callbacks(s),
      runPhase: phaseRunner(t, s, undefined),
      afterFiles: () => ctx.pause?.('during-rollback', s.input.host) ?? Promise.resolve(),
    });
  if (err instanceof PrecheckError) s.journal.add('precheck.failed', { failures: err.failures });
  if (err instanceof ApplyFilesError || err instanceof FileCheckError) journalFilesFailed(s, err);
  const base = { ...failure(s.input.host, err, t), changes: done };
  if (ctx.signal?.aborted)
    return {
      ...base,
      error: `interrupted after ${done} of ${steps} changes: ${describeError(err)}${done > 0 ? '; the next deploy finishes what this one began' : ''}`,
    };
  return base;
}

/** The run's marker at `step` (it took the lock with step `files`). */
function marker(s: HostSession, step: MarkerStep): DeployMarker {
  return { ...startMarker(s), step };
}

/** The journal lines buffered so far, as a part of the next exec (the host keeps them even if rig dies after). */
function journalPart(s: HostSession): ExecPart[] {
  const step = s.journal.drainStep();
  return step ? [step] : [];
}

/**
 * A phase's container changes as a detached host job, started in one exec with the marker (`up`) and the journal so
 * far; the job appends its own outcome to the host's journal, and the follower advances the marker to `gate`.
 */
function phaseRunner(
  t: Transport,
  s: HostSession,
  started: (() => Promise<void>) | undefined,
): (phase: Phase, cmd: Cmd, steps: readonly ServiceStep[]) => Promise<PhaseRunEnd> {
  const ctx = s.input.run;
  const { stateDir } = s.input.stack;
  return async (phase, cmd, steps) => {
    const services = steps.map((st) => st.service);
    const ok = s.journal.render(
      steps.map((st) => ({
        event: 'service.recreated',
        data: { service: st.service, action: st.action, reasons: st.reasons },
      })),
    );
    const failed = s.journal.render([{ event: 'compose.failed', data: { phase, services } }]);
    const id = `${ctx.runId}-${phase}-${Date.now().toString(36)}`;
    const meta = {
      deployId: ctx.runId,
      user: ctx.user,
      workstation: ctx.workstation,
      what: `compose up of ${services.join(', ')}`,
      startedAt: new Date().toISOString(),
    };
    const parts = [markerWriteStep(stateDir, marker(s, 'up')), ...journalPart(s)];
    const text = (lines: readonly string[]): string => lines.map((l) => `${l}\n`).join('');
    const end = await runHostJob(
      t,
      stateDir,
      { id, cmd, meta, okLines: text(ok), failedLines: text(failed) },
      {
        become: s.input.connection.become,
        parts,
        markerOnSuccess: markerLine(marker(s, 'gate')),
        ...(started ? { started } : {}),
      },
    );
    s.journal.mirror(end.code === 0 ? ok : failed);
    return end;
  };
}

function callbacks(s: HostSession) {
  return {
    probeCache: fileProbeCache(s.input.run.root),
    // (re)created and removed services are journaled by their host job; reloads here
    onServices: (steps: readonly ServiceStep[]) => {
      for (const st of steps)
        if (st.action === 'reload')
          s.journal.add('service.recreated', { service: st.service, action: st.action, reasons: st.reasons });
    },
    onGate: (
      results: readonly { service: string; ok: boolean; detail: string; seconds: number; afterCheckSec?: number }[],
    ) => {
      for (const r of results)
        s.journal.add('health.result', {
          service: r.service,
          ok: r.ok,
          detail: r.detail,
          seconds: r.seconds,
          ...(r.afterCheckSec === undefined ? {} : { afterCheckSec: r.afterCheckSec }),
        });
    },
  };
}

/** The paths a plan changes (`files.changed`), without rig's own (release blobs) that ride the same exec. */
function changedPaths(plan: HostPlan): string[] {
  return plan.steps.flatMap((st) =>
    st.kind === 'write' || st.kind === 'attrs' || st.kind === 'mkdir' ? [st.path] : [],
  );
}

function journalFiles(s: HostSession, plan: HostPlan): void {
  const paths = changedPaths(plan);
  if (paths.length > 0) s.journal.add('files.changed', { paths });
}

/** `files.changed` was journaled as the files began: where they stopped, and which of its paths were applied. */
function journalFilesFailed(s: HostSession, err: ApplyFilesError | FileCheckError): void {
  const paths = new Set(s.planned ? changedPaths(s.planned.plan) : []);
  const mine = (list: readonly string[]): string[] => list.filter((p) => paths.has(p));
  s.journal.add(
    'files.failed',
    err instanceof ApplyFilesError
      ? { path: err.path, what: err.what, applied: mine(err.done), unchanged: mine(err.notDone) }
      : { path: err.path, what: 'check', applied: [], unchanged: [...paths] },
  );
}
