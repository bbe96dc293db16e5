// The plan: plain, serializable data saying per host what will change and why. Apply executes exactly this.
import type { PathAttrs } from '../core/op.js';
import type { FileChange } from './file-diff.js';

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

export type Step = MkdirStep | WriteStep | AttrsStep | CommandStep | HandlerStep;

/** One host's part of a plan. `observed` digests the facts the plan was made from (stale-plan detection). */
export interface HostPlan {
  readonly host: string;
  readonly steps: readonly Step[];
  readonly observed: string;
}

/** A whole plan; `version` guards saved plans against format changes. */
export interface Plan {
  readonly version: 1;
  readonly env: string;
  readonly createdAt: string;
  readonly hosts: readonly HostPlan[];
}
