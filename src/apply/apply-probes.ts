// Pre-check of an apply: the healthcheck program of every service being created or recreated is in its image, found
// before anything is written or stopped (docs/lessons.md §10.15). One exec for the lookups the cache cannot answer.
import { probeKey, probeTarget, type HealthProbe } from '../compose/health-probe.js';
import { imageProgramCmd, parseImagePrograms, type ProgramLookup } from '../facts/containers/image-program.js';
import type { Transport } from '../transport/transport.js';
import type { ServiceStep, Step } from '../core/plan-data/plan-types.js';
import type { ProbeCache } from './probe-cache.js';

/** A service whose (re)created container could never pass its healthcheck, or whose image could not be read. */
export interface ProbeFailure {
  readonly service: string;
  readonly image: string;
  readonly message: string;
}

export interface ProbeCheckOptions {
  readonly become: boolean;
  readonly cache?: ProbeCache | undefined;
  /** Pull an image the host lacks (the checklist's target images); a deploy's pre-checks pulled them already. */
  readonly pull?: boolean;
  /** Images not to look at (their pull failed: that is reported already). */
  readonly skipImages?: ReadonlySet<string>;
}

/** The services `steps` create or recreate whose healthcheck program is not found, each with why. */
export async function checkProbes(
  t: Transport,
  steps: readonly Step[],
  opts: ProbeCheckOptions,
): Promise<{ failures: ProbeFailure[]; checked: number; asked: number }> {
  const probed = steps.filter(
    (s): s is ServiceStep & { probe: HealthProbe } =>
      s.kind === 'service' &&
      (s.action === 'create' || s.action === 'recreate') &&
      s.probe !== undefined &&
      !opts.skipImages?.has(s.probe.image),
  );
  const answers = new Map<ServiceStep, ProgramLookup>();
  for (const s of probed) {
    const hit = s.probe.imageId === undefined ? undefined : opts.cache?.get(s.probe.imageId, probeKey(s.probe));
    if (hit) answers.set(s, hit);
  }
  // grouped by image: the host creates one container per image
  const ask = probed
    .filter((s) => !answers.has(s))
    .sort((a, b) => (a.probe.image < b.probe.image ? -1 : a.probe.image > b.probe.image ? 1 : 0));
  if (ask.length > 0) {
    const r = await t.exec(
      imageProgramCmd(
        ask.map((s) => s.probe),
        { pull: opts.pull === true },
      ),
      { become: opts.become },
    );
    if (r.code !== 0) {
      const why = r.stderr.trim().split('\n').slice(-3).join(' / ') || `exit ${r.code}`;
      ask.forEach((s) => answers.set(s, { kind: 'error', message: why }));
    } else {
      parseImagePrograms(r.stdout, ask.length).forEach((lookup, i) => {
        const s = ask[i] as (typeof ask)[number];
        answers.set(s, lookup);
        if (lookup.kind !== 'error') opts.cache?.put(lookup.imageId, probeKey(s.probe), lookup);
      });
    }
  }
  const failures = probed.flatMap((s) => {
    const lookup = answers.get(s);
    const message = lookup === undefined ? undefined : probeProblem(s.service, s.probe, lookup);
    return message === undefined ? [] : [{ service: s.service, image: s.probe.image, message }];
  });
  return { failures, checked: probed.length, asked: ask.length };
}

/** Why `lookup` means the service's healthcheck cannot run, or undefined when its program is there. */
export function probeProblem(service: string, probe: HealthProbe, lookup: ProgramLookup): string | undefined {
  const runs = `service ${service}: its healthcheck runs ${probeTarget(probe)}`;
  switch (lookup.kind) {
    case 'found':
      return undefined;
    case 'missing':
      return `${runs}, which image ${probe.image} does not have (looked for ${lookup.searched.join(', ')}): the container could never become healthy; give the service a healthcheck the image can run`;
    case 'not-executable':
      return `${runs}, but ${lookup.path} in image ${probe.image} is not an executable file (${lookup.mode}): the container could never become healthy`;
    case 'error':
      return `${runs}, which could not be looked for in image ${probe.image}: ${lookup.message}`;
  }
}
