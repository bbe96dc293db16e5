// Applies a planned host session: journal what happens, record a release on success, roll back by itself on a failed health gate.
import type { Transport } from '../transport/transport.js';
import { applyPlan } from './apply-plan.js';
import { HealthGateError, PrecheckError } from './apply-compose.js';
import { hostRelease, opsOfRelease, releaseBlobWrites } from './host-release.js';
import { describeError, failure, type HostResult, type HostSession } from './host-run.js';
import { planOnHost } from './plan-on-host.js';
import type { HostPlan } from './plan-types.js';
import { fileProbeCache } from './probe-cache.js';

/** Applies `s`'s plan; never throws: failures (and automatic rollbacks) become the result. */
export async function applyHost(t: Transport, s: HostSession): Promise<HostResult> {
  const planned = s.planned;
  if (!planned || planned.plan.steps.length === 0) return s.result;
  const { plan } = planned;
  const become = s.input.connection.become;
  const ctx = s.input.run;
  journalFiles(s, plan);
  try {
    const extra = releaseBlobWrites(planned.roleOps, s.input.stack, planned.facts);
    const { gate } = await applyPlan(t, plan, planned.roleOps, { become, before: planned.before, extraFiles: extra.files, extraDirs: extra.dirs, ...callbacks(s), ...(ctx.signal ? { signal: ctx.signal } : {}) });
    const release = hostRelease({ stack: s.input.stack, roleOps: planned.roleOps, plan, previous: s.current, run: ctx, host: s.input.host, gate, docker: planned.docker, ...(s.target ? { from: s.target.id } : {}) });
    return { ...s.result, status: 'changed', release: release.id, pendingRelease: release, ...(gate.length > 0 ? { gate } : {}) };
  } catch (err) {
    if (err instanceof HealthGateError) return onGateFailure(t, s, err);
    if (err instanceof PrecheckError) s.journal.add('precheck.failed', { failures: err.failures });
    if (ctx.signal?.aborted) return { ...failure(s.input.host, err, t), error: `interrupted: ${describeError(err)}` };
    return failure(s.input.host, err, t);
  }
}

function callbacks(s: HostSession) {
  return {
    probeCache: fileProbeCache(s.input.run.root),
    onServices: (steps: readonly { service: string; action: string; reasons: readonly string[] }[]) => {
      for (const st of steps) s.journal.add('service.recreated', { service: st.service, action: st.action, reasons: st.reasons });
    },
    onGate: (results: readonly { service: string; ok: boolean; detail: string; seconds: number }[]) => {
      for (const r of results) s.journal.add('health.result', { service: r.service, ok: r.ok, detail: r.detail, seconds: r.seconds });
    },
  };
}

function journalFiles(s: HostSession, plan: HostPlan): void {
  const paths = plan.steps.flatMap((st) => (st.kind === 'write' || st.kind === 'attrs' || st.kind === 'mkdir' ? [st.path] : []));
  if (paths.length > 0) s.journal.add('files.changed', { paths });
}

/** Prints the failing services' logs, then re-applies the release that was current before this run (unless told not to). */
async function onGateFailure(t: Transport, s: HostSession, err: HealthGateError): Promise<HostResult> {
  const ctx = s.input.run;
  const host = s.input.host;
  for (const [service, logs] of err.logs) ctx.log(`${host}: ${service}: last 50 log lines:\n${logs.split('\n').map((l) => `  | ${l}`).join('\n')}`);
  const base = { ...failure(host, err, t), gate: err.results };
  if (!ctx.autoRollback) return { ...base, error: `${err.message}; left as it is (--no-rollback)` };
  if (!s.current) return { ...base, error: `${err.message}; no earlier release on this host to roll back to, left as it is` };
  const to = s.current.id;
  s.journal.add('rollback.started', { to, reason: err.message });
  try {
    const become = s.input.connection.become;
    const roleOps = await opsOfRelease(t, s.current, s.input.stack, become);
    const again = await planOnHost(t, { host, roleOps, redactor: s.input.redactor, stack: s.input.stack, become, removeUndeclared: ctx.removeUndeclared });
    await applyPlan(t, again.plan, again.roleOps, { become, before: again.before, ...callbacks(s) });
    s.journal.add('rollback.finished', { to, ok: true, changes: again.plan.steps.length });
    return { ...base, error: `${err.message}; rolled back to release ${to} (${again.plan.steps.length} changes)`, rolledBackTo: to };
  } catch (rbErr) {
    s.journal.add('rollback.finished', { to, ok: false, error: describeError(rbErr) });
    return { ...base, error: `${err.message}; the rollback to release ${to} failed too: ${describeError(rbErr)}` };
  }
}
