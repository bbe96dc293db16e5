// The smoke reporters on a fixed result set: exact text, TAP 13 and JUnit XML (validated by xmllint against Jenkins'
// XSD), and the JSON shape.
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { formatSmokeJunit } from '../../../src/smoke/report-junit.js';
import { formatSmokeTap } from '../../../src/smoke/report-tap.js';
import { formatSmokeText } from '../../../src/smoke/report-text.js';
import { SmokeReportSchema, smokeReport, type SmokeResult } from '../../../src/smoke/smoke-report.js';
import { REPO_ROOT } from '../../helpers/project.js';

const XSD = path.join(REPO_ROOT, 'test/fixtures/junit/junit-10.xsd');

const base = { description: 'd', blocking: true, deadlineSec: 30 } as const;
const RESULTS: SmokeResult[] = [
  {
    ...base,
    check: 'services-healthy',
    host: 'web1',
    description: 'services up',
    status: 'pass',
    evidence: ['3 services up: alpha, beta, init', 'p_alpha: running, healthy'],
    durationMs: 312.4,
  },
  {
    ...base,
    check: 'disk-space',
    host: 'web1',
    blocking: false,
    status: 'warn',
    evidence: ['/ is 91% full'],
    durationMs: 45,
  },
  {
    ...base,
    check: 'telegram-ping',
    host: 'web1',
    status: 'skip',
    evidence: ['no bot token # configured'],
    durationMs: 1,
  },
  {
    ...base,
    check: 'services-healthy',
    host: 'db-2',
    status: 'fail',
    evidence: [
      '1 of 2 services not healthy: p_db (exited with code 137)',
      'p_db: exited with code 137',
      'p_<x>: "a" & b',
    ],
    durationMs: 1250,
  },
  {
    ...base,
    check: 'disk-space',
    host: 'db-2',
    blocking: false,
    status: 'fail',
    evidence: ['df failed\u001b[31m'],
    durationMs: 20,
  },
];
const RUN = { env: 'prod', runId: 'abc123', startedAt: '2026-05-01T03:15:00.000Z', durationMs: 1302, strict: false };

describe('smoke reporters', () => {
  it('text: one aligned line per host × check, the first evidence line, then a summary naming what failed the run', () => {
    expect(formatSmokeText(smokeReport(RESULTS, RUN))).toBe(
      [
        'PASS  services-healthy  web1  0.31s  3 services up: alpha, beta, init',
        'WARN  disk-space        web1  0.04s  / is 91% full',
        'SKIP  telegram-ping     web1  0.00s  no bot token # configured',
        'FAIL  services-healthy  db-2  1.25s  1 of 2 services not healthy: p_db (exited with code 137)',
        'FAIL  disk-space        db-2  0.02s  df failed\\u{1b}[31m  (non-blocking)',
        'smoke prod: 5 results on 2 hosts: 1 pass, 1 warn, 2 fail, 1 skip in 1.30s: FAILED: services-healthy on db-2',
      ].join('\n'),
    );
  });

  it('text: --verbose adds the further evidence lines; --strict names warnings and non-blocking failures too', () => {
    const text = formatSmokeText(smokeReport(RESULTS, { ...RUN, strict: true }), { verbose: true }).split('\n');
    expect(text[1]).toBe('      | p_alpha: running, healthy');
    expect(text.at(-1)).toBe(
      'smoke prod: 5 results on 2 hosts: 1 pass, 1 warn, 2 fail, 1 skip in 1.30s (strict): FAILED: disk-space on web1, services-healthy on db-2, disk-space on db-2',
    );
    expect(
      formatSmokeText(smokeReport(RESULTS.slice(0, 3), RUN))
        .split('\n')
        .at(-1),
    ).toBe('smoke prod: 3 results on 1 host: 1 pass, 1 warn, 0 fail, 1 skip in 1.30s: ok');
    expect(formatSmokeText(smokeReport([], RUN))).toBe('smoke prod: no check targets the selected hosts');
  });

  it('TAP 13: ok / not ok, SKIP and TODO directives, a YAML block per point', () => {
    expect(formatSmokeTap(smokeReport(RESULTS.slice(2), RUN))).toBe(
      [
        'TAP version 13',
        '1..3',
        'ok 1 - telegram-ping on web1 # SKIP no bot token \\# configured',
        '  ---',
        '  status: skip',
        '  blocking: true',
        '  duration_ms: 1',
        '  deadline_s: 30',
        '  evidence:',
        '    - "no bot token # configured"',
        '  ...',
        'not ok 2 - services-healthy on db-2',
        '  ---',
        '  status: fail',
        '  blocking: true',
        '  duration_ms: 1250',
        '  deadline_s: 30',
        '  evidence:',
        '    - "1 of 2 services not healthy: p_db (exited with code 137)"',
        '    - "p_db: exited with code 137"',
        '    - "p_<x>: \\"a\\" & b"',
        '  ...',
        'not ok 3 - disk-space on db-2 # TODO non-blocking',
        '  ---',
        '  status: fail',
        '  blocking: false',
        '  duration_ms: 20',
        '  deadline_s: 30',
        '  evidence:',
        '    - "df failed\\u001b[31m"',
        '  ...',
        '',
      ].join('\n'),
    );
    const strict = formatSmokeTap(smokeReport(RESULTS, { ...RUN, strict: true }));
    expect(strict).toContain('not ok 2 - disk-space on web1\n');
    expect(strict).toContain('not ok 5 - disk-space on db-2\n');
  });

  it('JUnit: a testsuite per host, a testcase per check, failure/skipped elements and the evidence in system-out', () => {
    expect(formatSmokeJunit(smokeReport(RESULTS.slice(2, 4), RUN))).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="rig smoke prod" tests="2" failures="1" errors="0" time="1.302">',
        '  <testsuite name="web1" tests="1" failures="0" errors="0" skipped="1" time="0.001" timestamp="2026-05-01T03:15:00" hostname="web1">',
        '    <properties>',
        '      <property name="env" value="prod"/>',
        '      <property name="runId" value="abc123"/>',
        '      <property name="strict" value="false"/>',
        '    </properties>',
        '    <testcase name="telegram-ping" classname="smoke.prod.web1" time="0.001">',
        '      <skipped message="no bot token # configured"/>',
        '      <system-out>skip: d',
        'no bot token # configured</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '  <testsuite name="db-2" tests="1" failures="1" errors="0" skipped="0" time="1.250" timestamp="2026-05-01T03:15:00" hostname="db-2">',
        '    <properties>',
        '      <property name="env" value="prod"/>',
        '      <property name="runId" value="abc123"/>',
        '      <property name="strict" value="false"/>',
        '    </properties>',
        '    <testcase name="services-healthy" classname="smoke.prod.db-2" time="1.250">',
        '      <failure type="fail" message="1 of 2 services not healthy: p_db (exited with code 137)">1 of 2 services not healthy: p_db (exited with code 137)',
        'p_db: exited with code 137',
        'p_&lt;x&gt;: "a" &amp; b</failure>',
        '      <system-out>fail: d',
        '1 of 2 services not healthy: p_db (exited with code 137)',
        'p_db: exited with code 137',
        'p_&lt;x&gt;: "a" &amp; b</system-out>',
        '    </testcase>',
        '  </testsuite>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('JUnit: validates against the JUnit XSD CI systems use (xmllint --schema), strict or not, control characters and all', async () => {
    const lint = await execa('xmllint', ['--version'], { reject: false }).catch(() => undefined);
    if (lint?.exitCode !== 0) {
      if (process.env['CI'] === 'true')
        throw new Error('xmllint missing (scripts/ensure-deps.sh installs libxml2-utils)');
      console.warn('SKIP JUnit XSD validation: xmllint missing (apt-get install libxml2-utils)');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-junit-'));
    const odd: SmokeResult = {
      ...base,
      check: 'odd',
      host: 'web1',
      status: 'fail',
      evidence: ['nul \u0000 bell \u0007 lone \ud800 quote " apos \' tab\tend', ']]> <![CDATA['],
      durationMs: 1234567,
    };
    for (const [name, report] of [
      ['plain', smokeReport([...RESULTS, odd], RUN)],
      ['strict', smokeReport(RESULTS, { ...RUN, strict: true })],
      ['empty', smokeReport([], RUN)],
    ] as const) {
      const file = path.join(dir, `${name}.xml`);
      writeFileSync(file, formatSmokeJunit(report));
      const r = await execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false });
      expect(r.stderr, name).toBe(`${file} validates`);
      expect(r.exitCode, name).toBe(0);
    }
  });

  it('the XSD really refuses a broken report (the validation can fail)', async () => {
    const lint = await execa('xmllint', ['--version'], { reject: false }).catch(() => undefined);
    if (lint?.exitCode !== 0) return console.warn('SKIP: xmllint missing');
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'rig-junit-')), 'bad.xml');
    writeFileSync(
      file,
      formatSmokeJunit(smokeReport(RESULTS, RUN)).replace(' tests="3" failures="0"', ' failures="0"'),
    );
    const r = await execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("The attribute 'tests' is required but missing");
  });

  it('--json: the report parses with its zod schema; failsRun follows the exit rules', () => {
    const report = smokeReport(RESULTS, RUN);
    expect(SmokeReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.summary).toEqual({ hosts: 2, total: 5, pass: 1, warn: 1, fail: 2, skip: 1 });
    expect(report.results.map((r) => r.failsRun)).toEqual([false, false, false, true, false]);
    expect(report.results[0]?.durationMs).toBe(312);
    expect(report.exitCode).toBe(1);
    expect(SmokeReportSchema.safeParse({ ...report, extra: 1 }).success).toBe(false);
  });
});
