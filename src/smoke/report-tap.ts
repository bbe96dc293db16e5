// `rig smoke --tap`: TAP version 13, one test point per host × check with a YAML block of its evidence.
import type { SmokeReport } from './smoke-report.js';

/**
 * `ok N - <check> on <host>` for results that do not fail the run, else `not ok`. A skip carries `# SKIP <reason>`;
 * a non-blocking failure is `not ok … # TODO non-blocking` (TAP's "expected to fail": harnesses do not count it),
 * unless `--strict`, where it fails as any other. Each point has a YAML block: status, blocking, duration, evidence.
 */
export function formatSmokeTap(report: SmokeReport): string {
  const points = report.results.map((r, i) => {
    const headline = r.evidence[0] ?? '';
    const bad = r.failsRun || r.status === 'fail';
    const directive =
      r.status === 'skip'
        ? ` # SKIP ${escape(headline)}`
        : r.status === 'fail' && !r.failsRun
          ? ' # TODO non-blocking'
          : '';
    const yaml = [
      '  ---',
      `  status: ${r.status}`,
      `  blocking: ${r.blocking}`,
      `  duration_ms: ${r.durationMs}`,
      `  deadline_s: ${r.deadlineSec}`,
      ...(r.evidence.length === 0
        ? ['  evidence: []']
        : ['  evidence:', ...r.evidence.map((e) => `    - ${yamlString(e)}`)]),
      '  ...',
    ];
    return [`${bad ? 'not ok' : 'ok'} ${i + 1} - ${escape(`${r.check} on ${r.host}`)}${directive}`, ...yaml].join('\n');
  });
  return ['TAP version 13', `1..${report.results.length}`, ...points, ''].join('\n');
}

/** A description or directive reason must stay on its line and not open a directive of its own. */
function escape(s: string): string {
  return s
    .replace(/\\/g, '\\\\')
    .replace(/#/g, '\\#')
    .replace(/[\r\n]+/g, ' ');
}

/**
 * A YAML double-quoted scalar: JSON's escapes are YAML's, plus DEL and C1 characters, which YAML does not allow raw.
 */
function yamlString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
