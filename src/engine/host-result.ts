// What a host's run ends with (or its plan shows).
import { describeError } from '../core/errors/describe-error.js';
import { HostUnreachableError } from '../core/errors/remote-errors.js';
import type { Transport, TransportCounters } from '../transport/transport.js';
import type { GateResult } from '../apply/health-gate.js';
import type { HostPlan } from '../core/plan-data/plan-types.js';
import type { Release } from '../release/release-schema.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable';

export interface HostResult {
  readonly host: string;
  readonly status: HostStatus;
  readonly plan?: HostPlan;
  /** Steps applied (deploy; for a failed or interrupted run, those carried out) or to apply (plan). */
  readonly changes: number;
  readonly error?: string;
  /** Things worth knowing that are not errors: a deploy running now, a lock taken over, a host left untouched. */
  readonly notes?: readonly string[];
  readonly counters?: TransportCounters;
  /** The release recorded by this run, or re-applied by a rollback. */
  readonly release?: string;
  /** Set when a failed health gate or `compose up` put the previous release back. */
  readonly rolledBackTo?: string;
  /** The health gate's verdict on each service this run (re)created or started. */
  readonly gate?: readonly GateResult[];
  /** The run's deploy lock was taken over while it ran (its fence stopped it). */
  readonly lockLost?: true;
  /** The release to record in the run's last exec (with the journal and the unlock). */
  readonly pendingRelease?: Release;
  /** The run's finish (release, journal, marker, unlock) rode its files' exec: nothing is left to do on the host. */
  readonly concluded?: true;
}

export function failure(host: string, err: unknown, t: Transport | undefined): HostResult {
  const status = err instanceof HostUnreachableError ? 'unreachable' : 'failed';
  return { host, status, changes: 0, error: describeError(err), ...(t ? { counters: t.counters } : {}) };
}
