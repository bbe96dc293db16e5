// The plan made under the deploy lock must do what the plan shown does; it may say why in other words (issue found by
// CI: a container a killed run recreated is `health starting` in one plan and healthy a second later).
import { describe, expect, it } from 'vitest';
import { planServices } from '../../../src/compose/plan-services.js';
import type { ContainerState } from '../../../src/facts/containers/docker-state.js';
import { samePlan } from '../../../src/engine/host-lock.js';
import type { Step } from '../../../src/core/plan-data/plan-types.js';
import { deployed, desiredOf, dockerState, ID_A, image, role, svc } from '../compose/compose-fixtures.js';

const STATE = '/srv/shop/.rig';
const roles = [role('web', [svc('web', { image: 'app:1', healthcheck: { test: ['true'] } })])];

/** The planner's steps over the deployed `web` as `over` changes it; the current release records no `web`. */
function stepsWith(over: Partial<ContainerState>, recorded = new Map()): Step[] {
  const desired = desiredOf(roles);
  const containers = desired.services.map((s) => deployed(s, over));
  const docker = dockerState({ containers, images: { 'app:1': image(ID_A) } });
  return planServices({ host: 'h', desired, docker, fileSteps: [], removeUndeclared: true, recorded }).steps;
}

describe('samePlan (the plan under the lock against the plan shown)', () => {
  it('a gate whose reason moved from `health starting` to `not in the current release` is the same work', () => {
    const shown = stepsWith({ health: 'starting' });
    const locked = stepsWith({ health: 'healthy' });
    expect(shown.map((s) => s.kind === 'service' && [s.action, s.why])).toEqual([
      ['gate', 'health starting: not through its health gate'],
    ]);
    expect(locked.map((s) => s.kind === 'service' && [s.action, s.why])).toEqual([
      ['gate', 'not in the current release: made by a deploy that did not finish'],
    ]);
    expect(samePlan(shown, locked, STATE)).toBe(true);
  });

  it('another action, or another fingerprint, is not', () => {
    const gate = stepsWith({ health: 'starting' });
    const start = stepsWith({ running: false, status: 'exited', exitCode: 137 });
    expect(start.map((s) => s.kind === 'service' && s.action)).toEqual(['start']);
    expect(samePlan(gate, start, STATE)).toBe(false);
    const other = gate.map((s) => (s.kind === 'service' ? { ...s, fingerprint: 'x'.repeat(64) } : s));
    expect(samePlan(gate, other, STATE)).toBe(false);
    expect(samePlan(gate, [], STATE)).toBe(false);
  });
});
