// Pure: the program a service's healthcheck makes docker exec in its container, which must exist in the image.
import type { HealthProbe } from '../core/plan-data/plan-types.js';
import type { ServiceSpec } from '../core/desired/service.js';

export type { HealthProbe } from '../core/plan-data/plan-types.js';

/** The healthcheck program of `spec`, or undefined when it has no healthcheck. */
export function healthProbeOf(spec: ServiceSpec, imageId?: string): HealthProbe | undefined {
  const test = spec.healthcheck?.test;
  if (test === undefined) return undefined;
  const path = spec.environment['PATH'];
  return {
    image: spec.image,
    ...(typeof test === 'string' ? {} : { program: test[0] }),
    ...(path !== undefined ? { path } : {}),
    ...(spec.workingDir !== undefined ? { workingDir: spec.workingDir } : {}),
    ...(imageId !== undefined ? { imageId } : {}),
  };
}

/** What the probe looks for, for people: `"wget"`, or `the shell of a CMD-SHELL test`. */
export function probeTarget(p: HealthProbe): string {
  return p.program === undefined ? 'the shell of its CMD-SHELL test' : `"${p.program}"`;
}

/** The key of a lookup in one image: the same program with the same PATH and working dir has the same answer. */
export function probeKey(p: Pick<HealthProbe, 'program' | 'path' | 'workingDir'>): string {
  return JSON.stringify([p.program ?? null, p.path ?? null, p.workingDir ?? null]);
}
