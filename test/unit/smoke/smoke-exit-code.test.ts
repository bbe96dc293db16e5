// The exit rules of `rig smoke`: blocking failures fail the run; --strict adds warnings and non-blocking failures.
import { describe, expect, it } from 'vitest';
import type { SmokeStatus } from '../../../src/smoke/define-smoke.js';
import { failsRun, smokeExitCode } from '../../../src/smoke/smoke-verdict.js';

const r = (status: SmokeStatus, blocking = true) => ({ status, blocking });

describe('smoke exit code', () => {
  it.each([
    // status, blocking, fails without --strict, fails with --strict
    ['pass', true, false, false],
    ['pass', false, false, false],
    ['skip', true, false, false],
    ['skip', false, false, false],
    ['warn', true, false, true],
    ['warn', false, false, true],
    ['fail', true, true, true],
    ['fail', false, false, true],
  ] as const)('%s (blocking %s): fails the run %s, under --strict %s', (status, blocking, plain, strict) => {
    expect(failsRun(r(status, blocking), false)).toBe(plain);
    expect(failsRun(r(status, blocking), true)).toBe(strict);
  });

  it('0 when all pass, warn and skip are fine; 1 when any blocking check fails', () => {
    expect(smokeExitCode([r('pass'), r('warn'), r('skip'), r('fail', false)], false)).toBe(0);
    expect(smokeExitCode([r('pass'), r('pass'), r('fail')], false)).toBe(1);
    expect(smokeExitCode([], false)).toBe(0);
  });

  it('--strict: a single warning or non-blocking failure is enough', () => {
    expect(smokeExitCode([r('pass'), r('warn')], true)).toBe(1);
    expect(smokeExitCode([r('pass'), r('fail', false)], true)).toBe(1);
    expect(smokeExitCode([r('pass'), r('skip')], true)).toBe(0);
  });
});
