// The heartbeat: while a run holds a host's deploy lock it renews the lease every third of it, so a short lease
// (default 90 s) outlives any health gate while a dead or frozen holder loses the lock within one lease.
import type { Transport } from '../transport/transport.js';
import { renewLock, type HeldLock } from './lock.js';

/** A running heartbeat; `stop` ends it and waits for a renewal in flight. */
export interface Heartbeat {
  /** Why the lock is no longer ours, once a renewal found that (the next fenced command stops the run). */
  readonly lost: string | undefined;
  stop(): Promise<void>;
}

/**
 * Renews `held` every `leaseSec / 3` seconds (at least every second) over `t`. A renewal that finds the lock taken
 * over or gone records it in `lost` and ends the heartbeat; one that fails on the wire is retried at the next beat
 * (the run's own commands notice a dead connection). The timer does not keep the process alive.
 */
export function startHeartbeat(t: Transport, held: HeldLock, become: boolean): Heartbeat {
  const everyMs = Math.max(1000, Math.floor((held.info.ttlSec * 1000) / 3));
  let lost: string | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const beat = async (): Promise<void> => {
    try {
      const r = await renewLock(t, held, { become });
      if (r !== 'renewed')
        lost = r === 'foreign' ? 'the deploy lock was taken over by another run' : 'the deploy lock is gone';
    } catch {
      // a dropped connection: the run's next command fails on its own
    }
  };
  const schedule = (): void => {
    if (stopped || lost !== undefined) return;
    timer = setTimeout(() => {
      inFlight = beat().then(schedule);
    }, everyMs);
    timer.unref();
  };
  schedule();
  return {
    get lost() {
      return lost;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}
