// What the checklist reads on a host in ONE exec: the planner's facts plus the deploy lock, the releases and the headroom.
import type { StackConfig } from '../config/stack-vars.js';
import { display } from '../core/cmd-render.js';
import type { Cmd } from '../core/cmd.js';
import { cmdBatch, type PartResult } from '../core/cmd-batch.js';
import type { Gather } from '../engine/gather.js';
import { lockStateStep, parseLockState, type LockState } from '../engine/lock.js';
import { listReleasesCmd, parseReleaseList, type ReleaseList } from '../engine/release-store.js';
import { RemoteCommandError } from '../transport/errors.js';
import type { Transport } from '../transport/transport.js';
import { headroomCmd, parseHeadroom, type Headroom } from './headroom-fact.js';

/** The checklist's own facts; each is an error message when its part failed, so one bad part spoils no other. */
export interface ChecklistFacts {
  readonly lock: LockState | undefined | { error: string };
  readonly releases: ReleaseList | { error: string };
  readonly headroom: Headroom | { error: string };
}

/**
 * A Gather for `planOnHost` that runs the checklist's parts in the same exec as the planner's (read-only: the lock is
 * read, never taken) and keeps their outputs whatever the planner's parts or the planner itself do. `facts()` runs
 * them on their own when the planner never gathered.
 */
export function checklistGather(t: Transport, become: boolean, stack: StackConfig): { gather: Gather; facts: () => Promise<ChecklistFacts> } {
  const mine: Cmd[] = [lockStateStep(stack.stateDir), listReleasesCmd(stack.stateDir), headroomCmd(stack.projectDir)];
  let got: ChecklistFacts | undefined;
  const exec = async (parts: readonly Cmd[]): Promise<PartResult[]> => {
    const batch = cmdBatch([...parts, ...mine]);
    const r = await t.exec(batch.cmd, { become });
    const results = batch.split(r.stdoutBytes);
    got = parseMine(t.host, results.slice(parts.length), r.stderr);
    return parts.map((p, i) => {
      const res = results[i];
      if (res === undefined || res.code !== 0) throw new RemoteCommandError(t.host, display(p), 'exit', res?.code ?? r.code, r.stderr);
      return res;
    });
  };
  return {
    gather: async (parts) => (await exec(parts)).map((p) => p.stdout),
    facts: async () => got ?? (await exec([]), got ?? parseMine(t.host, [], '')),
  };
}

function parseMine(host: string, results: readonly PartResult[], stderr: string): ChecklistFacts {
  const part = <T>(i: number, parse: (out: string) => T): T | { error: string } => {
    const res = results[i];
    if (res === undefined || res.code !== 0) return { error: `${host}: ${['the deploy lock', 'the releases', 'the headroom probe'][i] ?? 'a fact'} could not be read (exit ${res?.code ?? '?'})${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' / ')}`}` };
    try {
      return parse(res.stdout.toString('utf8'));
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
  return { lock: part(0, parseLockState), releases: part(1, parseReleaseList), headroom: part(2, parseHeadroom) };
}
