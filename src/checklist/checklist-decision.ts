// The decision rules of `rig checklist`: GO, WARNING or NO-GO from the checks' statuses, and the exit code of each.
import type { CheckStatus } from './checklist-check.js';

export const DECISIONS = ['GO', 'WARNING', 'NO-GO'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What one result does to the decision. */
export type Effect = 'none' | 'warning' | 'no-go';

/**
 * `fail` is a blocking finding (NO-GO), `warn` an advisory one (WARNING), `pass` and `skip` change nothing. A skip
 * never hides a problem: a check is skipped only when it has nothing to look at (no OpenClaw host) or when an
 * earlier check failed (the decision is NO-GO already).
 */
export function effectOf(status: CheckStatus): Effect {
  switch (status) {
    case 'fail':
      return 'no-go';
    case 'warn':
      return 'warning';
    case 'pass':
    case 'skip':
      return 'none';
  }
}

/** NO-GO when any check failed; else WARNING when any warned; else GO. */
export function decide(statuses: readonly CheckStatus[]): Decision {
  const effects = statuses.map(effectOf);
  if (effects.includes('no-go')) return 'NO-GO';
  if (effects.includes('warning')) return 'WARNING';
  return 'GO';
}

/** 0 GO, 2 WARNING, 1 NO-GO: cron and CI tell "go ahead" from "look first" from "stop". */
export function decisionExitCode(decision: Decision): 0 | 1 | 2 {
  switch (decision) {
    case 'GO':
      return 0;
    case 'WARNING':
      return 2;
    case 'NO-GO':
      return 1;
  }
}
