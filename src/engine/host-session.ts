// A host's run as it moves through its phases: its input, and what planning left for the apply (connection, lock,
// plan).
import type { Connection } from '../config/inventory/connection.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import type { Redactor } from '../core/redact/redactor.js';
import type { Transport } from '../transport/transport.js';
import type { Fence } from '../lock/fence.js';
import type { HostJournal } from './host-journal.js';
import type { HostResult } from './host-result.js';
import type { Heartbeat } from '../lock/lock-lease.js';
import type { BreakTarget } from '../lock/lock-script.js';
import type { HeldLock, LockState } from '../lock/lock.js';
import type { PlannedHost } from '../plan/plan-on-host.js';
import type { Release } from '../release/release-schema.js';
import { currentRelease } from '../release/release-store.js';
import type { RunContext } from './run-context.js';

/** A held lock kept alive: its heartbeat, and the fence every change of the run goes through. */
export interface Lease {
  readonly heartbeat: Heartbeat;
  readonly fence: Fence;
}

export interface HostRunInput {
  readonly host: string;
  readonly connection: Connection;
  readonly stack: StackConfig;
  readonly roleOps: readonly RoleOps[];
  readonly redactor: Redactor;
  readonly connect: (host: string, c: Connection) => Promise<Transport>;
  readonly run: RunContext;
  /** `--break-lock`, confirmed for this holder before the run (rollback takes its lock first). */
  readonly breakHolder?: BreakTarget;
  /** rollback: the release to re-apply, and the current release the decision saw (it must still be current). */
  readonly rollback?: { readonly to: string; readonly expectCurrent?: string };
}

/** A live deploy lock found on a host before applying. */
export interface HeldLockReport {
  readonly host: string;
  readonly lockPath: string;
  readonly state: LockState;
}

/** A host after the planning phase: its open connection and lock (when it got them) and its plan or failure. */
export interface HostSession {
  readonly input: HostRunInput;
  readonly transport: Transport | undefined;
  readonly result: HostResult;
  readonly planned?: PlannedHost;
  readonly held?: HeldLock;
  /** The heartbeat and fence of `held`. */
  readonly lease?: Lease;
  /** The release current before this run (deploy: the auto-rollback target). */
  readonly current?: Release;
  /** rollback: the release being re-applied. */
  readonly target?: Release;
  /** deploy with `--break-lock`: the live lock found while planning, to show and confirm before it is broken. */
  readonly lockHeld?: LockState;
  /** The holder the user agreed to break. */
  readonly breakHolder?: BreakTarget;
  readonly journal: HostJournal;
}

export function planInput(input: HostRunInput, roleOps: readonly RoleOps[]) {
  return {
    host: input.host,
    roleOps,
    redactor: input.redactor,
    stack: input.stack,
    become: input.connection.become,
    removeUndeclared: input.run.removeUndeclared,
  };
}

/** The host's current release among those the plan read. */
export function currentOf(planned: PlannedHost): Release | undefined {
  return currentRelease(planned.releases);
}
