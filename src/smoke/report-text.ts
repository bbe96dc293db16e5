// `rig smoke` for people: one aligned line per host × check, then a summary line naming what failed the run.
import type { SmokeReport } from './smoke-report.js';

const MAX_NAMED = 5;

/**
 * `PASS  services-healthy  h1  0.31s  4 services up (alpha, beta healthy; init exited 0)` per result (status, check id,
 * host, duration, the first evidence line; `(non-blocking)` after a non-blocking failure), then
 * `smoke prod: 6 results on 2 hosts: 4 pass, 1 warn, 1 fail, 0 skip in 1.02s: FAILED: services-healthy on h1`.
 * `verbose` adds every further evidence line under its result.
 */
export function formatSmokeText(report: SmokeReport, opts: { verbose?: boolean } = {}): string {
  const rows = report.results.map((r) => ({ r, status: r.status.toUpperCase(), duration: seconds(r.durationMs) }));
  const w = {
    check: Math.max(0, ...rows.map((x) => x.r.check.length)),
    host: Math.max(0, ...rows.map((x) => x.r.host.length)),
    duration: Math.max(0, ...rows.map((x) => x.duration.length)),
  };
  const lines = rows.flatMap(({ r, status, duration }) => {
    const [headline = '(no evidence)', ...more] = r.evidence.map(printable);
    const advisory = r.status === 'fail' && !r.blocking ? '  (non-blocking)' : '';
    const line = `${status}  ${r.check.padEnd(w.check)}  ${r.host.padEnd(w.host)}  ${duration.padStart(w.duration)}  ${headline}${advisory}`;
    return [line, ...(opts.verbose === true ? more.map((m) => `      | ${m}`) : [])];
  });
  return [...lines, summaryLine(report)].join('\n');
}

function summaryLine(report: SmokeReport): string {
  const s = report.summary;
  const strict = report.strict ? ' (strict)' : '';
  if (s.total === 0) return `smoke ${report.env}: no check targets the selected hosts${strict}`;
  const counts = `${s.total} result${s.total === 1 ? '' : 's'} on ${s.hosts} host${s.hosts === 1 ? '' : 's'}: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip`;
  const failing = report.results.filter((r) => r.failsRun).map((r) => `${r.check} on ${r.host}`);
  const named =
    failing.length > MAX_NAMED ? [...failing.slice(0, MAX_NAMED), `… ${failing.length - MAX_NAMED} more`] : failing;
  const verdict = failing.length === 0 ? 'ok' : `FAILED: ${named.join(', ')}`;
  return `smoke ${report.env}: ${counts} in ${seconds(report.durationMs)}${strict}: ${verdict}`;
}

/** `0.31s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

/** Evidence comes from hosts: control and format characters (terminal escapes, bidi overrides) are shown escaped. */
function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
