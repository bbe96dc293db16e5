// A run's last exec on a host: record the release (when there is one), append the journal, release the deploy lock.
import { cmdBatch } from '../core/cmd-batch.js';
import type { ExecNode } from '../core/cmd.js';
import type { Transport } from '../transport/transport.js';
import { parseRelease, releaseStep, type HeldLock } from './lock.js';

/** A step of the last exec and its share of stdin (read in order: release line, then the journal lines). */
export interface FinishStep {
  readonly cmd: ExecNode;
  readonly stdin: string;
}

/**
 * ONE exec: release record (optional), journal append (optional), then the unlock, each with its own exit code, the
 * unlock running whatever the others did. Throws naming every part that failed (after the lock is released).
 */
export async function finishOnHost(t: Transport, held: HeldLock, steps: { release?: FinishStep | undefined; journal?: FinishStep | undefined }, become: boolean): Promise<void> {
  const named = [...(steps.release ? [['the release record', steps.release] as const] : []), ...(steps.journal ? [['the journal', steps.journal] as const] : [])];
  const batch = cmdBatch([...named.map(([, s]) => s.cmd), releaseStep(held)]);
  const r = await t.exec(batch.cmd, { become, stdin: named.map(([, s]) => s.stdin).join('') });
  const parts = batch.split(r.stdoutBytes);
  const failed: string[] = named.filter((_, i) => parts[i]?.code !== 0).map(([what]) => what);
  const unlock = parts[named.length];
  if (unlock === undefined || unlock.code !== 0) failed.push('the lock release');
  else parseRelease(t.host, unlock.stdout.toString('utf8'));
  if (failed.length > 0) throw new Error(`${t.host}: not written: ${failed.join(', ')}${r.stderr.trim() ? ` (${r.stderr.trim().split('\n').slice(-3).join(' / ')})` : ''}`);
}
