// What one rig invocation shares across its hosts: mode, who runs it, lock and rollback policy, the abort signal.
import type { LockInfo } from '../lock/lock.js';
import type { Pauser } from './test-pause.js';

/** The settings of one plan / deploy / rollback run, the same for every host. */
export interface RunContext {
  readonly mode: 'plan' | 'deploy' | 'rollback';
  readonly env: string;
  /** Repository root (the journal's local mirror lives under `.rig/journal/`). */
  readonly root: string;
  /** Shared by every host's journal events of this run. */
  readonly runId: string;
  readonly user: string;
  readonly workstation: string;
  /** This workstation's id (lock-holder.ts): a lock it wrote whose process is gone is taken over at once. */
  readonly workstationId?: string;
  readonly git: { readonly commit: string; readonly dirty: boolean } | null;
  /** The deploy lock to take (deploy, rollback); plan takes none. */
  readonly lock?: LockInfo;
  readonly breakLock: boolean;
  /** A failing health gate re-applies the host's current release (unless `--no-rollback`). */
  readonly autoRollback: boolean;
  /** Remove containers of services no role declares (false under `--role`). */
  readonly removeUndeclared: boolean;
  /** rollback: the release to re-apply (default: the one before the current). */
  readonly rollbackTo?: string;
  /** Aborted on SIGINT/SIGTERM: hosts stop between steps, journal `interrupted`, release their lock. */
  readonly signal?: AbortSignal;
  /** Test-only pause points (RIG_TEST_PAUSE); undefined in every real run. */
  readonly pause?: Pauser;
  /** Lines for the operator while a host runs (failing services' logs); already redacted by the caller's io. */
  readonly log: (line: string) => void;
}
