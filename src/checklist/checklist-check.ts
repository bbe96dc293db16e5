// The checks of `rig checklist`, what one of them found (per host, with evidence), and how host findings add up.
import { SMOKE_STATUSES, type SmokeStatus } from '../smoke/define-smoke.js';
import type { CheckDetails } from './checklist-details.js';

/** Every check, in the order they are reported. */
export const CHECK_IDS = [
  'config',
  'secrets',
  'deploy-lock',
  'headroom',
  'smoke',
  'rollback',
  'images',
  'upgrade-plan',
  'healthcheck-probes',
  'openclaw-target',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** The same four outcomes as a smoke check: `fail` blocks the upgrade (NO-GO), `warn` is advisory (WARNING). */
export const CHECK_STATUSES = SMOKE_STATUSES;
export type CheckStatus = SmokeStatus;

/** What each check proves when it passes (the one-line description in reports and the README). */
export const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  config: 'inventory and vault load, rig lint is clean',
  secrets: 'every variable and secret the roles require is present: the project renders',
  'deploy-lock': 'no deploy lock is held on any host',
  headroom: 'hosts reachable, with disk and memory headroom',
  smoke: 'the current stack is healthy: the smoke suite is green',
  rollback: 'a release to roll back to is recorded on every host',
  images: 'every target image resolves to a digest, the pinned ones are still served',
  'upgrade-plan': 'the upgrade plans cleanly: exactly which services are recreated, and why',
  'healthcheck-probes': 'every service the upgrade (re)creates finds its healthcheck program in its target image',
  'openclaw-target': 'the rendered openclaw.json validates in the target OpenClaw image, channel plugins load there',
};

/** One host's part of a check. */
export interface HostFinding {
  readonly host: string;
  readonly status: CheckStatus;
  /** One fact per line, the first the headline; secrets masked by the caller. */
  readonly evidence: readonly string[];
  readonly durationMs: number;
}

/** One check's result: its status, evidence (first line the headline), and the host findings it was made from. */
export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly evidence: readonly string[];
  readonly hosts: readonly HostFinding[];
  readonly durationMs: number;
  /** What --json readers act on (the services the upgrade recreates, the rollback target, measurements). */
  readonly details?: CheckDetails;
}

/** Severity order: a check is as bad as its worst host; `skip` only when nothing was checked at all. */
const RANK: Readonly<Record<CheckStatus, number>> = { skip: 0, pass: 1, warn: 2, fail: 3 };

export function worst(statuses: readonly CheckStatus[]): CheckStatus {
  return statuses.reduce<CheckStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'skip');
}

/**
 * A check made of host findings: the worst status; the headline is `summary` when every host passed (or there are
 * none), else the first line of a host with the worst status; then every host's lines as `host: line`.
 */
export function fromHosts(id: CheckId, hosts: readonly HostFinding[], summary: string): CheckResult {
  const status = worst(hosts.map((h) => h.status));
  const shown = hosts.find((h) => h.status === status && status !== 'pass');
  const headline = shown ? onHost(shown.host, shown.evidence[0] ?? status) : summary;
  const lines = hosts.flatMap((h) => h.evidence.map((e) => onHost(h.host, e)));
  return {
    id,
    status,
    evidence: [headline, ...lines],
    hosts,
    durationMs: Math.max(0, ...hosts.map((h) => h.durationMs)),
  };
}

/** `host: line`, once: remote errors already start with their host. */
function onHost(host: string, line: string): string {
  return line.startsWith(`${host}: `) ? line : `${host}: ${line}`;
}

/** A check that ran on the workstation only. */
export function local(id: CheckId, status: CheckStatus, evidence: readonly string[], durationMs: number): CheckResult {
  return { id, status, evidence: evidence.length > 0 ? evidence : [status], hosts: [], durationMs };
}

/** A check that could not run because an earlier one failed (the decision is NO-GO already: a skip never hides one). */
export function notRun(id: CheckId, why: string): CheckResult {
  return local(id, 'skip', [`not run: ${why}`], 0);
}
