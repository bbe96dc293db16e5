// The checklist's decision rules (GO / WARNING / NO-GO and exit codes), how host findings add up, and the report built
// on them.
import { describe, expect, it } from 'vitest';
import {
  CHECK_IDS,
  fromHosts,
  local,
  notRun,
  worst,
  type CheckResult,
  type CheckStatus,
} from '../../../src/checklist/checklist-check.js';
import { decide, decisionExitCode, effectOf } from '../../../src/checklist/checklist-decision.js';
import { checklistReport, ChecklistReportSchema } from '../../../src/checklist/checklist-report.js';
import { formatChecklistText } from '../../../src/checklist/checklist-text.js';

const all = (
  status: CheckStatus,
  overrides: Partial<Record<(typeof CHECK_IDS)[number], CheckStatus>> = {},
): CheckResult[] => CHECK_IDS.map((id) => local(id, overrides[id] ?? status, [`${id} ${overrides[id] ?? status}`], 10));

describe('decision rules', () => {
  it.each<[string, CheckStatus[], string, number]>([
    ['every check passed', ['pass', 'pass', 'pass'], 'GO', 0],
    ['passes and skips (nothing to check)', ['pass', 'skip', 'skip'], 'GO', 0],
    ['no checks at all', [], 'GO', 0],
    ['one advisory finding', ['pass', 'warn', 'pass'], 'WARNING', 2],
    ['advisory findings only, with skips', ['warn', 'skip', 'warn'], 'WARNING', 2],
    ['one blocking finding', ['pass', 'fail', 'pass'], 'NO-GO', 1],
    ['a blocking finding among warnings', ['warn', 'fail', 'warn'], 'NO-GO', 1],
    ['a blocking finding with the rest not run', ['fail', 'skip', 'skip'], 'NO-GO', 1],
  ])('%s → %s (exit %i)', (_name, statuses, decision, exit) => {
    const d = decide(statuses);
    expect(d).toBe(decision);
    expect(decisionExitCode(d)).toBe(exit);
  });

  it('fail blocks, warn advises, pass and skip change nothing', () => {
    expect((['pass', 'warn', 'fail', 'skip'] as const).map(effectOf)).toEqual(['none', 'warning', 'no-go', 'none']);
  });
});

describe('host findings add up', () => {
  const f = (host: string, status: CheckStatus, ...evidence: string[]) => ({
    host,
    status,
    evidence,
    durationMs: host === 'h2' ? 30 : 10,
  });

  it('a check is as bad as its worst host; skip only when nothing was checked', () => {
    expect(worst(['pass', 'skip'])).toBe('pass');
    expect(worst(['skip', 'warn', 'pass'])).toBe('warn');
    expect(worst(['warn', 'fail', 'pass'])).toBe('fail');
    expect(worst(['skip', 'skip'])).toBe('skip');
    expect(worst([])).toBe('skip');
  });

  it('all pass: the summary is the headline, then every host line; the duration is the slowest host', () => {
    const r = fromHosts(
      'deploy-lock',
      [f('h1', 'pass', 'no deploy lock'), f('h2', 'pass', 'no deploy lock')],
      'no deploy lock on 2 hosts',
    );
    expect(r).toMatchObject({
      status: 'pass',
      evidence: ['no deploy lock on 2 hosts', 'h1: no deploy lock', 'h2: no deploy lock'],
      durationMs: 30,
    });
  });

  it('otherwise the first host with the worst status gives the headline; a host named already is not named twice', () => {
    const r = fromHosts(
      'headroom',
      [
        f('h1', 'warn', 'low disk: 3% free'),
        f('h2', 'fail', 'h2: unreachable: connect ECONNREFUSED'),
        f('h3', 'fail', 'unreachable: timeout'),
      ],
      'ok',
    );
    expect(r.status).toBe('fail');
    expect(r.evidence).toEqual([
      'h2: unreachable: connect ECONNREFUSED',
      'h1: low disk: 3% free',
      'h2: unreachable: connect ECONNREFUSED',
      'h3: unreachable: timeout',
    ]);
  });

  it('every host skipped: the skip reason is the headline, not the summary', () => {
    expect(
      fromHosts('smoke', [f('h1', 'skip', 'not checked: the host is unreachable')], 'smoke green on 1 host')
        .evidence[0],
    ).toBe('h1: not checked: the host is unreachable');
  });
});

describe('the report', () => {
  const run = { env: 'prod', runId: 'abc123', startedAt: '2026-12-01T08:00:00.000Z', durationMs: 1234.4, upgrades: [] };

  it('is valid against its schema, counts every status, and maps the decision to the exit code', () => {
    const report = checklistReport(all('pass', { headroom: 'warn', 'openclaw-target': 'skip' }), run);
    expect(ChecklistReportSchema.parse(report)).toEqual(report);
    expect(report).toMatchObject({
      version: 1,
      decision: 'WARNING',
      exitCode: 2,
      durationMs: 1234,
      summary: { total: 10, pass: 8, warn: 1, fail: 0, skip: 1 },
    });
    expect(report.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(report.checks.find((c) => c.id === 'headroom')).toMatchObject({
      status: 'warn',
      effect: 'warning',
      title: 'hosts reachable, with disk and memory headroom',
    });
    expect(checklistReport(all('pass', { 'deploy-lock': 'fail', headroom: 'warn' }), run)).toMatchObject({
      decision: 'NO-GO',
      exitCode: 1,
    });
  });

  it('the schema refuses what a reader could misread: an unknown key, a decision that does not exist, a wrong exit code', () => {
    const report = checklistReport(all('pass'), run);
    expect(ChecklistReportSchema.safeParse({ ...report, extra: 1 }).success).toBe(false);
    expect(ChecklistReportSchema.safeParse({ ...report, decision: 'MAYBE' }).success).toBe(false);
    expect(ChecklistReportSchema.safeParse({ ...report, exitCode: 3 }).success).toBe(false);
    expect(ChecklistReportSchema.safeParse({ ...report, checks: [{ ...report.checks[0], id: 'tests' }] }).success).toBe(
      false,
    );
  });

  it('text: a line per check, the evidence of what did not pass under it, the decision line last', () => {
    const results = all('pass');
    results[2] = {
      ...fromHosts(
        'deploy-lock',
        [{ host: 'h1', status: 'fail', evidence: ['deploy lock held by alice@laptop'], durationMs: 310 }],
        'x',
      ),
    };
    results[9] = notRun('openclaw-target', 'the upgrade is not planned (see upgrade-plan)');
    const text = formatChecklistText(
      checklistReport(results, {
        ...run,
        upgrades: [
          {
            name: 'openclaw',
            kind: 'service',
            variable: 'openclaw_image',
            from: ['r/oc:1'],
            to: 'r/oc:2',
            hosts: ['h1'],
            services: ['openclaw'],
          },
        ],
      }),
    );
    expect(text.split('\n')).toEqual([
      'upgrade openclaw: openclaw_image r/oc:1 → r/oc:2',
      'PASS  config              0.01s  config pass',
      'PASS  secrets             0.01s  secrets pass',
      'FAIL  deploy-lock         0.31s  h1: deploy lock held by alice@laptop',
      'PASS  headroom            0.01s  headroom pass',
      'PASS  smoke               0.01s  smoke pass',
      'PASS  rollback            0.01s  rollback pass',
      'PASS  images              0.01s  images pass',
      'PASS  upgrade-plan        0.01s  upgrade-plan pass',
      'PASS  healthcheck-probes  0.01s  healthcheck-probes pass',
      'SKIP  openclaw-target     0.00s  not run: the upgrade is not planned (see upgrade-plan)',
      'checklist prod: NO-GO (8 pass, 0 warn, 1 fail, 1 skip) in 1.23s: fail deploy-lock',
    ]);
  });
});
