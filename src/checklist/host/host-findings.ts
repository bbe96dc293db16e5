// Pure judgements of one host's facts: the deploy lock, the releases to roll back to, the headroom, the upgrade plan.
import type { HostConfig } from '../../config/project.js';
import { lockHeldMessage, type LockState } from '../../lock/lock.js';
import type { HostPlan, ServiceStep } from '../../core/plan-data/plan-types.js';
import { currentRelease, type ReleaseList } from '../../release/release-store.js';
import type { CheckStatus } from '../checklist-check.js';
import type { PlannedService } from '../checklist-details.js';
import type { Headroom } from '../../facts/host/headroom.js';
import { headroomThresholds, judgeHeadroom } from './headroom-fact.js';
import { plural } from '../../core/plural.js';

type Judged = { readonly status: CheckStatus; readonly evidence: string[] };
type Failed = { readonly error: string };

/** No lock: pass. A live one: fail (a deploy runs, or died within its TTL). A stale one: warn, naming its holder. */
export function lockFinding(host: string, stateDir: string, lock: LockState | undefined | Failed): Judged {
  if (lock !== undefined && 'error' in lock) return { status: 'fail', evidence: [lock.error] };
  if (lock === undefined) return { status: 'pass', evidence: [`no deploy lock (${stateDir}/lock)`] };
  const message = lockHeldMessage(host, `${stateDir}/lock`, lock).replace(`${host}: `, '');
  return { status: lock.stale ? 'warn' : 'fail', evidence: [message] };
}

/**
 * The host's current release is what a rollback after the upgrade returns to (the upgrade's release becomes current,
 * and `rig rollback` goes back to the one before it). No current release: nothing to return to.
 */
export function releasesFinding(releases: ReleaseList | Failed): Judged & { current: string | null; count: number } {
  if ('error' in releases) return { status: 'fail', evidence: [releases.error], current: null, count: 0 };
  const current = currentRelease(releases);
  const count = releases.releases.length;
  if (current === undefined) {
    const why =
      count === 0
        ? 'no release is recorded (never deployed with rig?)'
        : `${count} release${count === 1 ? '' : 's'} kept but none is current`;
    return {
      status: 'fail',
      evidence: [`${why}: a failed upgrade would have nothing to roll back to`],
      current: null,
      count,
    };
  }
  const older = releases.releases.filter((r) => r.id !== current.id).map((r) => r.id);
  return {
    status: 'pass',
    evidence: [
      `rollback returns to ${current.id} (current: ${current.kind} of ${current.createdAt} by ${current.user}, ${plural(current.services.length, 'service')})`,
      ...(older.length > 0 ? [`older releases kept: ${older.join(', ')}`] : []),
    ],
    current: current.id,
    count,
  };
}

/** Thresholds from the host's variables; the measurement (one exec) against them. */
export function headroomFinding(
  host: HostConfig,
  headroom: Headroom | Failed,
  cwd?: string,
): Judged & { measured?: { min: { minDiskFreePct: number; minMemAvailableMb: number }; h: Headroom } } {
  const min = headroomThresholds(host, cwd);
  if ('error' in min) return { status: 'fail', evidence: [min.error] };
  if ('error' in headroom) return { status: 'fail', evidence: [headroom.error] };
  return { ...judgeHeadroom(headroom, min), measured: { min, h: headroom } };
}

/** The plan as evidence: exactly which services the upgrade deploy touches, with the plan's reasons. */
export function planFinding(plan: HostPlan): Judged & { services: PlannedService[]; otherSteps: number } {
  const services = plan.steps
    .filter((s): s is ServiceStep => s.kind === 'service')
    .map((s) => ({ service: s.service, action: s.action, reasons: [...s.reasons] }));
  const otherSteps = plan.steps.length - services.length;
  const recreated = services.filter((s) => s.action === 'recreate').map((s) => s.service);
  const headline =
    services.length === 0
      ? 'no service changes'
      : recreated.length > 0
        ? `recreates ${recreated.join(', ')}`
        : `touches ${services.map((s) => `${s.service} (${s.action})`).join(', ')}`;
  const others = plan.steps.filter((s) => s.kind !== 'service').map((s) => `${s.kind} ${stepTarget(s)}: ${s.why}`);
  return {
    status: 'pass',
    evidence: [
      `${headline}${otherSteps > 0 ? `, and ${otherSteps} other step${otherSteps === 1 ? '' : 's'}` : ''}`,
      ...services.map((s) => `${s.action} ${s.service}: ${s.reasons.join('; ') || 'no reason given'}`),
      ...others,
    ],
    services,
    otherSteps,
  };
}

function stepTarget(s: HostPlan['steps'][number]): string {
  switch (s.kind) {
    case 'mkdir':
    case 'write':
    case 'attrs':
      return s.path;
    case 'command':
    case 'handler':
    case 'network':
      return s.name;
    case 'pull':
      return s.image;
    case 'service':
      return s.service;
  }
}
