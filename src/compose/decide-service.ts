// The one decision per service: what the repository wants against what the host's container has taken in (its labels
// and reload record, read once) → create, recreate, reload, start, gate or none, with the reasons. Pure.
import type { Step } from '../core/plan-data/plan-types.js';
import type { ContainerState } from '../facts/containers/docker-state.js';
import type { DesiredService } from './compose-desired.js';
import { settingsChanged } from './container-settings.js';
import { recreateReasons } from './service-reasons.js';
import {
  plannedReload,
  reloadedCurrent,
  repairReload,
  resumedReload,
  type ReloadPlan,
  type ReloadRecord,
} from './service-reload.js';
import { takenInputs } from './taken-inputs.js';

/** A service as the repository wants it, in its project, with the file changes of the same plan. */
export interface WantedService {
  readonly service: DesiredService;
  /** The compose project rig deploys it in. */
  readonly project: string;
  /** The file steps of the same plan (env key changes make the reasons precise). */
  readonly fileSteps: readonly Step[];
  /** When the host's copy of a file was last written (file-state's `modifiedAt`), for the files the plan writes back. */
  readonly modifiedAt?: (path: string) => number | undefined;
  /**
   * The compose file whose host copy holds another entry for the service than rig's (edited by hand), if any: a plan
   * writes it back, drift only reads it.
   */
  readonly editedEntry?: string;
}

/** A service as a release recorded it. */
export interface RecordedService {
  readonly fingerprint: string;
  readonly imageId: string;
}

/** What the host has of the service. */
export interface CurrentService {
  /** Its container, when there is one. */
  readonly container: ContainerState | undefined;
  /** A container outside the project (made by hand, another project's) that holds the service's container name. */
  readonly nameHolder?: { readonly name: string; readonly project: string | undefined };
  /** The reload record stored under the container's name (only the very container's own counts). */
  readonly record?: ReloadRecord;
  /** The id of the wanted image on the host, when the host has it. */
  readonly localImageId?: string;
  /**
   * The host's current release, when the releases were read: what it recorded of the service (undefined: not in it).
   * A running container that matches the repository but not its release was made by a run that never recorded one
   * (interrupted, or failed without a rollback): it is gated, not taken as done.
   */
  readonly release?: {
    readonly recorded: RecordedService | undefined;
    /** The host has no current release at all (never recorded by rig, or its state dir was removed). */
    readonly none?: true;
  };
  /** A deploy that did not finish was to recreate or reload this very container (its marker says so). */
  readonly unfinished?: { readonly deployId: string; readonly action: 'recreate' | 'reload' };
}

export type ServiceAction = 'create' | 'recreate' | 'reload' | 'start' | 'gate' | 'none';

/** The reload that brings a container to what is wanted: its command, and the record it then writes. */
export interface PlannedReload {
  readonly command: readonly string[];
  readonly record: string;
}

type Release = NonNullable<CurrentService['release']>;

/** What to do with a service and why; `none` has no reasons. */
export type ServiceDecision =
  | { readonly action: 'create' | 'start' | 'gate'; readonly reasons: string[] }
  | { readonly action: 'recreate'; readonly reasons: string[]; readonly foreign?: true }
  | { readonly action: 'reload'; readonly reasons: string[]; readonly reload: PlannedReload }
  | { readonly action: 'none'; readonly reasons: [] };

/**
 * Decides one service. Recreate wins over reload when anything but files under the service's reload paths changed
 * (its image above all), or when its name, networks or limits were changed in place (`docker rename`, `docker network
 * connect`, `docker update`: compose's `up` leaves them); a container already as wanted still needs a start (stopped)
 * or its health gate (not through it, or unknown to the host's current release).
 */
export function decideService(wanted: WantedService, current: CurrentService): ServiceDecision {
  const s = wanted.service;
  const c = current.container;
  // compose cannot create a container whose name is taken (a hand-run one, another project's): rig's names are its own
  const holder = current.nameHolder;
  if (holder) {
    const by = holder.project === undefined ? 'made by hand?' : `project ${holder.project}`;
    const why = `container ${holder.name} is not part of compose project ${wanted.project} (${by})`;
    return { action: 'recreate', reasons: [`${why}: removed, then created by rig`], foreign: true };
  }
  if (!c) return { action: 'create', reasons: ['new service'] };
  const taken = takenInputs(c, s.op.reload ? current.record : undefined);
  let reasons = recreateReasons(s, c, taken, current.localImageId, wanted.fileSteps);
  const done = s.op.gate.oneShot && c.status === 'exited' && c.exitCode === 0;
  // name, networks and limits changed in place (a one-shot that did its work is left as it is): a recreate undoes them
  const byHand = done ? [] : settingsChanged(s.op.spec, c, wanted.project, s.container);
  if (reasons.length > 0 && s.op.reload && !reasons.some((r) => r.startsWith('image changed'))) {
    const reload = plannedReload(s, c, taken.inputs);
    if (reload && byHand.length === 0) return asReload(reload);
    if (!reload && reloadedCurrent(s, taken.inputs, taken.record)) reasons = [];
  }
  if (reasons.length > 0) return { action: 'recreate', reasons: [...reasons, ...byHand] };
  const repair = c.running ? repairDecision(s, c, wanted) : undefined;
  if (byHand.length > 0)
    return { action: 'recreate', reasons: [...(repair?.action === 'recreate' ? repair.reasons : []), ...byHand] };
  if (repair) return repair;
  // docker reports a paused container as running, compose will not start it ("cannot start a paused container"), and
  // an unpaused one keeps the `unhealthy` its checks got while paused until its next check: it is recreated
  if (c.status === 'paused') return { action: 'recreate', reasons: ['paused (docker pause by hand?)'] };
  if (!c.running && !done) {
    const why = c.status === 'exited' ? `not running (exited ${c.exitCode})` : `not running (${c.status})`;
    return { action: 'start', reasons: [why] };
  }
  const left = current.unfinished ? unfinishedDecision(s, c, current.unfinished) : undefined;
  if (left) return left;
  const unverified = unverifiedReason(s, c, current.release);
  return unverified === undefined ? { action: 'none', reasons: [] } : { action: 'gate', reasons: [unverified] };
}

/**
 * A running container that took in what the repository wants, one of whose env files or mounted files the plan writes
 * back: the host's copy was changed or removed under it (drift). Writing the file back is enough when the host's copy
 * changed after the container started: the container started from the very bytes written back, and keeps running. When
 * it started at or after the change (restarted since, or recreated by hand with `docker compose up`), or the copy was
 * removed (when is unknown), it may run what rig did not write: it is recreated. A service with `reload` whose files
 * written back are all under its reload paths is reloaded instead, whenever: its process may have been reloaded by
 * hand since it started. A file bind-mounted on its own is the exception to the times: the container keeps the inode
 * it started with, which an edit in place changed under it, and the write-back (a rename) gives the path a new one the
 * container does not see; it is recreated whenever. Its entry in the host's copy of its compose file edited by hand
 * (`editedEntry`) counts as an env file does: a container started at or after the edit may have been created from it
 * (its labels, copied from rig's, do not tell). A stopped container is started (it reads the files as written back); a
 * one-shot that exited does not read them again.
 */
function repairDecision(s: DesiredService, c: ContainerState, wanted: WantedService): ServiceDecision | undefined {
  const steps = wanted.fileSteps;
  const written = new Map(steps.flatMap((st) => (st.kind === 'write' ? [[st.path, st.change] as const] : [])));
  const rewritten = Object.keys(s.inputs)
    .sort()
    .filter((k) => /^(env|file):/.test(k) && written.has(inputPath(k)));
  const entry = wanted.editedEntry;
  if (rewritten.length === 0 && entry === undefined) return undefined;
  const started = Math.floor(Date.parse(c.startedAt) / 1000);
  // NaN (a start time docker did not give) compares false: taken as read
  const changedAfterStart = (p: string): boolean => started < (wanted.modifiedAt?.(p) ?? NaN);
  // its entry in a compose file edited by hand, then the container started: perhaps created from that copy
  const fromEdited = entry !== undefined && !changedAfterStart(entry) ? [entry] : [];
  if (fromEdited.length === 0) {
    const reload = repairReload(s, c, rewritten);
    if (reload) return asReload(reload);
  }
  // a file bind-mounted on its own: the container holds the inode it started with, which an edit in place changed
  // under it and the rename of the write-back does not replace
  const single = new Set(
    s.op.spec.mounts.flatMap((m) => (m.type === 'bind' ? [`file:${m.source.replace(/\/+$/, '')}`] : [])),
  );
  const read = rewritten.filter((k) => single.has(k) || !changedAfterStart(inputPath(k)));
  if (read.length === 0 && fromEdited.length === 0) return undefined;
  // an env file is also a file input of its service when it sits in a mounted directory: named once, as the env file
  const envs = new Set(read.filter((k) => k.startsWith('env:')).map(inputPath));
  const named = read.filter((k) => k.startsWith('env:') || !envs.has(inputPath(k)));
  const label = (k: string): string => `${k.startsWith('env:') ? 'env ' : ''}${baseName(k)}`;
  const why = (k: string): string =>
    written.get(inputPath(k))?.kind === 'create'
      ? REMOVED_ON_HOST
      : single.has(k) && changedAfterStart(inputPath(k))
        ? CHANGED_UNDER_SINGLE_MOUNT
        : CHANGED_BEFORE_START;
  const reasons = named.map((k) => `${label(k)} ${why(k)}`);
  // (drift reads the same host without writing anything back)
  for (const f of fromEdited)
    reasons.push(`its entry in ${baseName(f)} ${ENTRY_CHANGED_BEFORE_START}${written.has(f) ? ': written back' : ''}`);
  return { action: 'recreate', reasons };
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Why a running container whose labels are current is recreated after its file is written back. */
const CHANGED_BEFORE_START =
  'changed on the host, then the container started (restart, compose up by hand?): written back';
const REMOVED_ON_HOST = 'removed on the host (by hand?), perhaps before the container started: written back';
const ENTRY_CHANGED_BEFORE_START = 'changed on the host, then the container started (compose up by hand from it?)';
const CHANGED_UNDER_SINGLE_MOUNT =
  'changed on the host; mounted as a single file, the container keeps the copy it started with (edited in place?): written back';

/**
 * A running container as the repository wants it, which a deploy that did not finish was to recreate or reload: that
 * deploy may have written files back under it (drift repaired), and nothing else tells that it still runs what rig did
 * not write. It is recreated (reloaded, when that was the plan and the service still reloads).
 */
function unfinishedDecision(
  s: DesiredService,
  c: ContainerState,
  u: NonNullable<CurrentService['unfinished']>,
): ServiceDecision | undefined {
  if (!c.running) return undefined;
  const why = `deploy ${u.deployId} did not finish its ${u.action} of this container`;
  const reload = u.action === 'reload' ? resumedReload(s, c, why) : undefined;
  if (reload) return asReload(reload);
  return { action: 'recreate', reasons: [why] };
}

/** A reload planned by service-reload as this module's decision. */
function asReload(r: ReloadPlan): ServiceDecision {
  return { action: 'reload', reasons: r.reasons, reload: { command: r.command, record: r.record } };
}

/** The path of an `env:` or `file:` input key. */
function inputPath(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

/**
 * Why a container that is as the repository wants it still needs the health gate: its health says it is not through
 * (`starting`, `unhealthy`), or the host's current release does not record it as it runs (its fingerprint is the
 * desired one here: a reload brings the labels' older one up to date).
 */
function unverifiedReason(s: DesiredService, c: ContainerState, release: Release | undefined): string | undefined {
  if (c.health === 'starting' || c.health === 'unhealthy') return `health ${c.health}: not through its health gate`;
  if (release === undefined || (s.op.gate.oneShot && !c.running)) return undefined;
  const r = release.recorded;
  if (r === undefined && release.none)
    return 'the host has no release (none recorded by rig, or its state dir was removed): gated, then recorded';
  if (r === undefined) return 'not in the current release: made by a deploy that did not finish';
  const differs =
    (r.fingerprint !== '' && r.fingerprint !== s.fingerprint) || (r.imageId !== '' && r.imageId !== c.image);
  return differs ? 'differs from the current release: made by a deploy that did not finish' : undefined;
}
