// The results of a smoke run and `rig smoke --json`'s versioned shape (its JSON Schema:
// schema/smoke-report.schema.json).
import { z } from 'zod';
import { SMOKE_STATUSES, type SmokeStatus } from './define-smoke.js';
import { failsRun, smokeExitCode } from './smoke-verdict.js';

/** Bumped on any change a reader of `--json` would notice (a removed or renamed field, a changed meaning). */
export const SMOKE_REPORT_VERSION = 1;

/** One check on one host, as the runner measured it. */
export interface SmokeResult {
  readonly check: string;
  readonly host: string;
  readonly description: string;
  readonly blocking: boolean;
  readonly deadlineSec: number;
  readonly status: SmokeStatus;
  /** Secrets masked; the first line is the headline. */
  readonly evidence: readonly string[];
  /** Wall time of the check on the host, from its start to its result (or its deadline). */
  readonly durationMs: number;
}

const count = z.number().int().nonnegative();

export const SmokeResultSchema = z.strictObject({
  check: z.string().describe('the check id (smoke-tests/<id>.ts)'),
  host: z.string().describe('inventory name of the host'),
  description: z.string(),
  blocking: z.boolean().describe('a failing blocking check fails the run'),
  deadlineSec: z.number().positive(),
  status: z.enum(SMOKE_STATUSES),
  evidence: z
    .array(z.string())
    .describe('what the check saw, one fact per line, the first the headline; secrets masked'),
  durationMs: count,
  failsRun: z
    .boolean()
    .describe('this result makes the run exit 1 (a blocking fail; with --strict also warn and non-blocking fail)'),
});

export const SmokeReportSchema = z
  .strictObject({
    version: z.literal(SMOKE_REPORT_VERSION),
    env: z.string(),
    runId: z.string().describe('also the deployId of the smoke.result journal events of this run'),
    startedAt: z.iso.datetime(),
    durationMs: count.describe('wall time of the whole run'),
    strict: z.boolean(),
    exitCode: z.union([z.literal(0), z.literal(1)]),
    summary: z.strictObject({ hosts: count, total: count, pass: count, warn: count, fail: count, skip: count }),
    results: z.array(SmokeResultSchema).describe("hosts in inventory order, each host's checks by id"),
  })
  .describe('rig smoke --json output');

export type SmokeReport = z.infer<typeof SmokeReportSchema>;

/** The report of a run, as `--json` prints it and the other reporters read it. */
export function smokeReport(
  results: readonly SmokeResult[],
  run: { env: string; runId: string; startedAt: string; durationMs: number; strict: boolean },
): SmokeReport {
  const by = (s: SmokeStatus): number => results.filter((r) => r.status === s).length;
  return {
    version: SMOKE_REPORT_VERSION,
    env: run.env,
    runId: run.runId,
    startedAt: run.startedAt,
    durationMs: Math.round(run.durationMs),
    strict: run.strict,
    exitCode: smokeExitCode(results, run.strict),
    summary: {
      hosts: new Set(results.map((r) => r.host)).size,
      total: results.length,
      pass: by('pass'),
      warn: by('warn'),
      fail: by('fail'),
      skip: by('skip'),
    },
    results: results.map((r) => ({
      ...r,
      evidence: [...r.evidence],
      durationMs: Math.round(r.durationMs),
      failsRun: failsRun(r, run.strict),
    })),
  };
}
