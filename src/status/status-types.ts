// What `rig status` knows about a host: its release, each service's container and image, and the deploy lock.
import type { ComposeInstall } from '../facts/containers/compose-detect.js';

/**
 * One word for a service's container: `healthy` (healthcheck passing), `running` (no healthcheck), `done` (a one-shot
 * that exited 0); the rest are not healthy: `starting`, `unhealthy`, `restarting`, `exited`, `created`, `paused`,
 * `dead`, `removing`, and `missing` (the release has the service, docker has no container for it).
 */
export type ServiceState =
  | 'healthy'
  | 'running'
  | 'done'
  | 'starting'
  | 'unhealthy'
  | 'restarting'
  | 'exited'
  | 'created'
  | 'paused'
  | 'dead'
  | 'removing'
  | 'missing';

/** The image a service runs, and how it compares with the env's `images.lock.yml`. */
export interface ServiceImage {
  /** The reference the repository deployed (tag form, digest stripped); undefined for a container the release lacks. */
  readonly ref: string | undefined;
  /** The image ID the container runs; undefined when there is no container. */
  readonly id: string | undefined;
  /** The registry digest of the running image (`sha256:…`); undefined for an image never pushed or pulled. */
  readonly digest: string | undefined;
  /**
   * `match`: the running image is the lock's digest; `differs`: the lock pins another one; `unpinned`: not in the lock.
   */
  readonly lock: 'match' | 'differs' | 'unpinned';
  /** The lock's digest for `ref`, when it has one. */
  readonly lockDigest: string | undefined;
}

/** One service (or a container of the project the release does not have) on one host. */
export interface ServiceStatus {
  readonly service: string;
  /** The container's name, when there is one. */
  readonly container: string | undefined;
  readonly state: ServiceState;
  readonly healthy: boolean;
  /** Exit code of a container that is not running. */
  readonly exitCode: number | undefined;
  /** RFC 3339 as docker prints it, for a running container. */
  readonly startedAt: string | undefined;
  /** Seconds since it started, on the host's clock (running containers only). */
  readonly uptimeSec: number | undefined;
  readonly restarts: number;
  readonly oneShot: boolean;
  /** False for a container of the compose project that the current release does not list. */
  readonly inRelease: boolean;
  readonly image: ServiceImage;
}

/** The release the host runs and who made it. */
export interface StatusRelease {
  readonly id: string;
  readonly kind: 'deploy' | 'rollback';
  readonly from: string | undefined;
  readonly createdAt: string;
  readonly user: string;
  readonly workstation: string;
  readonly git: { readonly commit: string; readonly dirty: boolean } | null;
}

/** Who holds the host's deploy lock (never its token). */
export interface StatusLock {
  readonly stale: boolean;
  readonly ageSec: number;
  readonly holder:
    | {
        readonly user: string;
        readonly workstation: string;
        readonly pid: number;
        readonly command: string;
        readonly startedAt: string;
      }
    | undefined;
  /** The lock module's own sentence about it (the one a deploy would fail with). */
  readonly message: string;
}

/** Everything status says about one host. */
export interface HostStatus {
  readonly host: string;
  /** Undefined when rig never deployed there (no release). */
  readonly release: StatusRelease | undefined;
  readonly services: readonly ServiceStatus[];
  readonly lock: StatusLock | undefined;
  /** The compose rig drives on the host (flavor, version as reported, plugin or standalone); undefined: none found. */
  readonly compose: ComposeInstall | undefined;
  /** Round trips spent on the host (the product metric: status is one exec). */
  readonly execs: number;
}

/** A host's answer: its status, or why there is none (unreachable, docker down). */
export type StatusAnswer =
  { readonly host: string; readonly value: HostStatus } | { readonly host: string; readonly error: string };
