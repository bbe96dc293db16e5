// The heartbeat: while a run holds a host's deploy lock it renews the lease every third of it, so a short lease
// (default 90 s) outlives any health gate while a dead or frozen holder loses the lock within one lease.
import type { Transport } from '../transport/transport.js';
import { renewLock, type HeldLock } from './lock.js';

/** A running heartbeat; `stop` ends it and waits for a renewal in flight. */
export interface Heartbeat {
  /** Why the lock is no longer ours, once a renewal found that (the next fenced command stops the run). */
  readonly lost: string | undefined;
  /**
   * The exec just sent ends the run and releases the lock (a files-only deploy's conclusion): the next renewal waits
   * until two thirds of the lease after the last one instead of a third, so such an exec shorter than that needs no
   * renewal exec beside it; one that runs longer is still renewed a third of the lease before it expires.
   */
  stretch(): void;
  stop(): Promise<void>;
}

/**
 * Renews `held` every `leaseSec / 3` seconds (at least every second) over `t`; `takenAt`: when the exec that took it
 * was sent (its lease runs from no earlier). A renewal that finds the lock taken over or gone records it in `lost` and
 * ends the heartbeat; one that fails on the wire is retried at the next beat (the run's own commands notice a dead
 * connection). The timer does not keep the process alive.
 */
export function startHeartbeat(t: Transport, held: HeldLock, become: boolean, takenAt = Date.now()): Heartbeat {
  const everyMs = Math.max(1000, Math.floor((held.info.ttlSec * 1000) / 3));
  let lost: string | undefined;
  let stopped = false;
  let beating = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  // when the lease was last renewed at the latest: when the exec that took it or renewed it was sent
  let renewedAt = takenAt;
  const beat = async (): Promise<void> => {
    const sent = Date.now();
    try {
      const r = await renewLock(t, held, { become });
      if (r === 'renewed') renewedAt = sent;
      else lost = r === 'foreign' ? 'the deploy lock was taken over by another run' : 'the deploy lock is gone';
    } catch {
      // a dropped connection: the run's next command fails on its own
    }
  };
  const schedule = (delayMs = everyMs): void => {
    if (stopped || lost !== undefined) return;
    timer = setTimeout(() => {
      beating = true;
      inFlight = beat().then(() => {
        beating = false;
        schedule();
      });
    }, delayMs);
    timer.unref();
  };
  schedule();
  return {
    get lost() {
      return lost;
    },
    stretch() {
      // a renewal in flight schedules the next one itself, a third of the lease after it
      if (stopped || beating || lost !== undefined) return;
      if (timer) clearTimeout(timer);
      schedule(Math.max(0, renewedAt + 2 * everyMs - Date.now()));
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
