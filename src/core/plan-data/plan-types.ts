// The plan: plain, serializable data saying per host what will change and why. Apply executes exactly this.
import type { PathAttrs } from '../desired/op.js';
import type { HealthGate, Phase } from '../desired/service.js';
import type { ComposeCli, ComposeFlavor } from './compose-flavor.js';
import type { FileChange } from './file-change.js';

/**
 * What the image must hold for the healthcheck to run at all (docs/lessons.md §10.15: a probe binary missing from the
 * image leaves the service `starting` until the gate gives up, with no word about why). `program` is the test's argv[0]
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

interface StepBase {
  /** Role that declared the op. */
  readonly role: string;
  /** Why this step exists, for people: `missing`, `content changed`, `mode 0644 → 0600`. */
  readonly why: string;
  /** `roles/<r>/role.ts:line:col` of the op, when known. */
  readonly origin?: string;
}

/** Create a directory (and its missing parents). */
export interface MkdirStep extends StepBase, PathAttrs {
  readonly kind: 'mkdir';
  readonly path: string;
}

/** Write a file's content (create or replace atomically); attrs applied with it. */
export interface WriteStep extends StepBase, PathAttrs {
  readonly kind: 'write';
  readonly path: string;
  /** What the plan promises to write: content is not in the plan (it may be secret), its digest is. */
  readonly change: FileChange;
  readonly notify: readonly string[];
}

/** Change only the mode/owner/group of an existing file or directory. */
export interface AttrsStep extends StepBase, PathAttrs {
  readonly kind: 'attrs';
  readonly path: string;
  readonly target: 'file' | 'dir';
  readonly notify: readonly string[];
}

/** Run a command op (its rule said it must run). `command` is the displayed form, secrets masked. */
export interface CommandStep extends StepBase {
  readonly kind: 'command';
  readonly name: string;
  readonly command: string;
  readonly notify: readonly string[];
}

/** Run a handler of the role, once, because steps of the role notified it. */
export interface HandlerStep extends StepBase {
  readonly kind: 'handler';
  readonly name: string;
  readonly command: string;
}

/** Pre-check: an image of the final compose files is not on the host; pulled before anything stops. */
export interface PullStep extends StepBase {
  readonly kind: 'pull';
  readonly image: string;
}

/** Pre-check: a network the project manages is missing; created before anything stops. */
export interface NetworkStep extends StepBase {
  readonly kind: 'network';
  /** Full docker network name (`<project>_<name>`). */
  readonly name: string;
  readonly internal: boolean;
}

/**
 * What happens to a service: every action but `remove` is followed by the health gate; `gate` is the gate alone (the
 * container is as wanted, but no finished deploy saw it healthy).
 */
export type ServiceAction = 'create' | 'recreate' | 'start' | 'reload' | 'remove' | 'gate';

/** Bring one compose service to its desired state; `reasons` say exactly which input changed. */
export interface ServiceStep extends StepBase {
  readonly kind: 'service';
  readonly action: ServiceAction;
  readonly service: string;
  readonly container: string;
  readonly phase: Phase;
  readonly reasons: readonly string[];
  /** The fingerprint the container carries afterwards (empty for `remove`). */
  readonly fingerprint: string;
  /** How the health gate judges it; `healthcheck`: the service defines one (wait for `healthy`). */
  readonly gate: HealthGate & { readonly healthcheck: boolean };
  /** `reload`: the command run in the container, and the inputs it brings the container to (recorded on the host). */
  readonly reload?: { readonly command: readonly string[]; readonly record: string; readonly recordPath: string };
  /** `recreate` over a container that holds the service's name outside its compose project: removed before `up`. */
  readonly foreign?: true;
  /** `create` / `recreate` of a service with a healthcheck: the program the pre-checks find in its image first. */
  readonly probe?: HealthProbe;
}

export type Step = MkdirStep | WriteStep | AttrsStep | CommandStep | HandlerStep | PullStep | NetworkStep | ServiceStep;

/** The compose project of a host, as the plan drives it. */
export interface ComposeTarget {
  /** The host's compose: v1 or v2 by the version it reports, and how it is invoked. */
  readonly flavor: ComposeFlavor;
  readonly cli: ComposeCli;
  readonly project: string;
  readonly projectDir: string;
  /** The compose file of each phase that has services. */
  readonly files: Partial<Record<Phase, string>>;
}

/** A deploy that began changing the host and never concluded (its marker is still there, nobody holds its lock). */
export interface InterruptedDeploy {
  readonly deployId: string;
  readonly user: string;
  readonly workstation: string;
  readonly command: string;
  readonly startedAt: string;
  /** The step it was in: `files`, `up` (compose up was started) or `gate` (up succeeded, the gate did not end). */
  readonly step: 'files' | 'up' | 'gate';
}

/** One host's part of a plan. `observed` digests the facts the plan was made from (stale-plan detection). */
export interface HostPlan {
  readonly host: string;
  readonly steps: readonly Step[];
  readonly observed: string;
  /** Present when the host runs compose services. */
  readonly compose?: ComposeTarget;
  /** The last deploy on this host was interrupted: this run finishes its work (and journals that it did). */
  readonly interrupted?: InterruptedDeploy;
}

/** A whole plan; `version` guards saved plans against format changes. */
export interface Plan {
  readonly version: 1;
  readonly env: string;
  readonly createdAt: string;
  readonly hosts: readonly HostPlan[];
}
