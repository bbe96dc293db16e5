// Pure: a host's status from its facts (release, containers, images, lock) and the env's images.lock.yml.
import { pinnedDigest } from '../compose/service-inputs.js';
import { containerName } from '../core/desired/service.js';
import { currentRelease, type ReleaseList } from '../release/release-store.js';
import type { Release, ReleaseService } from '../release/release-schema.js';
import { lockHeldMessage, type LockState } from '../lock/lock.js';
import type { ComposeDetection } from '../facts/containers/compose-detect.js';
import type { ContainerState } from '../facts/containers/container-state.js';
import type { ImageState } from '../facts/containers/docker-state.js';
import type { ProjectContainers } from '../facts/containers/project-containers.js';
import type { LockFile } from '../pin/lockfile.js';
import { ImageRefError, parseImageRef, type ImageRef } from '../registry/image-ref.js';
import type {
  HostStatus,
  ServiceImage,
  ServiceState,
  ServiceStatus,
  StatusLock,
  StatusRelease,
} from './status-types.js';

/** The facts of one host, as read in its one exec. */
export interface StatusFacts {
  readonly host: string;
  readonly project: string;
  readonly releases: ReleaseList;
  readonly docker: ProjectContainers;
  readonly lock: LockState | undefined;
  readonly compose: ComposeDetection;
  /** `<stateDir>/lock`, for the lock's sentence. */
  readonly lockPath: string;
  readonly execs: number;
}

/**
 * The release's services in its order (each with its container, or `missing`), then the project's containers the
 * release does not list (by compose service label; one-off `compose run` containers are left out). Without a release,
 * every container of the project.
 */
export function hostStatus(f: StatusFacts, lockFile: LockFile | undefined): HostStatus {
  const release = currentRelease(f.releases);
  const own = f.docker.containers.filter(
    (c) => c.project === f.project && c.labels['com.docker.compose.oneoff'] !== 'True',
  );
  const used = new Set<string>();
  const services = (release?.services ?? []).map((s) => {
    const c = own.find((x) => x.name === containerName(f.project, s.name)) ?? own.find((x) => x.service === s.name);
    if (c) used.add(c.id);
    return serviceStatus(s.name, c, s, f, lockFile);
  });
  const extra = own
    .filter((c) => !used.has(c.id))
    .map((c) => serviceStatus(c.service ?? c.name, c, undefined, f, lockFile));
  return {
    host: f.host,
    release: release ? releaseOf(release) : undefined,
    services: [...services, ...extra],
    lock: lockOf(f),
    compose: f.compose.compose,
    execs: f.execs,
  };
}

function serviceStatus(
  name: string,
  c: ContainerState | undefined,
  s: ReleaseService | undefined,
  f: StatusFacts,
  lockFile: LockFile | undefined,
): ServiceStatus {
  const oneShot = s?.gate.oneShot === true;
  const state = stateOf(c, oneShot);
  const started = c?.running === true ? Date.parse(c.startedAt) : NaN;
  return {
    service: name,
    container: c?.name,
    state,
    healthy: state === 'healthy' || state === 'running' || state === 'done',
    exitCode: c !== undefined && !c.running ? c.exitCode : undefined,
    startedAt: c?.running === true ? c.startedAt : undefined,
    uptimeSec: Number.isNaN(started) ? undefined : Math.max(0, f.docker.now - Math.floor(started / 1000)),
    restarts: c?.restartCount ?? 0,
    oneShot,
    inRelease: s !== undefined,
    image: imageOf(s, c, c === undefined ? undefined : f.docker.images.get(c.image), lockFile),
  };
}

/** The state word; a one-shot service is healthy once it exited 0 (and while it runs, as the gate sees it). */
export function stateOf(c: ContainerState | undefined, oneShot: boolean): ServiceState {
  if (c === undefined) return 'missing';
  if (c.status === 'running') return c.health === undefined ? 'running' : c.health;
  if (c.status === 'exited') return oneShot && c.exitCode === 0 ? 'done' : 'exited';
  return c.status;
}

function imageOf(
  s: ReleaseService | undefined,
  c: ContainerState | undefined,
  image: ImageState | undefined,
  lockFile: LockFile | undefined,
): ServiceImage {
  const ref = s === undefined ? undefined : tagForm(s.requested);
  const named = ref === undefined ? undefined : safeName(ref);
  const digests = (image?.repoDigests ?? []).flatMap((d) => {
    const r = safeRef(d);
    return r?.digest === undefined ? [] : [{ name: `${r.registry}/${r.repository}`, digest: r.digest }];
  });
  // The digest under the release's own repository only: the same image pushed elsewhere (a mirror, a test registry on
  // a shared engine) carries that repository's name, which says nothing about the ref. A container outside the
  // release has no ref: its first repo digest is the only hint.
  const mine = ref === undefined ? digests[0] : digests.find((d) => named !== undefined && d.name === named);
  const entry = ref === undefined ? undefined : lockFile?.images.find((e) => e.ref === ref);
  const pinned = entry === undefined ? [] : [entry.digest, ...Object.values(entry.platforms ?? {})];
  const lock = entry === undefined ? 'unpinned' : digests.some((d) => pinned.includes(d.digest)) ? 'match' : 'differs';
  const deployedPin = s !== undefined && c?.image === s.imageId ? pinnedDigest(s.requested) : undefined;
  return { ref, id: c?.image, digest: mine?.digest ?? deployedPin, lock, lockDigest: entry?.digest };
}

/** `repo:tag@sha256:…` (as a pinned deploy writes it) back to `repo:tag`, the form the lock is keyed by. */
function tagForm(ref: string): string {
  return pinnedDigest(ref) === undefined ? ref : ref.slice(0, ref.lastIndexOf('@'));
}

/** The canonical registry/repository of a reference, or undefined when it does not parse. */
function safeName(ref: string): string | undefined {
  const r = safeRef(ref);
  return r === undefined ? undefined : `${r.registry}/${r.repository}`;
}

function safeRef(ref: string): ImageRef | undefined {
  try {
    return parseImageRef(ref);
  } catch (err) {
    if (err instanceof ImageRefError) return undefined;
    throw err;
  }
}

function releaseOf(r: Release): StatusRelease {
  return {
    id: r.id,
    kind: r.kind,
    from: r.from,
    createdAt: r.createdAt,
    user: r.user,
    workstation: r.workstation,
    git: r.git,
  };
}

function lockOf(f: StatusFacts): StatusLock | undefined {
  if (f.lock === undefined) return undefined;
  const i = f.lock.info;
  const holder =
    i === undefined
      ? undefined
      : { user: i.user, workstation: i.workstation, pid: i.pid, command: i.command, startedAt: i.startedAt };
  return { stale: f.lock.stale, ageSec: f.lock.ageSec, holder, message: lockHeldMessage(f.host, f.lockPath, f.lock) };
}
