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

/**
 * One exec that takes the deploy lock and, only once it holds it, reads the facts: the plan is made from facts
 * nobody else changes meanwhile. `onLock` receives the held lock before any fact is parsed (so it is released
 * whatever happens next). Taking a lock over costs one more exec, and the facts are then read after it.
 */
export function lockingGather(t: Transport, become: boolean, lock: { stateDir: string; info: LockInfo } & AcquireOptions, onLock: (held: HeldLock) => void): Gather {
  return async (parts) => {
    const step = acquireStep(lock.stateDir, lock.info);
    const batch = cmdBatch([step.cmd, ...parts], { gate: true });
    const r = await t.exec(batch.cmd, { become, stdin: step.stdin });
    const results = batch.split(r.stdoutBytes);
    const first = results[0] ?? { code: r.code, stdout: r.stdoutBytes };
    const held = await settleAcquire(t, lock.stateDir, lock.info, { code: first.code, stdout: first.stdout.toString('utf8'), stderr: r.stderr }, { ...lock, become });
    onLock(held);
    if (results.length === parts.length + 1) return checked(t, parts, results.slice(1), r.stderr, r.code);
    return plainGather(t, become)(parts);
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
