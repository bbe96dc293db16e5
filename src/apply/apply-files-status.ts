// Pure parser of the apply script's status lines: which step failed, and which were done before it.
import type { ApplyStep } from './apply-files-script.js';

/** What happened to one step on the host. `detail`: a write's `<temp suffix> <uid acted as>`, a failure's reason. */
export type StepOutcome =
  | { readonly status: 'ok'; readonly detail?: string }
  | { readonly status: 'skipped' }
  | { readonly status: 'fail'; readonly what: string; readonly detail?: string }
  | { readonly status: 'unknown' };

/** A step paired with what happened to it. */
export interface StepReport {
  readonly step: ApplyStep;
  readonly outcome: StepOutcome;
}

const LINE = /^(\d+) (ok|skipped|fail ([a-z-]+))(?: (.+))?$/;

/**
 * Pairs each step with its status line (`<n> ok [detail] | skipped | fail <what> [reason]`). A step without a line
 * (the script died, the connection dropped) is `unknown`; a line that matches no step is ignored.
 */
export function parseStepStatus(stdout: string, steps: readonly ApplyStep[]): StepReport[] {
  const outcomes = new Map<number, StepOutcome>();
  for (const line of stdout.split('\n')) {
    const m = LINE.exec(line);
    if (m?.[1] === undefined) continue;
    const [what, detail] = [m[3], m[4]];
    const extra = detail === undefined ? {} : { detail };
    outcomes.set(
      Number(m[1]),
      what !== undefined
        ? { status: 'fail', what, ...extra }
        : m[2] === 'ok'
          ? { status: 'ok', ...extra }
          : { status: 'skipped' },
    );
  }
  return steps.map((step, i) => ({ step, outcome: outcomes.get(i) ?? { status: 'unknown' } }));
}
