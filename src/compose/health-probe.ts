// Pure: the program a service's healthcheck makes docker exec in its container, which must exist in the image.
import type { ServiceSpec } from '../core/service.js';

/**
 * What the image must hold for the healthcheck to run at all (incumbent §10.15: a probe binary missing from the image
 * leaves the service `starting` until the gate gives up, with no word about why). `program` is the test's argv[0]
 * (`CMD`), absolute or looked up in PATH as docker does; undefined for a shell line (`CMD-SHELL`), which docker runs
 * with the image's shell (its `SHELL`, else `/bin/sh`). `path` and `workingDir` are the service's own overrides of
 * the image's (docker resolves a bare name against the container's PATH, a relative one against its working dir).
 */
export interface HealthProbe {
  /** The image reference the service runs, as deployed (`repo:tag@sha256:…` when pinned). */
  readonly image: string;
  readonly program?: string;
  readonly path?: string;
  readonly workingDir?: string;
  /** The image's ID on the host when the plan's facts knew it (the probe cache is keyed by it). */
  readonly imageId?: string;
}

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
