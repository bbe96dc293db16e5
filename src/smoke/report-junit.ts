// `rig smoke --junit FILE`: JUnit XML as CI systems read it (valid against Jenkins' junit-10.xsd, see
// test/fixtures/junit/).
import type { SmokeReport } from './smoke-report.js';

type Result = SmokeReport['results'][number];

/**
 * One `<testsuite>` per host (its checks ran in parallel: its time is its slowest check), one `<testcase>` per
 * check on it. A `fail` is a `<failure>` (type `fail`, or `non-blocking` for an advisory check: CI shows it even
 * when the run exits 0), a `warn` is a `<failure type="warn">` only under `--strict`, a `skip` is `<skipped>`.
 * Every case carries its evidence in `<system-out>`; the failure's message is the first evidence line.
 */
export function formatSmokeJunit(report: SmokeReport): string {
  const hosts = [...new Set(report.results.map((r) => r.host))];
  const suites = hosts.map((h) =>
    suite(
      report,
      h,
      report.results.filter((r) => r.host === h),
    ),
  );
  const failures = report.results.filter((r) => failure(r, report.strict) !== undefined).length;
  const total = `tests="${report.results.length}" failures="${failures}" errors="0" time="${time(report.durationMs)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`rig smoke ${report.env}`)}" ${total}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(report: SmokeReport, host: string, results: readonly Result[]): string {
  const failures = results.filter((r) => failure(r, report.strict) !== undefined).length;
  const skipped = results.filter((r) => r.status === 'skip').length;
  const slowest = Math.max(0, ...results.map((r) => r.durationMs));
  // Ant's schema wants the timestamp without a zone (it is UTC here); junit-10 takes any string.
  const head = `<testsuite name="${attr(host)}" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(slowest)}" timestamp="${report.startedAt.slice(0, 19)}" hostname="${attr(host)}">`;
  const props = [
    ['env', report.env],
    ['runId', report.runId],
    ['strict', String(report.strict)],
  ].map(([k = '', v = '']) => `      <property name="${attr(k)}" value="${attr(v)}"/>`);
  return [
    `  ${head}`,
    '    <properties>',
    ...props,
    '    </properties>',
    ...results.map((r) => testcase(report, r)),
    '  </testsuite>',
  ].join('\n');
}

function testcase(report: SmokeReport, r: Result): string {
  const open = `    <testcase name="${attr(r.check)}" classname="${attr(`smoke.${report.env}.${r.host}`)}" time="${time(r.durationMs)}">`;
  const headline = r.evidence[0] ?? '';
  const kind = failure(r, report.strict);
  const inner = [
    ...(kind === undefined
      ? []
      : [`      <failure type="${kind}" message="${attr(headline)}">${text(r.evidence.join('\n'))}</failure>`]),
    ...(r.status === 'skip' ? [`      <skipped message="${attr(headline)}"/>`] : []),
    `      <system-out>${text([`${r.status}: ${r.description}`, ...r.evidence].join('\n'))}</system-out>`,
  ];
  return [open, ...inner, '    </testcase>'].join('\n');
}

/** The `<failure>` type of a result, or undefined when it is none. */
function failure(r: Result, strict: boolean): 'fail' | 'non-blocking' | 'warn' | undefined {
  if (r.status === 'fail') return r.blocking || strict ? 'fail' : 'non-blocking';
  return r.status === 'warn' && strict ? 'warn' : undefined;
}

function time(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** XML 1.0 allows neither control characters nor lone surrogates, even escaped: they are written as `\u{…}` text. */
function xmlSafe(s: string): string {
  return s.replace(
    /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu,
    (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
  );
}

function text(s: string): string {
  return xmlSafe(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
