// The services-healthy verdicts: on container state recorded from a real engine, and on each state docker reports.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContainerStates, type ContainerState } from '../../../src/facts/containers/container-state.js';
import { judgeServices, serviceVerdict } from '../../../src/smoke/service-health.js';
import type { SmokeService } from '../../../src/smoke/smoke-context.js';

const svc = (name: string, over: Partial<SmokeService> = {}): SmokeService => ({
  name,
  role: 'r',
  container: `p_${name}`,
  phase: 'apps',
  oneShot: false,
  healthcheck: false,
  image: 'x:1',
  networks: [],
  ...over,
});
const state = (over: Partial<ContainerState>): ContainerState => ({
  id: 'a'.repeat(64),
  name: 'p_x',
  image: 'sha256:1',
  labels: {},
  status: 'running',
  running: true,
  exitCode: 0,
  startedAt: '2026-12-01T08:33:46Z',
  restartCount: 0,
  ...over,
});

describe('serviceVerdict', () => {
  it.each([
    ['healthy', svc('a', { healthcheck: true }), state({ health: 'healthy' }), 'ok', 'running, healthy'],
    ['no healthcheck', svc('a'), state({}), 'ok', 'running (no healthcheck)'],
    [
      'unhealthy',
      svc('a', { healthcheck: true }),
      state({ health: 'unhealthy', restartCount: 2 }),
      'bad',
      'running, unhealthy, 2 restarts',
    ],
    ['starting', svc('a', { healthcheck: true }), state({ health: 'starting' }), 'warn', 'running, health starting'],
    [
      'declared healthcheck missing',
      svc('a', { healthcheck: true }),
      state({}),
      'warn',
      'running without the healthcheck rig declares',
    ],
    ['killed', svc('a'), state({ status: 'exited', running: false, exitCode: 137 }), 'bad', 'exited with code 137'],
    [
      'restarting',
      svc('a'),
      state({ status: 'restarting', running: false, restartCount: 1 }),
      'bad',
      'restarting, 1 restart',
    ],
    ['paused', svc('a'), state({ status: 'paused', running: false }), 'bad', 'paused'],
    [
      'one-shot done',
      svc('i', { oneShot: true }),
      state({ status: 'exited', running: false }),
      'ok',
      'exited with code 0 (one-shot)',
    ],
    [
      'one-shot failed',
      svc('i', { oneShot: true }),
      state({ status: 'exited', running: false, exitCode: 3 }),
      'bad',
      'exited with code 3 (one-shot)',
    ],
    ['one-shot running', svc('i', { oneShot: true }), state({}), 'warn', 'running, one-shot not finished'],
    [
      'one-shot never started',
      svc('i', { oneShot: true }),
      state({ status: 'created', running: false }),
      'bad',
      'created, one-shot not finished',
    ],
    ['no container', svc('a'), undefined, 'bad', 'no container'],
  ] as const)('%s', (_name, service, c, verdict, text) => {
    expect(serviceVerdict(service, c)).toEqual({ verdict, state: text });
  });
});

describe('judgeServices', () => {
  // Recorded under both compose flavors: v1 names containers rigfact_run_1, v2 rigfact-run-1.
  it.each([
    ['v1', '_'],
    ['v2', '-'],
  ] as const)(
    'on state recorded from a real engine (%s): the exited and the vanished containers fail, named in the headline',
    (flavor, sep) => {
      const name = (s: string): string => ['rigfact', s, '1'].join(sep);
      const [run, gone, exit3] = [name('run'), name('gone'), name('exit3')];
      const file = new URL(`../../fixtures/facts/docker-state-containers-${flavor}.txt`, import.meta.url);
      const recorded = parseContainerStates(readFileSync(file, 'utf8'), [run, gone, exit3]);
      const services = [run, gone, exit3].map((n) => svc(n, { container: n }));
      expect(judgeServices(services, recorded)).toEqual({
        status: 'fail',
        evidence: [
          `2 of 3 services not healthy: ${gone} (no container), ${exit3} (exited with code 3)`,
          `${gone}: no container`,
          `${exit3}: exited with code 3`,
          `${run}: running (no healthcheck)`,
        ],
      });
    },
  );

  it('pass lists the services; warn when one is only starting; skip without services', () => {
    const a = svc('alpha', { healthcheck: true });
    const i = svc('init', { oneShot: true });
    const up = [
      state({ name: 'p_alpha', health: 'healthy' }),
      state({ name: 'p_init', status: 'exited', running: false }),
    ];
    expect(judgeServices([a, i], up)).toEqual({
      status: 'pass',
      evidence: ['2 services up: alpha, init', 'p_alpha: running, healthy', 'p_init: exited with code 0 (one-shot)'],
    });
    expect(judgeServices([a], [state({ name: 'p_alpha', health: 'starting' })]).evidence[0]).toBe(
      '1 of 1 services not healthy yet: p_alpha (running, health starting)',
    );
    expect(judgeServices([], []).status).toBe('skip');
  });
});
