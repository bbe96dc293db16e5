// A run's last exec on a host: record the release (fenced), append the journal, clear the deploy marker (when the run
// concluded), release the deploy lock.
import { cmdBatch, type PartResult } from '../core/cmd/batch.js';
import type { Cmd, ExecNode } from '../core/cmd/cmd.js';
import type { Transport } from '../transport/transport.js';
import { fenced, isFenced, type Fence } from '../lock/fence.js';
import { parseRelease, releaseStep, type HeldLock } from '../lock/lock.js';

/** A step of the last exec and its share of stdin (read in order: release line, then the journal lines). */
export interface FinishStep {
  readonly cmd: ExecNode;
  readonly stdin: string;
}

/** What the last exec does besides the unlock. */
export interface FinishSteps {
  readonly release?: FinishStep | undefined;
  /** The release is written only while the lock is still the run's. */
  readonly fence?: Fence | undefined;
  readonly journal?: FinishStep | undefined;
  readonly clearMarker?: ExecNode | undefined;
}

/** The parts of the finish, in their exec's order, and how to read their outcome. */
export interface FinishParts {
  /** The release record (fenced), the journal append, the marker removal (each optional), then the unlock. */
  readonly cmds: readonly Cmd[];
  /** Their stdin, in order: the release line, then the journal lines. */
  readonly stdin: string;
  /**
   * Throws naming every part that failed, from the parts' outcomes (fewer outcomes than parts: the missing ones
   * failed), with the end of stderr.
   */
  readonly check: (host: string, parts: readonly PartResult[], stderr: string) => void;
}

/** The finish as parts of an exec: the run's last exec, or the tail of the exec that writes its files. */
export function finishParts(held: HeldLock, steps: FinishSteps): FinishParts {
  const release = steps.release
    ? { ...steps.release, cmd: steps.fence ? fenced(steps.fence, steps.release.cmd) : steps.release.cmd }
    : undefined;
  const named = [
    ...(release ? [['the release record', release] as const] : []),
    ...(steps.journal ? [['the journal', steps.journal] as const] : []),
    ...(steps.clearMarker ? [['the deploy marker removal', { cmd: steps.clearMarker, stdin: '' }] as const] : []),
  ];
  return {
    cmds: [...named.map(([, s]) => s.cmd), releaseStep(held)],
    stdin: named.map(([, s]) => s.stdin).join(''),
    check(host, parts, stderr) {
      const failed: string[] = named
        .filter((_, i) => parts[i]?.code !== 0)
        .map(([what], i) =>
          i === 0 && release && isFenced({ code: parts[0]?.code ?? 0, stderr })
            ? `${what} (the deploy lock is no longer this run's)`
            : what,
        );
      const unlock = parts[named.length];
      if (unlock === undefined || unlock.code !== 0) failed.push('the lock release');
      else parseRelease(host, unlock.stdout.toString('utf8'));
      if (failed.length > 0)
        throw new Error(
          `${host}: not written: ${failed.join(', ')}${stderr.trim() ? ` (${stderr.trim().split('\n').slice(-3).join(' / ')})` : ''}`,
        );
    },
  };
}

/**
 * ONE exec: release record (optional), journal append (optional), marker removal (optional), then the unlock, each
 * with its own exit code, the unlock running whatever the others did. Throws naming every part that failed (after
 * the lock is released).
 */
export async function finishOnHost(t: Transport, held: HeldLock, steps: FinishSteps, become: boolean): Promise<void> {
  const finish = finishParts(held, steps);
  const batch = cmdBatch(finish.cmds);
  const r = await t.exec(batch.cmd, { become, stdin: finish.stdin });
  finish.check(t.host, batch.split(r.stdoutBytes), r.stderr);
}
