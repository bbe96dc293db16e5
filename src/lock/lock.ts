// The per-host deploy lock, a lease: acquire (taking over an expired or dead holder's lock), renew, release, read.
import path from 'node:path';
import type { Cmd, ExecNode } from '../core/cmd/cmd.js';
import { UserError } from '../core/errors/errors.js';
import { RemoteCommandError } from '../core/errors/remote-errors.js';
import { classifyFailure } from '../transport/run.js';
import type { ExecResult, Transport } from '../transport/transport.js';
import { holderGone } from './lock-holder.js';
import { judgeLock, type LockInfo, type LockState } from './lock-info.js';
import { lockHeldMessage } from './lock-message.js';
import {
  acquireCmd,
  breakCmd,
  LOCK_HELD_EXIT,
  parseLockOutput,
  readLockCmd,
  readLockStateCmd,
  releaseCmd,
  renewCmd,
  type BreakTarget,
  type HeldReport,
} from './lock-script.js';

export { LOCK_HELD_EXIT } from './lock-script.js';
export { judgeLock, newLockInfo, parseLockInfo, type LockInfo, type LockState } from './lock-info.js';
export { formatDuration, lockHeldMessage } from './lock-message.js';

/** Why an acquire took a lock someone else held: its lease ran out, its process is gone, or the user broke it. */
export type TakeoverReason = 'expired' | 'holder-gone' | 'broken';

/** The lock an acquire took over (journaled `lock.expired` or `lock.broken`). */
export interface Takeover {
  readonly reason: TakeoverReason;
  /** The previous holder; undefined when its content was unreadable. */
  readonly previous: LockInfo | undefined;
  /** Seconds since its last renewal, on the host clock. */
  readonly ageSec: number;
  /** Where the taken lock file was moved (`<stateDir>/lock.broken.<epoch>.<pid>`). */
  readonly movedTo: string;
}

/** A lock this process holds on one host. */
export interface HeldLock {
  readonly host: string;
  /** `<stateDir>/lock` on the host. */
  readonly path: string;
  readonly info: LockInfo;
  /** Set when this acquire took the lock over from another holder. */
  readonly took?: Takeover;
}

/** What `releaseLock` found: our lock (removed), another holder's (left in place), or none. */
export type ReleaseOutcome = 'released' | 'foreign' | 'missing';

/** Someone else holds the deploy lock of `host` (live, or changed while we tried to take it over). */
export class LockHeldError extends UserError {
  readonly holder: LockInfo | undefined;
  readonly stale: boolean;

  constructor(
    readonly host: string,
    readonly lockPath: string,
    readonly state: LockState,
  ) {
    super(lockHeldMessage(host, lockPath, state));
    this.holder = state.info;
    this.stale = state.stale;
  }
}

/** How an acquire treats a lock it finds. */
export interface AcquireOptions {
  readonly become?: boolean;
  /** This workstation's id: a lock it wrote whose process is gone is taken over at once. */
  readonly workstationId?: string;
  /** `--break-lock`, confirmed for this very holder (its token, or the file id of unreadable content). */
  readonly breakHolder?: BreakTarget;
}

/**
 * Takes the deploy lock `<stateDir>/lock` in one exec: creates the state dir (0700) and the lock file (0600, O_EXCL
 * via noclobber, the holder line sent over stdin). An expired lease, a dead local holder or the holder the user
 * agreed to break is taken over (one more exec, under a guard: of two takers one wins); any other throws LockHeldError.
 */
export async function acquireLock(
  t: Transport,
  stateDir: string,
  info: LockInfo,
  opts: AcquireOptions = {},
): Promise<HeldLock> {
  const step = acquireStep(stateDir, info);
  const first = await t.exec(step.cmd, { become: opts.become === true, stdin: step.stdin });
  return settleAcquire(t, stateDir, info, first, opts);
}

/** The acquire as a command and its stdin, to run on its own or as the gating first part of a fact batch. */
export function acquireStep(stateDir: string, info: LockInfo): { cmd: ExecNode; stdin: string } {
  return { cmd: acquireCmd(checkStateDir(stateDir)), stdin: `${JSON.stringify(info)}\n` };
}

/** The outcome of an acquire that ran: ours (exit 0), taken over (one more exec), or LockHeldError. */
export async function settleAcquire(
  t: Transport,
  stateDir: string,
  info: LockInfo,
  first: { code: number; stdout: string; stderr: string },
  opts: AcquireOptions,
): Promise<HeldLock> {
  const dir = checkStateDir(stateDir);
  const lockPath = path.posix.join(dir, 'lock');
  if (first.code === 0) return { host: t.host, path: lockPath, info };
  // named as lockExec names a lock script (acquireLock's own exec, or a fact batch's part: lockingGather)
  if (first.code !== LOCK_HELD_EXIT)
    throw new RemoteCommandError(
      t.host,
      `rig's script taking the deploy lock ${lockPath}`,
      classifyFailure(first, opts.become === true),
      first.code,
      first.stderr,
    );
  const state = judgeReport(heldReport(t.host, first));
  const reason = takeoverReason(state, opts);
  if (reason === undefined) throw new LockHeldError(t.host, lockPath, state);
  const target: BreakTarget = state.info ? { token: state.info.token } : { fileId: state.fileId ?? '' };
  // an expired lease is taken only while still expired: a holder renewing meanwhile keeps it
  const minAge = reason === 'expired' && state.info ? state.info.ttlSec : undefined;
  const second = await lockExec(
    t,
    breakCmd(dir, target, minAge),
    `taking over the deploy lock ${lockPath}`,
    opts.become,
    `${JSON.stringify(info)}\n`,
  );
  // Renewed, or taken by another run first: theirs now.
  if (second.code !== 0) throw new LockHeldError(t.host, lockPath, judgeReport(heldReport(t.host, second)));
  const movedTo = parseLockOutput(second.stdout).brokenPath ?? '';
  return { host: t.host, path: lockPath, info, took: { reason, previous: state.info, ageSec: state.ageSec, movedTo } };
}

function takeoverReason(state: LockState, opts: AcquireOptions): TakeoverReason | undefined {
  if (state.stale) return 'expired';
  if (state.info && holderGone(state.info, opts.workstationId)) return 'holder-gone';
  const b = opts.breakHolder;
  if (b && ('token' in b ? b.token === state.info?.token : state.info === undefined && b.fileId === state.fileId))
    return 'broken';
  return undefined;
}

/** Removes our lock in one exec, only while it still carries our token; a lock taken over by another holder stays. */
export async function releaseLock(
  t: Transport,
  held: HeldLock,
  opts: { become?: boolean } = {},
): Promise<ReleaseOutcome> {
  const r = await lockExec(t, releaseStep(held), `releasing the deploy lock ${held.path}`, opts.become);
  return parseRelease(t.host, r.stdout);
}

/** The release as a command, to run as the last part of a run's final exec. */
export function releaseStep(held: HeldLock): ExecNode {
  return releaseCmd(path.posix.dirname(held.path), held.info.token);
}

/** What the release printed: `released`, `foreign` (someone else's lock now) or `missing`. */
export function parseRelease(host: string, stdout: string): ReleaseOutcome {
  const outcome = stdout.trim();
  if (outcome === 'released' || outcome === 'foreign' || outcome === 'missing') return outcome;
  throw new Error(`${host}: unexpected output of the lock release: ${JSON.stringify(stdout.slice(0, 200))}`);
}

/** Renews the lease (one exec): `renewed`, or `foreign` / `missing` when the lock is no longer ours. */
export async function renewLock(
  t: Transport,
  held: HeldLock,
  opts: { become?: boolean } = {},
): Promise<'renewed' | 'foreign' | 'missing'> {
  const renew = renewCmd(path.posix.dirname(held.path), held.info.token);
  const out = (await lockExec(t, renew, `renewing the deploy lock ${held.path}`, opts.become)).stdout.trim();
  if (out === 'renewed' || out === 'foreign' || out === 'missing') return out;
  throw new Error(`${t.host}: unexpected output of the lock renewal: ${JSON.stringify(out.slice(0, 200))}`);
}

/**
 * Reads the lock without taking it, as a part of a fact batch: exits 0 either way, the held report (if any) on stdout.
 */
export function lockStateStep(stateDir: string): Cmd {
  return readLockStateCmd(checkStateDir(stateDir));
}

/** Parses `lockStateStep` output: undefined when nobody holds the lock. */
export function parseLockState(stdout: string): LockState | undefined {
  const held = parseLockOutput(stdout).held;
  return held === undefined ? undefined : judgeReport(held);
}

/** Who holds the lock, without taking it (for `rig plan` and checklists); undefined when there is none. One exec. */
export async function readLock(
  t: Transport,
  stateDir: string,
  opts: { become?: boolean } = {},
): Promise<LockState | undefined> {
  const dir = checkStateDir(stateDir);
  const r = await lockExec(t, readLockCmd(dir), `reading the deploy lock ${path.posix.join(dir, 'lock')}`, opts.become);
  return r.code === 0 ? undefined : judgeReport(heldReport(t.host, r));
}

/** The held report a script printed with LOCK_HELD_EXIT. */
function heldReport(host: string, r: Pick<ExecResult, 'code' | 'stdout'>): HeldReport {
  const held = parseLockOutput(r.stdout).held;
  if (held === undefined) throw new Error(`${host}: the lock script exited ${r.code} without a held report`);
  return held;
}

function judgeReport(h: HeldReport): LockState {
  return judgeLock(h.raw, h.ageSec, h.id);
}

/**
 * Runs a lock script: exit 0 and LOCK_HELD_EXIT are answers, anything else is a RemoteCommandError naming the script by
 * `what` it does (rig's own script, some 40 lines, says nothing a person needs; its stderr says why, as `rig: …` where
 * the script knows).
 */
async function lockExec(
  t: Transport,
  cmd: ExecNode,
  what: string,
  become: boolean | undefined,
  stdin?: string,
): Promise<ExecResult> {
  const r = await t.exec(cmd, { become: become === true, ...(stdin === undefined ? {} : { stdin }) });
  if (r.code === 0 || r.code === LOCK_HELD_EXIT) return r;
  throw new RemoteCommandError(t.host, `rig's script ${what}`, classifyFailure(r, become === true), r.code, r.stderr);
}

function checkStateDir(dir: string): string {
  if (dir === '' || dir.startsWith('-')) throw new Error(`invalid state directory ${JSON.stringify(dir)}`);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}
