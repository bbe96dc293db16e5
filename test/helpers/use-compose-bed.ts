// A compose suite's hooks around one compose bed: start it before the tests, print rig's last outputs and the host
// logs when a test failed, stop it after.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startComposeBed, type ComposeBed } from './compose-bed.js';

/** The suite's bed (once started) and its `rig`, which keeps every run's output for a failure report. */
export interface UsedComposeBed {
  bed(): ComposeBed;
  rig: ComposeBed['rig'];
}

/** Registers the hooks of a suite on one compose bed (see {@link startComposeBed}). */
export function useComposeBed(id: string, opts: { compose?: 'v1' | 'v2' } = {}): UsedComposeBed {
  let started: ComposeBed | undefined;
  const outputs: string[] = [];
  beforeAll(async () => {
    started = await startComposeBed(id, opts);
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    console.error(outputs.slice(-6).join('\n'));
    await started?.tb.dumpLogs();
  });
  const bed = (): ComposeBed => {
    if (started === undefined) throw new Error('the compose bed did not start (see beforeAll)');
    return started;
  };
  return {
    bed,
    async rig(args) {
      const r = await bed().rig(args);
      outputs.push(r.out, r.err);
      return r;
    },
  };
}
