// Runs one smoke check on one host: its deadline, the measured duration, and a result whatever the check does.
import { z } from 'zod';
import type { Settings } from '../config/settings.js';
import type { Redactor } from '../core/redact/redactor.js';
import { describeError } from '../core/errors/describe-error.js';
import type { Transport } from '../transport/transport.js';
import { SMOKE_STATUSES, type SmokeCheck, type SmokeOutcome } from './define-smoke.js';
import { checkContext, type SmokeHost, type SmokeOccasion } from './smoke-context.js';
import type { SmokeResult } from './smoke-report.js';

/** Evidence lines kept per result (a check dumping a log must not bloat reports and the journal). */
const MAX_EVIDENCE_LINES = 100;

/** What a check needs besides itself: the host, its open connection and the run's redactor and settings. */
export interface CheckRunInput {
  readonly host: SmokeHost;
  readonly transport: Transport;
  readonly redactor: Redactor;
  readonly settings: Settings;
  readonly occasion?: SmokeOccasion;
  /** Checks `rig smoke --only` named. */
  readonly named?: readonly string[];
}

/**
 * Runs `check` on the host. Never rejects: a throw or an invalid outcome is a `fail` with the error as evidence;
 * past `deadlineSec` the result is `fail` with `deadline Ns exceeded` (plus the commands that were killed), the
 * check's signal aborts and the runner moves on without waiting for it.
 */
export async function runCheck(check: SmokeCheck, input: CheckRunInput): Promise<SmokeResult> {
  const started = performance.now();
  const deadlineMs = check.deadlineSec * 1000;
  const controller = new AbortController();
  const redact = (text: string): string => input.redactor.redact(text);
  const { ctx, running } = checkContext(input.host, input.transport, {
    signal: controller.signal,
    deadlineSec: check.deadlineSec,
    deadlineAt: started + deadlineMs,
    redact,
    settings: input.settings,
    occasion: input.occasion ?? 'smoke',
    named: input.named?.includes(check.id) === true,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), deadlineMs);
  });
  const work = Promise.resolve()
    .then(() => check.run(ctx))
    .then(validOutcome, (err: unknown): SmokeOutcome => ({
      status: 'fail',
      evidence: [`error: ${describeError(err)}`],
    }));
  const outcome = await Promise.race([work, deadline]);
  clearTimeout(timer);
  const durationMs = performance.now() - started;
  // A command killed by its exec timeout can settle a hair before the deadline timer fires: the clock decides.
  const late = outcome === undefined || durationMs >= deadlineMs;
  const shown = late
    ? {
        status: 'fail' as const,
        evidence: [`deadline ${check.deadlineSec}s exceeded`, ...[...running].map((c) => `aborted: ${c}`)],
      }
    : outcome;
  if (late) controller.abort(new Error(`deadline ${check.deadlineSec}s exceeded`));
  return {
    check: check.id,
    host: input.host.host,
    description: check.description,
    blocking: check.blocking,
    deadlineSec: check.deadlineSec,
    status: shown.status,
    evidence: evidenceLines(shown.evidence, redact),
    durationMs: late ? Math.max(durationMs, deadlineMs) : durationMs,
  };
}

/** What `run` must resolve to (other keys are ignored). */
const OutcomeSchema = z.object({ status: z.enum(SMOKE_STATUSES), evidence: z.array(z.string()) });

function validOutcome(v: unknown): SmokeOutcome {
  const r = OutcomeSchema.safeParse(v);
  if (r.success) return r.data;
  return {
    status: 'fail',
    evidence: [
      `the check returned ${String(JSON.stringify(v)).slice(0, 200)}, not { status: pass|warn|fail|skip, evidence: string[] }`,
    ],
  };
}

/** Redacted, one line per element, at most MAX_EVIDENCE_LINES. */
function evidenceLines(evidence: readonly string[], redact: (text: string) => string): string[] {
  const lines = evidence.flatMap((e) => redact(e).split(/\r?\n/));
  if (lines.length <= MAX_EVIDENCE_LINES) return lines;
  return [...lines.slice(0, MAX_EVIDENCE_LINES - 1), `… ${lines.length - MAX_EVIDENCE_LINES + 1} more lines`];
}
