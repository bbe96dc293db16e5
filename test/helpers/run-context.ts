// Test helper: a RunContext for code that only reads it (no lock, no pause, nothing logged).
import type { RunContext } from '../../src/engine/run-context.js';

/** A deploy of env prod by alice@laptop, run run1; `over` replaces any field. */
export function runContext(over: Partial<RunContext> = {}): RunContext {
  return {
    mode: 'deploy',
    env: 'prod',
    root: '/nonexistent',
    runId: 'run1',
    user: 'alice',
    workstation: 'laptop',
    git: null,
    breakLock: false,
    autoRollback: true,
    removeUndeclared: true,
    log: () => undefined,
    ...over,
  };
}
