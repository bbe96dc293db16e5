// Check images: every image of the target and of the current stack against its registry (HEAD only), as `rig pin
// --check` does.
import type { Project } from '../config/project.js';
import { pinnedDigest } from '../compose/service-inputs.js';
import type { EnvImage } from '../pin/env-images.js';
import type { LockEntry, LockFile } from '../pin/lockfile.js';
import { resolveImages, type Resolution } from '../pin/resolve-images.js';
import { local, worst, type CheckResult, type CheckStatus } from './checklist-check.js';
import type { CheckDetails } from './checklist-details.js';

type ImageDetail = Extract<CheckDetails, { kind: 'images' }>['images'][number];

/** The check, and the lock entries `rig pin` would add for the upgraded references (what the upgrade plan pins to). */
export interface ImagesOutcome {
  readonly result: CheckResult;
  readonly added: readonly LockEntry[];
  /** Upgraded references that did not resolve: nothing can be planned or validated for them. */
  readonly unresolved: readonly string[];
}

/**
 * Resolves the current and the target images. A target that does not resolve, or a pinned tag that vanished upstream,
 * is blocking (the upgrade, or a rollback on a host without the image, could not pull it); a tag that moved since it
 * was pinned is advisory (deploys keep the pinned digest until `rig pin`).
 */
export async function checkImages(
  project: Project,
  current: readonly EnvImage[],
  target: readonly EnvImage[],
  lock: LockFile | undefined,
  upgraded: ReadonlySet<string>,
): Promise<ImagesOutcome> {
  const started = performance.now();
  const roles = new Map<string, ImageDetail['role']>();
  for (const i of current) roles.set(i.ref, 'current');
  for (const i of target) roles.set(i.ref, roles.has(i.ref) ? 'both' : 'target');
  const all = [...new Map([...current, ...target].map((i) => [i.ref, i])).values()];
  const resolutions = new Map((await resolveImages(project, all)).map((r) => [r.image.ref, r]));
  const pins = new Map((lock?.images ?? []).map((e) => [e.ref, e.digest]));
  const judged = all.map((i) =>
    judgeImage(i.ref, roles.get(i.ref) ?? 'current', resolutions.get(i.ref), pins.get(i.ref)),
  );
  const status = worst(judged.map((j) => j.detail.status));
  const bad = judged.find((j) => j.detail.status === status && status !== 'pass');
  const n = (r: ImageDetail['role']): number =>
    judged.filter((j) => j.detail.role === r || j.detail.role === 'both').length;
  const headline =
    bad?.line ??
    `${all.length} images resolve (${n('target')} target, ${n('current')} current); every pinned digest is still what its tag serves`;
  const added = [...upgraded].flatMap((ref) => {
    const r = resolutions.get(ref);
    return r && 'resolved' in r
      ? [
          {
            ref,
            registry: r.resolved.registry,
            repository: r.resolved.repository,
            tag: r.resolved.tag,
            digest: r.resolved.digest,
            resolvedAt: new Date().toISOString(),
          },
        ]
      : [];
  });
  const unresolved = [...upgraded].filter(
    (ref) => !added.some((a) => a.ref === ref) && pinnedDigest(ref) === undefined,
  );
  const result: CheckResult = {
    ...local('images', status, [headline, ...judged.map((j) => j.line)], performance.now() - started),
    details: { kind: 'images', images: judged.map((j) => j.detail) },
  };
  return { result, added, unresolved };
}

/** One reference's verdict (pure). */
export function judgeImage(
  ref: string,
  role: ImageDetail['role'],
  r: Resolution | undefined,
  pinned: string | undefined,
): { line: string; detail: ImageDetail } {
  const detail = (status: CheckStatus & ImageDetail['status'], digest: string | null): ImageDetail => ({
    ref,
    role,
    digest,
    pinned: pinned ?? null,
    status,
  });
  const inVar = pinnedDigest(ref);
  if (inVar !== undefined) return { line: `${ref}: pinned by digest in its variable`, detail: detail('pass', inVar) };
  if (r === undefined) return { line: `${ref}: not resolved`, detail: detail('fail', null) };
  if ('error' in r) {
    const gone = pinned
      ? ` (pinned ${short(pinned)}: gone upstream, a host without it could not pull it)`
      : role === 'current'
        ? ''
        : ' (the upgrade could not pull it)';
    return { line: `${r.error.message}${r.error.kind === 'not-found' ? gone : ''}`, detail: detail('fail', null) };
  }
  const digest = r.resolved.digest;
  if (pinned !== undefined && pinned !== digest)
    return {
      line: `${ref}: the tag moved upstream since it was pinned (${short(pinned)} → ${short(digest)}); deploys keep the pinned digest until rig pin`,
      detail: detail('warn', digest),
    };
  if (pinned !== undefined)
    return { line: `${ref}: pinned ${short(pinned)}, still what the tag serves`, detail: detail('pass', digest) };
  return {
    line: `${ref}: resolves to ${short(digest)}${role === 'current' ? ' (not pinned)' : ' (what rig pin would write)'}`,
    detail: detail('pass', digest),
  };
}

function short(digest: string): string {
  return `${digest.slice(0, 19)}…`;
}
