// `rig checklist` for people: one aligned line per check, the evidence of what did not pass, then the decision line.
import { seconds } from '../smoke/report-text.js';
import type { ChecklistReport } from './checklist-report.js';

/**
 * `PASS  deploy-lock   0.31s  no deploy lock on 2 hosts` per check (status, id, duration, headline); the further
 * evidence lines of a warn or fail under it (`verbose`: of every check); then
 * `checklist prod: WARNING (7 pass, 1 warn, 0 fail, 1 skip) in 14.20s: warn headroom`.
 */
export function formatChecklistText(report: ChecklistReport, opts: { verbose?: boolean } = {}): string {
  const w = Math.max(...report.checks.map((c) => c.id.length));
  const dw = Math.max(...report.checks.map((c) => seconds(c.durationMs).length));
  const upgrades = report.upgrades.map((u) => `upgrade ${u.name}: ${u.variable} ${u.from.join(', ')} → ${u.to}`);
  const lines = report.checks.flatMap((c) => {
    const [headline = c.status, ...more] = c.evidence.map(printable);
    const row = `${c.status.toUpperCase()}  ${c.id.padEnd(w)}  ${seconds(c.durationMs).padStart(dw)}  ${headline}`;
    const shown =
      opts.verbose === true || c.status === 'fail' || c.status === 'warn' ? more.filter((m) => m !== headline) : [];
    return [row, ...shown.map((m) => `      | ${m}`)];
  });
  return [...upgrades, ...lines, decisionLine(report)].join('\n');
}

function decisionLine(report: ChecklistReport): string {
  const s = report.summary;
  const findings = report.checks.filter((c) => c.effect !== 'none').map((c) => `${c.status} ${c.id}`);
  return `checklist ${report.env}: ${report.decision} (${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip) in ${seconds(report.durationMs)}${findings.length > 0 ? `: ${findings.join(', ')}` : ''}`;
}

/** Evidence comes from hosts and registries: control and format characters are shown escaped. */
function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
