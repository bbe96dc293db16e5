// What `rig drift` finds on a host: each item that differs from the host's current release, as plain data.

/** How one managed thing differs from the release. Each variant says what the host has and what the release says. */
export type DriftChange =
  /** A file or directory of the release is gone. */
  | { readonly what: 'missing' }
  /** The path exists but is another kind of thing (`a directory`, `a symlink`, `a regular file`). */
  | { readonly what: 'type'; readonly is: string; readonly release: string }
  /**
   * A file's bytes differ; `diff` only when both sides are non-sensitive text (release → host), never for a sensitive
   * one; `lines`, the line counts of both sides, when they were read (a file the release marks sensitive is not).
   */
  | {
      readonly what: 'content';
      readonly sensitive: boolean;
      readonly hostSha256: string;
      readonly releaseSha256: string;
      readonly diff?: readonly string[];
      readonly lines?: { readonly release: number; readonly host: number };
    }
  /** Mode, owner or group differ (only the attributes the release sets are compared). */
  | {
      readonly what: 'attrs';
      readonly differences: readonly {
        readonly attr: 'mode' | 'owner' | 'group';
        readonly host: string;
        readonly release: string;
      }[];
    }
  /** No container for a service of the release. */
  | { readonly what: 'container-missing'; readonly container: string }
  /** The service's container name is held by a container outside the compose project (made by hand?). */
  | { readonly what: 'foreign-container'; readonly container: string }
  /** The service's container runs another image than the one the release recorded. */
  | { readonly what: 'image'; readonly container: string; readonly host: string; readonly release: string }
  /** The container's `rig.fingerprint` label is not the release's: it was created from another definition. */
  | { readonly what: 'fingerprint'; readonly container: string; readonly host: string; readonly release: string }
  /**
   * The container's labels are the release's, but what it has taken in since (an in-place reload's record) is not the
   * release's files: `reasons` as a plan says them (a reload or a recreate would bring it back).
   */
  | { readonly what: 'inputs'; readonly container: string; readonly reasons: readonly string[] }
  /** A long-running service's container is not running (a one-shot service that exited 0 is fine). */
  | { readonly what: 'stopped'; readonly container: string; readonly status: string }
  /** A container of the compose project whose service the release does not have. */
  | { readonly what: 'unexpected-container'; readonly container: string }
  /** A network of the release (created by rig) is gone, or its `internal` setting differs. */
  | { readonly what: 'network-missing'; readonly network: string }
  | { readonly what: 'network-internal'; readonly network: string; readonly host: boolean; readonly release: boolean };

/** One drifted thing: a file or directory path, a service name, or a network name. */
export type DriftItem = {
  readonly kind: 'file' | 'dir' | 'service' | 'network';
  readonly subject: string;
} & DriftChange;

/** The verdict for one host. */
export interface HostDrift {
  readonly host: string;
  /** The release compared against. */
  readonly release: { readonly id: string; readonly createdAt: string; readonly user: string };
  /** Empty: in sync. */
  readonly items: readonly DriftItem[];
  /** What was compared: files, dirs, services and networks of the release. */
  readonly checked: {
    readonly files: number;
    readonly dirs: number;
    readonly services: number;
    readonly networks: number;
  };
  /** Exec channels the host took (round trips: 2 when in sync, 3 when a readable file drifted). */
  readonly execs: number;
}
