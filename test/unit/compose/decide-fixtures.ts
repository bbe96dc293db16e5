// The `web` service of the decideService tests, in versions of the repository, and the helpers those tests share.
import type { DesiredService } from '../../../src/compose/compose-desired.js';
import {
  decideService,
  type CurrentService,
  type ServiceDecision,
  type WantedService,
} from '../../../src/compose/decide-service.js';
import type { ReloadRecord } from '../../../src/compose/service-reload.js';
import { inputsLabel } from '../../../src/compose/service-inputs.js';
import type { ServiceOp } from '../../../src/core/desired/op.js';
import type { Step } from '../../../src/core/plan-data/plan-types.js';
import type { ContainerState } from '../../../src/facts/containers/docker-state.js';
import { deployed, desiredOf, file, ID_A, role, svc } from './compose-fixtures.js';

export const CONF = '/srv/shop/conf';
export const ENV = '/srv/shop/x.env';
export const PIN_A = `reg/app@sha256:${'a'.repeat(64)}`;
export const PIN_B = `reg/app@sha256:${'b'.repeat(64)}`;
export const mount = { type: 'bind', source: CONF, target: '/etc/app' } as const;

export interface Version {
  conf?: string;
  env?: string;
  image?: string;
  command?: string[];
  reload?: boolean;
  envFiles?: boolean;
  oneShot?: boolean;
}

/** The desired `web` service of a version of the repository. */
export function web(v: Version = {}): DesiredService {
  const envFiles = v.envFiles === false ? [] : [ENV];
  const spec = { image: v.image ?? 'app:1', mounts: [mount], envFiles, ...(v.command ? { command: v.command } : {}) };
  const reload = v.reload === false ? {} : { reload: { paths: [CONF], command: ['app', 'reload'] } };
  const op: ServiceOp = { ...svc('web', spec, v.oneShot ? { gate: { oneShot: true } } : {}), ...reload };
  const files = [file(`${CONF}/app.conf`, v.conf ?? 'a'), file(ENV, v.env ?? 'A=1\n')];
  return desiredOf([role('web', [...files, op])]).services[0]!;
}

/** The reload record a reload to `conf` writes for container `id`. */
export function recordOf(id: string, conf: string): ReloadRecord {
  const key = `file:${CONF}/app.conf`;
  return { id, inputs: { [key]: (JSON.parse(inputsLabel(web({ conf }).inputs)) as Record<string, string>)[key]! } };
}

export type Current = Partial<CurrentService> & { container: ContainerState | undefined };

/** The host copy's time of each write step made by a test (file-state's `modifiedAt`), when it gives one. */
export const hostTimes = new WeakMap<Step, number>();

/** decideService of `want` in project shop; `wanted` overrides what the write steps give (drift passes none). */
export function decide(
  want: DesiredService,
  current: Current,
  fileSteps: Step[] = [],
  wanted: Pick<WantedService, 'editedEntry' | 'modifiedAt'> = {},
): ServiceDecision {
  const modifiedAt = (p: string): number | undefined => {
    const step = fileSteps.find((st) => st.kind === 'write' && st.path === p);
    return step && hostTimes.get(step);
  };
  const input = { service: want, project: 'shop', fileSteps, modifiedAt, ...wanted };
  return decideService(input, { localImageId: ID_A, ...current });
}

export const was = web();
export const running = deployed(was);
export const relabel = (labels: Record<string, string | undefined>): ContainerState => {
  const all = Object.entries({ ...running.labels, ...labels }).filter((e): e is [string, string] => e[1] !== undefined);
  return { ...running, labels: Object.fromEntries(all) };
};
export const exited = (code: number): ContainerState => ({
  ...running,
  running: false,
  status: 'exited',
  exitCode: code,
});
export const none: ServiceDecision = { action: 'none', reasons: [] };
export const gate = (why: string): ServiceDecision => ({ action: 'gate', reasons: [why] });
export const unfinished = 'made by a deploy that did not finish';
export const reloadConf = (conf: string): ServiceDecision => ({
  action: 'reload',
  reasons: ['app.conf changed (reload in place: app reload)'],
  reload: { command: ['app', 'reload'], record: JSON.stringify(recordOf(running.id, conf)) },
});
