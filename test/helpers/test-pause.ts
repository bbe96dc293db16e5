// The test side of rig's test-only pause points (src/engine/test-pause.ts) for a run in this process: wait for it
// to reach one, act, let it go (test/helpers/crash.ts does the same for a rig subprocess).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { pauseFiles, type PausePoint } from '../../src/engine/test-pause.js';

/** The env that makes a run pause at `point`, rendezvousing in `dir`. */
export function pauseEnv(dir: string, point: PausePoint): Record<string, string> {
  return { RIG_TEST_PAUSE: point, RIG_TEST_PAUSE_DIR: dir };
}

/**
 * Starts a run (`start`, with pauseEnv in its env), waits until it reaches `point` for `host`, runs `whilePaused`,
 * lets the run go on and returns its result. Fails when the run never reaches the point (60 s).
 */
export async function atPause<R>(
  dir: string,
  point: PausePoint,
  host: string,
  start: () => Promise<R>,
  whilePaused: () => Promise<void>,
): Promise<R> {
  const files = pauseFiles(dir, host, point);
  const running = start();
  let finished = false;
  void running.finally(() => (finished = true)).catch(() => undefined);
  const end = Date.now() + 60_000;
  while (!existsSync(files.reached)) {
    if (finished || Date.now() > end)
      throw new Error(
        `the run did not reach pause point ${point} on ${host}: ${JSON.stringify(await Promise.race([running, Promise.resolve('still running')]))}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    await whilePaused();
  } finally {
    writeFileSync(files.go, '');
  }
  const result = await running;
  for (const f of [files.reached, files.go]) rmSync(f, { force: true });
  return result;
}
