// The exit rules of `rig smoke`: which results fail the run, with and without --strict.
import type { SmokeStatus } from './define-smoke.js';

/**
 * Whether one result makes the run fail: a blocking `fail` always; under `strict` also a `warn` and a non-blocking
 * `fail`. `pass` and `skip` never do.
 */
export function failsRun(r: { readonly status: SmokeStatus; readonly blocking: boolean }, strict: boolean): boolean {
  switch (r.status) {
    case 'pass':
    case 'skip':
      return false;
    case 'warn':
      return strict;
    case 'fail':
      return r.blocking || strict;
  }
}

/** 0 when no result fails the run, 1 otherwise (an empty run passes). */
export function smokeExitCode(
  results: readonly { readonly status: SmokeStatus; readonly blocking: boolean }[],
  strict: boolean,
): 0 | 1 {
  return results.some((r) => failsRun(r, strict)) ? 1 : 0;
}
