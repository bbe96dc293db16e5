// settingsChanged: a container's networks and docker-update limits against its service's definition; and what
// decideService makes of them.
import { describe, expect, it } from 'vitest';
import { byteCount, settingsChanged } from '../../../src/compose/container-settings.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../../../src/core/desired/service.js';
import type { ContainerLimits, ContainerState } from '../../../src/facts/containers/container-state.js';
import { deployed, NO_LIMITS } from './compose-fixtures.js';
import { decide, recordOf, running, was, web } from './decide-fixtures.js';

const spec = (s: Partial<ServiceSpecInput> = {}) => serviceSpecSchema.parse({ image: 'app:1', ...s });
const container = (over: Partial<ContainerState>): ContainerState => ({ ...running, ...over });
const changed = (s: Partial<ServiceSpecInput>, over: Partial<ContainerState>): string[] =>
  settingsChanged(spec(s), container(over), 'shop', running.name);

describe('settingsChanged: networks', () => {
  it('matches the declared networks by their docker names, and the default one without any', () => {
    expect(changed({ networks: ['back', 'front-end'] }, { networks: ['shop_back', 'shop_front_end'] })).toEqual([]);
    expect(changed({}, { networks: ['shop_default'] })).toEqual([]);
  });

  it('names a network the container lacks, and one it has in excess', () => {
    expect(changed({ networks: ['back', 'front'] }, { networks: ['shop_front'] })).toEqual([
      'not on network shop_back (docker network disconnect by hand?)',
    ]);
    expect(changed({ networks: ['back'] }, { networks: ['bridge', 'shop_back', 'shop_sandbox'] })).toEqual([
      'also on network bridge, shop_sandbox (docker network connect by hand?)',
    ]);
    expect(changed({}, { networks: [] })).toEqual(['not on network shop_default (docker network disconnect by hand?)']);
  });

  it('says nothing when the facts did not read them', () => {
    expect('networks' in running || 'limits' in running).toBe(false);
    expect(changed({ networks: ['back'], memLimit: '1g' }, {})).toEqual([]);
  });
});

describe('settingsChanged: the name', () => {
  it('names a container found by its compose labels under another name than its own', () => {
    expect(changed({}, { name: 'shop_web_old' })).toEqual([
      `named shop_web_old instead of ${running.name} (docker rename by hand?)`,
    ]);
    expect(decide(was, { container: { ...running, name: 'shop_web_old' } })).toEqual({
      action: 'recreate',
      reasons: [`named shop_web_old instead of ${running.name} (docker rename by hand?)`],
    });
  });
});

describe('settingsChanged: what docker update changes', () => {
  const limits = (l: Partial<ContainerLimits>): Partial<ContainerState> => ({ limits: { ...NO_LIMITS, ...l } });

  it('matches limits as compose sets them, whatever unit the definition names them in', () => {
    const s = { cpus: 0.57, memLimit: '1536m', memReservation: '100M', pidsLimit: 50, restart: 'on-failure' as const };
    // 0.57 CPUs: compose's float product is 569999999.99…, which docker may keep as 569999999
    for (const nanoCpus of [570000000, 569999999])
      expect(
        changed(
          s,
          limits({ restart: 'on-failure', memory: 1610612736, memoryReservation: 104857600, nanoCpus, pidsLimit: 50 }),
        ),
      ).toEqual([]);
    expect(changed({ memLimit: '1g' }, limits({ memory: 1073741824 }))).toEqual([]);
    expect(changed({ memLimit: '1048576k' }, limits({ memory: 1073741824 }))).toEqual([]);
  });

  it('reads no restart policy (`` from docker) as `no`, and no pids limit as null, 0 or -1', () => {
    expect(changed({ restart: 'no' }, limits({ restart: '' }))).toEqual([]);
    expect(changed({}, limits({ pidsLimit: 0 }))).toEqual([]);
    expect(changed({}, limits({ pidsLimit: -1 }))).toEqual([]);
  });

  it('names every limit changed, as docker has it against the definition, in one reason', () => {
    expect(
      changed(
        { memLimit: '768m', cpus: 0.5 },
        limits({ restart: 'no', memory: 314572800, memoryReservation: 1024, nanoCpus: 750000000, pidsLimit: 200 }),
      ),
    ).toEqual([
      'restart policy no instead of unless-stopped, memory limit 300m instead of 768m, memory reservation 1k instead of none, CPUs 0.75 instead of 0.5, pids limit 200 instead of none (docker update by hand?)',
    ]);
    expect(changed({ restart: 'on-failure' }, limits({ restart: 'on-failure', restartRetries: 5 }))).toEqual([
      'restart policy on-failure:5 instead of on-failure (docker update by hand?)',
    ]);
    expect(changed({ cpus: 1 }, limits({ nanoCpus: 1000000000, cpuQuota: 50000 }))).toEqual([
      'CPUs quota 50000 instead of 1 (docker update by hand?)',
    ]);
    expect(changed({ memLimit: '1g' }, limits({ memory: 2 * 1024 ** 3 }))).toEqual([
      'memory limit 2g instead of 1g (docker update by hand?)',
    ]);
  });

  it('takes no limit where the definition sets one for docker discarding it (no such cgroup), not for a change', () => {
    const s = { memLimit: '1g', memReservation: '100m', cpus: 0.5, pidsLimit: 50 };
    expect(changed(s, limits({ memory: 0, memoryReservation: 0, nanoCpus: 0, pidsLimit: null }))).toEqual([]);
    expect(
      changed(s, limits({ memory: 1024 ** 3, memoryReservation: 100 * 1024 ** 2, nanoCpus: 5e8, pidsLimit: 0 })),
    ).toEqual([]);
  });

  it('byteCount reads sizes in units of 1024, as compose does', () => {
    expect([byteCount('512'), byteCount('2k'), byteCount('3M'), byteCount('1g')]).toEqual([
      512,
      2048,
      3 * 1024 ** 2,
      1024 ** 3,
    ]);
    expect(() => byteCount('1.5g')).toThrow('not a size');
  });
});

describe('decideService: networks and limits changed in place', () => {
  const inPlace = { networks: [] as string[], limits: { ...NO_LIMITS, memory: 1024 } };
  const why = [
    'not on network shop_default (docker network disconnect by hand?)',
    'memory limit 1k instead of none (docker update by hand?)',
  ];

  it('recreates a container as deployed whose networks or limits were changed in place', () => {
    expect(decide(was, { container: { ...running, ...inPlace } })).toEqual({ action: 'recreate', reasons: why });
    // stopped: a start would keep them
    expect(decide(was, { container: { ...running, ...inPlace, running: false, status: 'exited' } })).toEqual({
      action: 'recreate',
      reasons: why,
    });
  });

  it('adds them to the reasons of a recreate, and recreates where only a reload was due', () => {
    const changedConf = web({ conf: 'b' });
    expect(decide(changedConf, { container: running })).toMatchObject({ action: 'reload' });
    expect(decide(changedConf, { container: { ...running, ...inPlace } })).toEqual({
      action: 'recreate',
      reasons: ['app.conf changed', ...why],
    });
    expect(decide(web({ env: 'A=2\n' }), { container: { ...running, ...inPlace } })).toEqual({
      action: 'recreate',
      reasons: ['env x.env changed', ...why],
    });
    // reloaded in place to the wanted config since its creation: only the settings are reasons
    const reloaded = { container: { ...running, ...inPlace }, record: recordOf(running.id, 'b') };
    expect(decide(changedConf, { ...reloaded, container: running })).toEqual({ action: 'none', reasons: [] });
    expect(decide(changedConf, reloaded)).toEqual({ action: 'recreate', reasons: why });
  });

  it('leaves a one-shot that did its work as it is', () => {
    const oneShot = web({ oneShot: true });
    const done = { ...deployed(oneShot), ...inPlace, running: false, status: 'exited' as const, exitCode: 0 };
    expect(decide(oneShot, { container: done })).toEqual({ action: 'none', reasons: [] });
    expect(decide(oneShot, { container: { ...done, exitCode: 1 } })).toMatchObject({ action: 'recreate' });
  });

  it('keeps a container whose settings are as declared', () => {
    const declared = { networks: ['shop_default'], limits: NO_LIMITS };
    expect(decide(was, { container: { ...running, ...declared } })).toEqual({ action: 'none', reasons: [] });
  });
});
