// Before the integration suites: remove the bed runs whose test process died before stopping them (killed workers,
// a Ctrl-C): testcontainers' reaper would have, but it cannot run here. Runs of live processes are left alone.
export default async function sweepOrphanedRuns(): Promise<void> {
  try {
    const { sweepOrphans } = await import('./teardown.ts');
    const removed = await sweepOrphans();
    if (removed.length > 0) console.warn(`[testbed] removed ${removed.length} orphaned run(s): ${removed.join(' ')}`);
  } catch (error) {
    // no engine, or a Node testcontainers cannot run on: the suites skip or fail with the reason (requireDocker)
    console.warn(`[testbed] orphan sweep skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
}
