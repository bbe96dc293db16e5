// `rig checklist --json`: the versioned report (JSON Schema: schema/checklist-report.schema.json, `make schema`).
import { z } from 'zod';
import { CHECK_IDS, CHECK_STATUSES, CHECK_TITLES, type CheckResult, type CheckStatus } from './checklist-check.js';
import { decide, decisionExitCode, DECISIONS, effectOf } from './checklist-decision.js';
import { CheckDetailsSchema } from './checklist-details.js';
import { UpgradeSchema, type Upgrade } from './checklist-upgrade.js';

/** Bumped on any change a reader of `--json` would notice (a removed or renamed field, a changed meaning). */
export const CHECKLIST_REPORT_VERSION = 1;

const count = z.number().int().nonnegative();
const statusSchema = z.enum(CHECK_STATUSES);

export const CheckReportSchema = z.strictObject({
  id: z.enum(CHECK_IDS),
  title: z.string().describe('what the check proves when it passes'),
  status: statusSchema.describe(
    'pass; warn = an advisory finding; fail = a blocking finding; skip = nothing to check, or not run (see evidence)',
  ),
  effect: z.enum(['none', 'warning', 'no-go']).describe('what this result does to the decision'),
  evidence: z
    .array(z.string())
    .describe('what the check saw, one fact per line, the first the headline; secrets masked'),
  hosts: z
    .array(z.strictObject({ host: z.string(), status: statusSchema, evidence: z.array(z.string()), durationMs: count }))
    .describe('per host, for the checks that ran on hosts'),
  durationMs: count,
  details: CheckDetailsSchema.optional(),
});

export const ChecklistReportSchema = z
  .strictObject({
    version: z.literal(CHECKLIST_REPORT_VERSION),
    env: z.string(),
    runId: z.string().describe('also the deployId of the checklist.decision journal events of this run'),
    startedAt: z.iso.datetime(),
    durationMs: count.describe('wall time of the whole checklist'),
    upgrades: z.array(UpgradeSchema).describe('the --upgrade overrides, resolved to the variables they change'),
    decision: z
      .enum(DECISIONS)
      .describe('GO: every check passed; WARNING: only advisory findings; NO-GO: a blocking finding'),
    exitCode: z.union([z.literal(0), z.literal(2), z.literal(1)]).describe('0 GO, 2 WARNING, 1 NO-GO'),
    summary: z.strictObject({ total: count, pass: count, warn: count, fail: count, skip: count }),
    checks: z.array(CheckReportSchema).describe('in the order of CHECK_IDS'),
  })
  .describe('rig checklist --json output');

export type ChecklistReport = z.infer<typeof ChecklistReportSchema>;

/** The report of a run, as --json prints it, the text reporter reads it and the journal records it. */
export function checklistReport(
  results: readonly CheckResult[],
  run: { env: string; runId: string; startedAt: string; durationMs: number; upgrades: readonly Upgrade[] },
): ChecklistReport {
  const decision = decide(results.map((r) => r.status));
  const by = (s: CheckStatus): number => results.filter((r) => r.status === s).length;
  return {
    version: CHECKLIST_REPORT_VERSION,
    env: run.env,
    runId: run.runId,
    startedAt: run.startedAt,
    durationMs: Math.round(run.durationMs),
    upgrades: run.upgrades.map((u) => ({ ...u, from: [...u.from], hosts: [...u.hosts], services: [...u.services] })),
    decision,
    exitCode: decisionExitCode(decision),
    summary: { total: results.length, pass: by('pass'), warn: by('warn'), fail: by('fail'), skip: by('skip') },
    checks: results.map((r) => ({
      id: r.id,
      title: CHECK_TITLES[r.id],
      status: r.status,
      effect: effectOf(r.status),
      evidence: [...r.evidence],
      hosts: r.hosts.map((h) => ({
        host: h.host,
        status: h.status,
        evidence: [...h.evidence],
        durationMs: Math.round(h.durationMs),
      })),
      durationMs: Math.round(r.durationMs),
      ...(r.details ? { details: r.details } : {}),
    })),
  };
}
