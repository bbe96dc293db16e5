// Fact `command-checks`: the exit codes of several read-only check commands (`unless` rules) in one exec.
import { secretsOf } from '../../core/cmd/render.js';
import { inlineText } from '../../core/cmd/inline.js';
import { sh, type Cmd, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';
import { textFact, type Fact } from '../fact.js';

// Each check is passed as one positional argument (inline.ts: an sh() check runs without a /bin/sh of its own) and
// run in a subshell, so no check can see or break another; output is discarded, only `<exit code>` lines come back.
const SCRIPT = `for c do ( eval "unset c; $c" ) </dev/null >/dev/null 2>&1; echo $?; done`;

/** The command running `checks` in one exec. Checks must not carry secrets (they would ride argv). */
export function commandChecksCmd(checks: readonly Cmd[]): ExecNode {
  for (const c of checks)
    if (secretsOf(c).length > 0)
      throw new Error('an `unless` check cannot use secret values; test a file or a digest instead');
  const cmd = sh(SCRIPT, ...checks.map(inlineText));
  assertCommandFits(cmd, `${checks.length} command checks`);
  return cmd;
}

/** Parses `commandChecksCmd` output: one exit code per check, in order. Throws when the count does not match. */
export function parseCommandChecks(stdout: string, count: number): number[] {
  const codes = stdout
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
  if (codes.length !== count || codes.some((c) => !Number.isInteger(c) || c < 0 || c > 255)) {
    throw new Error(`command-checks: expected ${count} exit codes, got ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return codes;
}

/** Fact `command-checks`: the exit code of each check, in order. */
export function commandChecksFact(checks: readonly Cmd[]): Fact<number[]> {
  return textFact('command-checks', commandChecksCmd(checks), (out) => parseCommandChecks(out, checks.length));
}
