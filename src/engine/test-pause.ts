// Test-only pause points: the crash tests stop rig at a named step of a host's run, act (signal, kill, cut the
// connection), then let it go on. Off unless RIG_TEST_PAUSE names points; it is not in core/ because it waits on files.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where a run can be held, in a host's order. `before-lock`: the plan is made and shown, the lock not yet taken (the
 * host may change before the plan is made again under it); `after-facts`: the facts are read under the lock (issue
 * 13's point); `before-files`: the lock is held and nothing is changed yet; `after-files`: the files are written, no
 * container touched; `during-up`: the host's detached `compose up` has been started and rig has not yet seen it end;
 * `during-gate`: the services are up and the health gate is about to poll; `during-rollback`: the `up` or the gate
 * failed and the automatic rollback has written the release's files back, its containers not yet (the failed ones
 * still run).
 */
export const PAUSE_POINTS = [
  'before-lock',
  'after-facts',
  'before-files',
  'after-files',
  'during-up',
  'during-gate',
  'during-rollback',
] as const;

export type PausePoint = (typeof PAUSE_POINTS)[number];

/**
 * Holds the run at `point` on `host` when the test asked for it; resolves at once otherwise. A signal does not end
 * the hold (the test releases it after acting), so a second Ctrl-C lands while the run is still held.
 */
export type Pauser = (point: PausePoint, host: string) => Promise<void>;

const DEFAULT_TIMEOUT_SEC = 300;

/**
 * The pauser the environment asks for, or undefined (the normal case). `RIG_TEST_PAUSE=after-files,during-up` names
 * the points, `RIG_TEST_PAUSE_DIR` the directory where rig writes `<host>.<point>.reached` (its pid inside) and
 * waits for the test to create `<host>.<point>.go`.
 * `RIG_TEST_PAUSE_TIMEOUT` (seconds, default 300) bounds the wait: a test that died never leaves rig hanging.
 */
export function testPauses(env: Readonly<Record<string, string | undefined>>): Pauser | undefined {
  const names = (env['RIG_TEST_PAUSE'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) return undefined;
  const unknown = names.filter((n) => !(PAUSE_POINTS as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`RIG_TEST_PAUSE: unknown pause point ${unknown.join(', ')} (known: ${PAUSE_POINTS.join(', ')})`);
  const dir = env['RIG_TEST_PAUSE_DIR'];
  if (dir === undefined || !path.isAbsolute(dir))
    throw new Error('RIG_TEST_PAUSE needs RIG_TEST_PAUSE_DIR, an absolute directory');
  const timeoutSec = Number(env['RIG_TEST_PAUSE_TIMEOUT'] ?? DEFAULT_TIMEOUT_SEC);
  if (!(timeoutSec > 0))
    throw new Error(`RIG_TEST_PAUSE_TIMEOUT: expected seconds > 0, got ${env['RIG_TEST_PAUSE_TIMEOUT']}`);
  const points = new Set(names);
  return async (point, host) => {
    if (!points.has(point)) return;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const files = pauseFiles(dir, host, point);
    writeFileSync(files.reached, `${process.pid}\n`);
    await waitForFile(files.go, timeoutSec * 1000, `test pause ${point} on ${host}`);
  };
}

/** Pause file names, for the tests that drive them. */
export function pauseFiles(dir: string, host: string, point: PausePoint): { reached: string; go: string } {
  const base = path.join(dir, `${encodeURIComponent(host)}.${point}`);
  return { reached: `${base}.reached`, go: `${base}.go` };
}

async function waitForFile(file: string, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`${what}: not released within ${timeoutMs / 1000} s (no ${file})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
