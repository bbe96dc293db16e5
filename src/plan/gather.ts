// How a deploy's planning facts are fetched: one exec for all of them, with the deploy lock taken first in the same
// exec.
import { display } from '../core/cmd/render.js';
import type { Cmd } from '../core/cmd/cmd.js';
import { cmdBatch, type PartResult } from '../core/cmd/batch.js';
import { factsDeadline, factsTimeout, type BatchOutcome, type FactHost } from '../facts/gather.js';
import { RemoteCommandError } from '../core/errors/remote-errors.js';
import type { Transport } from '../transport/transport.js';
import { acquireStep, settleAcquire, type AcquireOptions, type HeldLock, type LockInfo } from '../lock/lock.js';

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
export function lockingGather(t: Transport, become: boolean, lock: GatherLock): FactHost {
  const run: FactHost['run'] = async (parts) => {
    const step = acquireStep(lock.stateDir, lock.info);
    const after = [lock.then.cmd, ...parts];
    const batch = cmdBatch([step.cmd, ...after], { gate: true });
    // the lock and the marker's write come first: the facts' parts count from the third
    const r = await t
      .exec(batch.cmd, { become, stdin: step.stdin + lock.then.stdin, ...factsDeadline(t) })
      .catch((err: unknown) => {
        throw factsTimeout(t, err, batch.split, 2);
      });
    const results = batch.split(r.stdoutBytes);
    const first = results[0] ?? { code: r.code, stdout: r.stdoutBytes };
    const acquired = { code: first.code, stdout: first.stdout.toString('utf8'), stderr: r.stderr };
    lock.onLock(await settleAcquire(t, lock.stateDir, lock.info, acquired, { ...lock, become }));
    if (results.length === 1 + after.length) return afterWrite(t, lock.then, results.slice(1), r);
    // taken over: the acquire stopped the batch; the write and the facts now, in one more exec
    const again = cmdBatch(after);
    const r2 = await t
      .exec(again.cmd, { become, stdin: lock.then.stdin, ...factsDeadline(t) })
      .catch((err: unknown) => {
        throw factsTimeout(t, err, again.split, 1);
      });
    return afterWrite(t, lock.then, again.split(r2.stdoutBytes), r2);
  };
  return { host: t.host, run };
}

/** The facts' sections once the write (the first of `results`) succeeded; the write failing fails the deploy. */
function afterWrite(
  t: Transport,
  then: LockedWrite,
  results: readonly PartResult[],
  r: { stderr: string; code: number },
): BatchOutcome {
  const write = results[0];
  if (write === undefined || write.code !== 0)
    throw new RemoteCommandError(t.host, display(then.cmd), 'exit', write?.code ?? r.code, r.stderr);
  return { results: results.slice(1), stderr: r.stderr, code: r.code };
}
