// Human and JSON renderings of a plan or deploy result: per host, the steps with why, diffs, and a summary.
import { formatFileChange } from '../../diff/file-diff.js';
import type { HostResult } from '../../engine/host-run.js';
import type { Plan, Step } from '../../core/plan-data/plan-types.js';

const SERVICE_MARK = { create: '+', recreate: '~', start: '>', reload: '↻', remove: '-', gate: '?' } as const;

/** The lines describing one step (a write shows its diff lines after the head). */
export function stepLines(step: Step): string[] {
  const tail = `  [${step.role}] ${step.why}`;
  switch (step.kind) {
    case 'mkdir':
      return [`+ mkdir ${step.path}${step.mode !== undefined ? ` (mode 0${step.mode.toString(8)})` : ''}${tail}`];
    case 'attrs':
      return [`~ ${step.target === 'dir' ? 'dir ' : ''}${step.path}${tail}`];
    case 'write': {
      const [head = '', ...diff] = formatFileChange(step.change);
      return [`${head}${tail}`, ...diff];
    }
    case 'command':
      return [`! run ${step.name}: ${step.command}${tail}`];
    case 'handler':
      return [`! handler ${step.name}: ${step.command}${tail}`];
    case 'pull':
      return [`↓ pull ${step.image}${tail}`];
    case 'network':
      return [`+ network ${step.name}${step.internal ? ' (internal)' : ''}${tail}`];
    case 'service':
      return [`${SERVICE_MARK[step.action]} ${step.action} ${step.service}: ${step.why}  [${step.role}]`];
  }
}

/** Plan text: a block per host (unreachable and failed hosts say why), then one summary line. */
export function planText(results: readonly HostResult[], verb: 'plan' | 'deploy' | 'rollback'): string {
  const lines: string[] = [];
  for (const r of results) {
    const steps = r.plan?.steps ?? [];
    const cut = r.plan?.interrupted;
    const none = cut ? 'an interrupted deploy to conclude' : 'nothing to do';
    lines.push(
      `${r.host}: ${r.status === 'ok' || r.status === 'changed' ? (steps.length === 0 ? none : `${steps.length} change${steps.length === 1 ? '' : 's'}`) : r.status}`,
    );
    if (cut && verb === 'plan')
      lines.push(
        `  ! last deploy ${cut.deployId} by ${cut.user}@${cut.workstation} was interrupted ${STEP_TEXT[cut.step]} (${cut.command}, started ${cut.startedAt}): the next deploy finishes it`,
      );
    if (r.error) lines.push(...r.error.split('\n').map((l) => `  ! ${l}`));
    for (const n of r.notes ?? []) lines.push(`  note: ${n}`);
    for (const s of steps) lines.push(...stepLines(s).map((l) => `  ${l}`));
    for (const g of r.gate ?? [])
      lines.push(`  ${g.ok ? '✓' : '✗'} ${g.service} ${g.detail} (${g.seconds}s${afterCheck(g.afterCheckSec)})`);
    if (r.release) lines.push(`  release ${r.release} recorded`);
  }
  lines.push(summaryLine(results, verb));
  return lines.join('\n');
}

const STEP_TEXT = {
  files: 'while writing files',
  up: 'during compose up',
  gate: 'after compose up, before its health gate ended',
} as const;

/** `plan: 2 hosts — web1 3 changes, web2 unreachable` style summary, with counts per status. */
export function summaryLine(results: readonly HostResult[], verb: 'plan' | 'deploy' | 'rollback'): string {
  const count = (s: HostResult['status']): number => results.filter((r) => r.status === s).length;
  // a failed or interrupted deploy counts the changes it did make (they stay until the next deploy or a rollback)
  const changes = results.reduce(
    (n, r) => n + (verb !== 'plan' || r.status === 'ok' || r.status === 'changed' ? r.changes : 0),
    0,
  );
  const what =
    verb === 'plan'
      ? `${changes} change${changes === 1 ? '' : 's'} to make`
      : `${changes} change${changes === 1 ? '' : 's'} made`;
  return `${verb}: ${results.length} host${results.length === 1 ? '' : 's'}, ${what}; ok=${count('ok')} changed=${count('changed')} failed=${count('failed')} unreachable=${count('unreachable')}`;
}

/**
 * The saved/printed plan: serializable, no secret values (contents are digests; diffs are of non-sensitive files,
 * redacted).
 */
export function planJson(env: string, results: readonly HostResult[]): Plan & { results: unknown[] } {
  return {
    version: 1,
    env,
    createdAt: new Date().toISOString(),
    hosts: results.flatMap((r) => (r.plan ? [r.plan] : [])),
    results: results.map((r) => ({
      host: r.host,
      status: r.status,
      changes: r.changes,
      ...(r.error ? { error: r.error } : {}),
      ...(r.notes ? { notes: r.notes } : {}),
      ...(r.plan?.interrupted ? { interrupted: r.plan.interrupted } : {}),
      ...(r.gate ? { health: r.gate } : {}),
      ...(r.release ? { release: r.release } : {}),
      ...(r.rolledBackTo ? { rolledBackTo: r.rolledBackTo } : {}),
      ...(r.counters ? { roundTrips: r.counters } : {}),
    })),
  };
}

/** The gate's own dead time, when known: how long after the container's first passing check it saw it healthy. */
function afterCheck(sec: number | undefined): string {
  return sec === undefined ? '' : `, gated ${sec}s after its first passing check`;
}
