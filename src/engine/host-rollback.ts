// The automatic rollback of a deploy whose `compose up` or health gate failed: the release that was current before it
// goes back on the host (its files, its containers) through the ordinary plan/apply path, unless --no-rollback.
import type { Transport } from '../transport/transport.js';
import { applyPlan, type ApplyPlanOptions } from '../apply/apply-plan.js';
import { ComposeUpError, type ComposeApplyOptions, type HealthGateError } from '../apply/apply-compose.js';
import { opsOfRelease } from './host-release.js';
import { describeError } from '../core/errors/describe-error.js';
import { failure, type HostResult } from './host-result.js';
import type { HostSession } from './host-session.js';
import { planOnHost } from '../plan/plan-on-host.js';

/**
 * Prints the failing services' logs, then re-applies the release that was current before this run (unless told not to).
 */
export async function rollBack(
  t: Transport,
  s: HostSession,
  err: HealthGateError | ComposeUpError,
  how: Pick<ComposeApplyOptions, 'runPhase' | 'onServices' | 'onGate'> & Pick<ApplyPlanOptions, 'afterFiles'>,
): Promise<HostResult> {
  const ctx = s.input.run;
  const host = s.input.host;
  if (!(err instanceof ComposeUpError)) {
    for (const [service, logs] of err.logs)
      ctx.log(
        `${host}: ${service}: last 50 log lines:\n${logs
          .split('\n')
          .map((l) => `  | ${l}`)
          .join('\n')}`,
      );
  }
  const base = { ...failure(host, err, t), ...(err instanceof ComposeUpError ? {} : { gate: err.results }) };
  if (!ctx.autoRollback) return { ...base, error: `${err.message}; left as it is (--no-rollback)` };
  if (!s.current)
    return { ...base, error: `${err.message}; no earlier release on this host to roll back to, left as it is` };
  const to = s.current.id;
  s.journal.add('rollback.started', { to, reason: err.message });
  try {
    const become = s.input.connection.become;
    const roleOps = await opsOfRelease(t, s.current, s.input.stack, become);
    const again = await planOnHost(t, {
      host,
      roleOps,
      redactor: s.input.redactor,
      stack: s.input.stack,
      become,
      removeUndeclared: ctx.removeUndeclared,
    });
    await applyPlan(t, again.plan, again.roleOps, { become, before: again.before, ...how });
    s.journal.add('rollback.finished', { to, ok: true, changes: again.plan.steps.length });
    return {
      ...base,
      error: `${err.message}; rolled back to release ${to} (${again.plan.steps.length} changes)`,
      rolledBackTo: to,
    };
  } catch (rbErr) {
    s.journal.add('rollback.finished', { to, ok: false, error: describeError(rbErr) });
    return { ...base, error: `${err.message}; the rollback to release ${to} failed too: ${describeError(rbErr)}` };
  }
}
