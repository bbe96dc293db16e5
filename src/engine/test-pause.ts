// Test-only pause points: a run stops at a named point until a test lets it go, so a race can be staged exactly.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Waits at `point` for `host` when the run was started with that pause point; resolves at once otherwise. */
export type TestPause = (point: string, host: string) => Promise<void>;

/** How long a paused run waits for the test before failing: a forgotten pause must not hang forever. */
const DEADLINE_MS = 300_000;

/**
 * The pause points of `RIG_TEST_PAUSE` (comma-separated names, e.g. `after-facts`) with the rendezvous directory
 * `RIG_TEST_PAUSE_DIR`. At a listed point the run writes `<dir>/<point>.<host>.reached` and waits (polling) for the
 * test to create `<dir>/<point>.<host>.continue`. Undefined (no pause at all) unless both variables are set: an
 * ordinary run never waits. Points so far: `after-facts` (deploy: the facts were read under the lock, the apply is
 * next).
 */
export function testPauseFrom(env: Readonly<Record<string, string | undefined>>): TestPause | undefined {
  const points = (env['RIG_TEST_PAUSE'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const dir = env['RIG_TEST_PAUSE_DIR'];
  if (points.length === 0 || dir === undefined || dir === '') return undefined;
  return async (point, host) => {
    if (!points.includes(point)) return;
    const base = path.join(dir, `${point}.${host}`);
    writeFileSync(`${base}.reached`, `${process.pid}\n`);
    const end = Date.now() + DEADLINE_MS;
    while (!existsSync(`${base}.continue`)) {
      if (Date.now() > end) throw new Error(`test pause ${point} (${host}): nobody wrote ${base}.continue within ${DEADLINE_MS / 1000}s`);
      await sleep(20);
    }
  };
}
