// The health gate's verdict on one observation of a service, table-driven over its gate and the container's state.
import { describe, expect, it } from 'vitest';
import { judge } from '../../../src/apply/health-gate.js';
import type { ServiceStep } from '../../../src/core/plan-data/plan-types.js';
import type { ContainerState } from '../../../src/facts/containers/container-state.js';

type Gate = ServiceStep['gate'];
const longRunning: Gate = { oneShot: false, timeoutSec: 120, settleSec: 5, healthcheck: false };
const checked: Gate = { ...longRunning, healthcheck: true };
const oneShot: Gate = { ...longRunning, oneShot: true };

const FIRST: ContainerState = {
  id: '0'.repeat(64),
  name: 'shop_web',
  image: `sha256:${'a'.repeat(64)}`,
  labels: {},
  status: 'running',
  running: true,
  exitCode: 0,
  startedAt: '2026-01-01T00:00:00.000000000Z',
  restartCount: 0,
};
const exited = (exitCode: number): Partial<ContainerState> => ({ status: 'exited', running: false, exitCode });

describe('judge', () => {
  it.each<[string, Gate, Partial<ContainerState> | 'gone', number, ReturnType<typeof judge>]>([
    ['container gone', longRunning, 'gone', 1, { done: true, ok: false, detail: 'container is gone' }],
    ['healthcheck: healthy', checked, { health: 'healthy' }, 1, { done: true, ok: true, detail: 'healthy' }],
    ['healthcheck: unhealthy', checked, { health: 'unhealthy' }, 1, { done: true, ok: false, detail: 'unhealthy' }],
    ['healthcheck: starting', checked, { health: 'starting' }, 1, { done: false, waiting: 'starting' }],
    ['healthcheck: no health reported yet', checked, {}, 1, { done: false, waiting: 'running' }],
    [
      'healthcheck: running past the settle time is not enough',
      checked,
      { health: 'starting' },
      60,
      { done: false, waiting: 'starting' },
    ],
    [
      'healthcheck: exited',
      checked,
      { ...exited(1), health: 'unhealthy' },
      1,
      { done: true, ok: false, detail: 'exited 1' },
    ],
    ['one-shot: exit 0', oneShot, exited(0), 1, { done: true, ok: true, detail: 'exited 0' }],
    ['one-shot: exit 2', oneShot, exited(2), 1, { done: true, ok: false, detail: 'exited 2' }],
    ['one-shot: still running', oneShot, {}, 60, { done: false, waiting: 'to exit (running)' }],
    [
      'one-shot: not started yet',
      oneShot,
      { status: 'created', running: false },
      1,
      { done: false, waiting: 'to exit (created)' },
    ],
    ['no healthcheck: running before the settle time', longRunning, {}, 4.9, { done: false, waiting: 'running' }],
    [
      'no healthcheck: running at the settle time',
      longRunning,
      {},
      5,
      { done: true, ok: true, detail: 'running for 5s' },
    ],
    [
      'no healthcheck: running after the settle time',
      longRunning,
      {},
      30,
      { done: true, ok: true, detail: 'running for 5s' },
    ],
    [
      'no healthcheck: restarting',
      longRunning,
      { status: 'restarting', running: false },
      30,
      { done: false, waiting: 'restarting' },
    ],
    ['no healthcheck: exited', longRunning, exited(137), 1, { done: true, ok: false, detail: 'exited 137' }],
    [
      'no healthcheck: exited 0 is still a failure',
      longRunning,
      exited(0),
      30,
      { done: true, ok: false, detail: 'exited 0' },
    ],
    [
      'no healthcheck: dead',
      longRunning,
      { status: 'dead', running: false, exitCode: 255 },
      1,
      { done: true, ok: false, detail: 'exited 255' },
    ],
    [
      'restarted: startedAt changed',
      longRunning,
      { startedAt: '2026-01-01T00:00:03.000000000Z', restartCount: 1 },
      30,
      { done: true, ok: false, detail: 'restarted (1 restarts)' },
    ],
    [
      'restarted: restart count grew',
      longRunning,
      { restartCount: 2 },
      30,
      { done: true, ok: false, detail: 'restarted (2 restarts)' },
    ],
    [
      'restarted wins over healthy',
      checked,
      { health: 'healthy', startedAt: '2026-01-01T00:00:09.000000000Z' },
      10,
      { done: true, ok: false, detail: 'restarted' },
    ],
  ])('%s', (_name, gate, state, elapsed, expected) => {
    const c = state === 'gone' ? undefined : { ...FIRST, ...state };
    expect(judge({ gate }, c, FIRST, elapsed)).toEqual(expected);
  });

  it('on the first observation there is nothing to compare a restart with', () => {
    expect(judge({ gate: longRunning }, { ...FIRST, restartCount: 3 }, undefined, 6)).toEqual({
      done: true,
      ok: true,
      detail: 'running for 5s',
    });
  });

  it('a settle time of 0 accepts the first running observation', () => {
    expect(judge({ gate: { ...longRunning, settleSec: 0 } }, FIRST, FIRST, 0)).toEqual({
      done: true,
      ok: true,
      detail: 'running for 0s',
    });
  });
});
