// How a host's planning facts are fetched: one exec for all of them, with the deploy lock taken first in the same exec.
import { display } from '../core/cmd-render.js';
import type { Cmd } from '../core/cmd.js';
import { cmdBatch, type PartResult } from '../core/cmd-batch.js';
import { RemoteCommandError } from '../transport/errors.js';
import type { Transport } from '../transport/transport.js';
import { acquireStep, settleAcquire, type AcquireOptions, type HeldLock, type LockInfo } from './lock.js';

/** Runs fact commands and returns each one's stdout, in order; a failing part throws a RemoteCommandError. */
export type Gather = (parts: readonly Cmd[]) => Promise<Buffer[]>;

/** One exec for all parts (none when there are none). */
export function plainGather(t: Transport, become: boolean): Gather {
  return async (parts) => {
    if (parts.length === 0) return [];
    const batch = cmdBatch(parts);
    const r = await t.exec(batch.cmd, { become });
    return checked(t, parts, batch.split(r.stdoutBytes), r.stderr, r.code);
  };
}

/** A write that runs in the same exec once the lock is held, before the facts are read (the deploy marker). */
export interface LockedWrite {
  readonly cmd: Cmd;
  readonly stdin: string;
}

/** The lock `lockingGather` takes, and what it does once it holds it. */
export interface GatherLock extends AcquireOptions {
  readonly stateDir: string;
  readonly info: LockInfo;
  /** Receives the held lock before any fact is parsed (so it is released whatever happens next). */
  readonly onLock: (held: HeldLock) => void;
  /** Runs once the lock is held, before the facts are read. */
  readonly then: LockedWrite;
}

/**
 * One exec that takes the deploy lock and, only once it holds it, runs `then` and reads the facts: the plan is made
 * from facts nobody else changes meanwhile. Taking a lock over costs one more exec, and `then` and the facts run
 * after it.
 */
export function lockingGather(t: Transport, become: boolean, lock: GatherLock): Gather {
  return async (parts) => {
    const step = acquireStep(lock.stateDir, lock.info);
    const after = [lock.then.cmd, ...parts];
    const batch = cmdBatch([step.cmd, ...after], { gate: true });
    const r = await t.exec(batch.cmd, { become, stdin: step.stdin + lock.then.stdin });
    const results = batch.split(r.stdoutBytes);
    const first = results[0] ?? { code: r.code, stdout: r.stdoutBytes };
    const acquired = { code: first.code, stdout: first.stdout.toString('utf8'), stderr: r.stderr };
    lock.onLock(await settleAcquire(t, lock.stateDir, lock.info, acquired, { ...lock, become }));
    if (results.length === 1 + after.length) return checked(t, after, results.slice(1), r.stderr, r.code).slice(1);
    // taken over: the acquire stopped the batch; the write and the facts now, in one more exec
    const again = cmdBatch(after);
    const r2 = await t.exec(again.cmd, { become, stdin: lock.then.stdin });
    return checked(t, after, again.split(r2.stdoutBytes), r2.stderr, r2.code).slice(1);
  };
}

function checked(t: Transport, parts: readonly Cmd[], results: readonly PartResult[], stderr: string, code: number): Buffer[] {
  return parts.map((p, i) => {
    const res = results[i];
    if (res === undefined) throw new RemoteCommandError(t.host, display(p), 'exit', code, stderr);
    if (res.code !== 0) throw new RemoteCommandError(t.host, display(p), 'exit', res.code, stderr);
    return res.stdout;
  });
}
