// In-place reloads, planned: only files under the reload paths changed → reload; anything else → recreate; the record.
import { describe, expect, it } from 'vitest';
import { planServices } from '../../../src/compose/plan-services.js';
import type { ReloadRecord } from '../../../src/compose/service-reload.js';
import { inputsLabel } from '../../../src/compose/service-inputs.js';
import type { ServiceOp } from '../../../src/core/desired/op.js';
import { deployed, desiredOf, dockerState, file, ID_A, role, svc } from './compose-fixtures.js';

const CONF = '/srv/shop/configs/caddy';
const caddy = (extra: Partial<ServiceOp> = {}): ServiceOp => ({
  ...svc('caddy', {
    image: 'caddy:2',
    mounts: [{ type: 'bind', source: CONF, target: '/etc/caddy', readOnly: true }],
    envFiles: [],
  }),
  reload: { paths: [CONF], command: ['caddy', 'reload'] },
  ...extra,
});

function plan(
  now: { conf: string; image?: string },
  was: { conf: string; image?: string },
  record?: (id: string, conf: string) => ReloadRecord,
) {
  const desiredNow = desiredOf([
    role('caddy', [
      file(`${CONF}/Caddyfile`, now.conf),
      caddy({ spec: { ...caddy().spec, image: now.image ?? 'caddy:2' } }),
    ]),
  ]);
  const desiredWas = desiredOf([
    role('caddy', [
      file(`${CONF}/Caddyfile`, was.conf),
      caddy({ spec: { ...caddy().spec, image: was.image ?? 'caddy:2' } }),
    ]),
  ]);
  const c = deployed(desiredWas.services[0]!);
  const reloads = new Map(record ? [[c.name, record(c.id, now.conf)]] : []);
  const docker = dockerState({
    containers: [c],
    images: { 'caddy:2': { id: ID_A, repoDigests: [] }, 'caddy:3': { id: ID_A, repoDigests: [] } },
  });
  return {
    steps: planServices({ host: 'h', desired: desiredNow, docker, fileSteps: [], removeUndeclared: true, reloads })
      .steps,
    desiredNow,
    container: c,
  };
}

describe('reload planning', () => {
  it('a changed file under the reload path: reload, not recreate, with the record it brings the container to', () => {
    const { steps, desiredNow, container } = plan({ conf: 'b' }, { conf: 'a' });
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      kind: 'service',
      action: 'reload',
      service: 'caddy',
      reasons: ['Caddyfile changed (reload in place: caddy reload)'],
    });
    const rec = JSON.parse((steps[0] as { reload: { record: string } }).reload.record) as ReloadRecord;
    expect(rec.id).toBe(container.id);
    expect(rec.inputs).toEqual({
      [`file:${CONF}/Caddyfile`]: JSON.parse(inputsLabel(desiredNow.services[0]!.inputs))[`file:${CONF}/Caddyfile`],
    });
    expect((steps[0] as { reload: { recordPath: string } }).reload.recordPath).toBe(
      '/srv/shop/.rig/reloads/shop_caddy.json',
    );
  });

  it('after the reload, the record makes the same container current: nothing to do', () => {
    const record = (id: string, conf: string): ReloadRecord => {
      const d = desiredOf([role('caddy', [file(`${CONF}/Caddyfile`, conf), caddy()])]);
      return {
        id,
        inputs: {
          [`file:${CONF}/Caddyfile`]: JSON.parse(inputsLabel(d.services[0]!.inputs))[`file:${CONF}/Caddyfile`],
        },
      };
    };
    expect(plan({ conf: 'b' }, { conf: 'a' }, record).steps).toEqual([]);
    // a record of another container (it was recreated since) is ignored
    expect(plan({ conf: 'b' }, { conf: 'a' }, (_id, conf) => record('other', conf)).steps[0]).toMatchObject({
      action: 'reload',
    });
  });

  it('back to the file the container was created with, after a reload took another in: reload (a rollback of a reload)', () => {
    const recordOf = (id: string, conf: string): ReloadRecord => {
      const d = desiredOf([role('caddy', [file(`${CONF}/Caddyfile`, conf), caddy()])]);
      return {
        id,
        inputs: {
          [`file:${CONF}/Caddyfile`]: JSON.parse(inputsLabel(d.services[0]!.inputs))[`file:${CONF}/Caddyfile`],
        },
      };
    };
    // created with a, reloaded to b (the record), a wanted again: the labels alone say "current"; the record says not
    const { steps } = plan({ conf: 'a' }, { conf: 'a' }, (id) => recordOf(id, 'b'));
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      action: 'reload',
      reasons: ['Caddyfile changed (reload in place: caddy reload)'],
    });
    expect(plan({ conf: 'a' }, { conf: 'a' }, (id) => recordOf(id, 'a')).steps).toEqual([]);
  });

  it('an image change recreates, whatever else changed', () => {
    const { steps } = plan({ conf: 'b', image: 'caddy:3' }, { conf: 'a' });
    expect(steps[0]).toMatchObject({ action: 'recreate' });
    expect((steps[0] as { reasons: readonly string[] }).reasons[0]).toBe('image caddy:2 → caddy:3');
  });
});
