// A role suite's hooks around one role bed: start it before the tests, dump its logs when a test failed, remove it.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RoleBed, RoleBedOptions } from './role-bed.ts';

/**
 * Registers the hooks of a suite on one role bed; `ready` receives it once started (assign it to the suite's
 * variable). Host logs and every rig run's output go to stderr when any test of the suite failed.
 */
export function useRoleBed(opts: RoleBedOptions, ready: (bed: RoleBed) => void): void {
  let bed: RoleBed | undefined;
  let failed = false;
  beforeAll(async () => {
    const { startRoleBed } = await import('./role-bed.ts');
    bed = await startRoleBed(opts);
    ready(bed);
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (bed === undefined) return;
    if (failed) await bed.dumpLogs();
    await bed.stop();
  });
}
