// The bed's stand-in for testcontainers' reaper (which cannot run here): runs still up when their process exits are
// removed by a detached `cli.ts stop`, which outlives the exiting process.
import { spawn } from 'node:child_process';
import { BED_CLI } from './bed-paths.ts';

const live = new Set<string>();
let hooked = false;

/** Removes `runId` when this process exits before {@link forgetAtExit} (a test that never reached its afterAll). */
export function removeAtExit(runId: string): void {
  live.add(runId);
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: spawn returns once the child exists, and detached + unref let it finish alone.
  process.once('exit', () => {
    for (const id of live) spawn(process.execPath, [BED_CLI, 'stop', id], { detached: true, stdio: 'ignore' }).unref();
  });
}

/** The run was stopped properly: nothing to do at exit. */
export function forgetAtExit(runId: string): void {
  live.delete(runId);
}
