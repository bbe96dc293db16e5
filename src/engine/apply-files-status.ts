// Pure parser of the apply script's status lines: which step failed, and which were done before it.
import type { ApplyStep } from './apply-files-script.js';

/** What happened to one step on the host. */
export type StepOutcome = { readonly status: 'ok' } | { readonly status: 'skipped' } | { readonly status: 'fail'; readonly what: string } | { readonly status: 'unknown' };

/** A step paired with what happened to it. */
export interface StepReport {
  readonly step: ApplyStep;
  readonly outcome: StepOutcome;
}

const LINE = /^(\d+) (ok|skipped|fail ([a-z-]+))$/;

/**
 * Pairs each step with its status line (`<n> ok | skipped | fail <what>`). A step without a line (the
 * script died, the connection dropped) is `unknown`; a line that matches no step is ignored.
 */
export function parseStepStatus(stdout: string, steps: readonly ApplyStep[]): StepReport[] {
  const outcomes = new Map<number, StepOutcome>();
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line);
    if (m?.[1] === undefined) continue;
    const what = m[3];
    outcomes.set(Number(m[1]), what !== undefined ? { status: 'fail', what } : { status: m[2] === 'ok' ? 'ok' : 'skipped' });
  }
  return steps.map((step, i) => ({ step, outcome: outcomes.get(i) ?? { status: 'unknown' } }));
}
