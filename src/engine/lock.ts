// The per-host deploy lock: acquire (failing fast), break a stale one on request, release only our own, read it.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { exec, or, type Cmd, type ExecNode } from '../core/cmd.js';
import { display } from '../core/cmd-render.js';
import { UserError } from '../core/errors.js';
import { RemoteCommandError } from '../transport/errors.js';
import { classifyFailure } from '../transport/run.js';
import type { ExecResult, Transport } from '../transport/transport.js';
import { acquireCmd, breakCmd, judgeLock, LOCK_HELD_EXIT, parseLockOutput, readLockCmd, releaseCmd, type HeldReport, type LockInfo, type LockState } from './lock-script.js';

export { LOCK_HELD_EXIT, judgeLock, parseLockInfo, type LockInfo, type LockState } from './lock-script.js';

/** A lock this process holds on one host. */
export interface HeldLock {
  readonly host: string;
  /** `<stateDir>/lock` on the host. */
  readonly path: string;
  readonly info: LockInfo;
  /** The stale holder this acquire broke (for the journal); undefined when nothing was broken or its content was unreadable. */
  readonly broke?: LockInfo | undefined;
  /** Where the broken lock file was moved (`<stateDir>/lock.broken.<epoch>.<pid>`), when one was broken. */
  readonly brokenPath?: string | undefined;
}

/** What `releaseLock` found: our lock (removed), another holder's (left in place), or none. */
export type ReleaseOutcome = 'released' | 'foreign' | 'missing';

/**
 * Someone else holds the deploy lock of `host`. `stale` says whether it outlived its TTL (then
 * `--break-lock` breaks it); `holder` is undefined when the lock file's content is unreadable.
 */
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

/** Builds the holder of a new lock: user from $USER (else the OS account), this machine's hostname and pid. */
export function newLockInfo(command: string, ttlSec: number, env: NodeJS.ProcessEnv = process.env): LockInfo {
  if (!Number.isInteger(ttlSec) || ttlSec < 1) throw new Error(`lock TTL must be a whole number of seconds >= 1, got ${ttlSec}`);
  const user = env['USER'] || env['LOGNAME'] || accountName();
  const startedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { user, workstation: os.hostname(), pid: process.pid, command, startedAt, ttlSec, token: randomBytes(16).toString('hex') };
}

function accountName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown'; // a uid without a passwd entry (some containers)
  }
}

/**
 * Takes the deploy lock `<stateDir>/lock` in one exec: creates the state dir (0700) and the lock file
 * (0600, O_EXCL via noclobber, the holder line sent over stdin). A live lock throws LockHeldError at
 * once; so does a stale one unless `breakStale`, which moves it aside (one more exec, under a guard so
 * that two breakers cannot both win) and returns its holder as `broke`.
 */
export async function acquireLock(t: Transport, stateDir: string, info: LockInfo, opts: { breakStale: boolean; become?: boolean }): Promise<HeldLock> {
  const step = acquireStep(stateDir, info);
  const first = await lockExec(t, step.cmd, opts.become, step.stdin);
  return settleAcquire(t, stateDir, info, first, opts);
}

/** The acquire as a command and its stdin, to run on its own or as the gating first part of a fact batch. */
export function acquireStep(stateDir: string, info: LockInfo): { cmd: ExecNode; stdin: string } {
  return { cmd: acquireCmd(checkStateDir(stateDir)), stdin: `${JSON.stringify(info)}\n` };
}

/**
 * The outcome of an acquire that ran (exit 0: ours; LOCK_HELD_EXIT: someone's, then LockHeldError or, for a stale
 * lock with `breakStale`, one more exec to break it). Any other exit is a RemoteCommandError.
 */
export async function settleAcquire(t: Transport, stateDir: string, info: LockInfo, first: { code: number; stdout: string; stderr: string }, opts: { breakStale: boolean; become?: boolean }): Promise<HeldLock> {
  const dir = checkStateDir(stateDir);
  const lockPath = path.posix.join(dir, 'lock');
  if (first.code === 0) return { host: t.host, path: lockPath, info };
  if (first.code !== LOCK_HELD_EXIT) throw new RemoteCommandError(t.host, display(acquireCmd(dir)), classifyFailure(first, opts.become === true), first.code, first.stderr);
  const held = heldReport(t.host, first);
  const state = judgeReport(held);
  if (!state.stale || !opts.breakStale) throw new LockHeldError(t.host, lockPath, state);
  const second = await lockExec(t, breakCmd(dir, held.id), opts.become, `${JSON.stringify(info)}\n`);
  // Someone else took it between our two execs or broke it first (the stale file may be aside already): theirs now.
  if (second.code !== 0) throw new LockHeldError(t.host, lockPath, judgeReport(heldReport(t.host, second)));
  const out = parseLockOutput(second.stdout);
  if (out.brokenPath === undefined) return { host: t.host, path: lockPath, info };
  return { host: t.host, path: lockPath, info, broke: state.info, brokenPath: out.brokenPath };
}

/** Removes our lock in one exec, only while it still carries our token; a lock broken and retaken by another holder stays. */
export async function releaseLock(t: Transport, held: HeldLock, opts: { become?: boolean } = {}): Promise<ReleaseOutcome> {
  const r = await lockExec(t, releaseStep(held), opts.become);
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

/** Reads the lock without taking it, as a part of a fact batch: exits 0 either way, the held report (if any) on stdout. */
export function lockStateStep(stateDir: string): Cmd {
  return or(readLockCmd(checkStateDir(stateDir)), exec(['true']));
}

/** Parses `lockStateStep` output: undefined when nobody holds the lock. */
export function parseLockState(stdout: string): LockState | undefined {
  const held = parseLockOutput(stdout).held;
  return held === undefined ? undefined : judgeReport(held);
}

/** Who holds the lock, without taking it (for `rig plan` and checklists); undefined when there is none. One exec. */
export async function readLock(t: Transport, stateDir: string, opts: { become?: boolean } = {}): Promise<LockState | undefined> {
  const r = await lockExec(t, readLockCmd(checkStateDir(stateDir)), opts.become);
  return r.code === 0 ? undefined : judgeReport(heldReport(t.host, r));
}

/** The held report a script printed with LOCK_HELD_EXIT. */
function heldReport(host: string, r: Pick<ExecResult, 'code' | 'stdout'>): HeldReport {
  const held = parseLockOutput(r.stdout).held;
  if (held === undefined) throw new Error(`${host}: the lock script exited ${r.code} without a held report`);
  return held;
}

function judgeReport(h: HeldReport): LockState {
  return judgeLock(h.raw, h.ageSec);
}

/** Runs a lock script: exit 0 and LOCK_HELD_EXIT are answers, anything else is a RemoteCommandError. */
async function lockExec(t: Transport, cmd: ExecNode, become: boolean | undefined, stdin?: string): Promise<ExecResult> {
  const r = await t.exec(cmd, { become: become === true, ...(stdin === undefined ? {} : { stdin }) });
  if (r.code === 0 || r.code === LOCK_HELD_EXIT) return r;
  throw new RemoteCommandError(t.host, display(cmd), classifyFailure(r, become === true), r.code, r.stderr);
}

function checkStateDir(dir: string): string {
  if (dir === '' || dir.startsWith('-')) throw new Error(`invalid state directory ${JSON.stringify(dir)}`);
  return dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
}

/**
 * The LockHeldError text, e.g. `web1: deploy lock held by alice@laptop (pid 4242, "rig deploy --env prod",
 * since 2026-12-01T07:10:00Z, 3m12s ago; expires in 26m48s)`. Ages are the host's; `since` is the holder's clock.
 */
export function lockHeldMessage(host: string, lockPath: string, s: LockState): string {
  const ago = `${formatDuration(s.ageSec)} ago`;
  const hint = 'rerun with --break-lock to break it';
  if (s.info === undefined) {
    if (!s.stale) return `${host}: deploy lock ${lockPath} is being taken by another run (empty file, ${ago}); try again`;
    return `${host}: deploy lock ${lockPath} has unreadable content ${printable(JSON.stringify(s.raw.slice(0, 200)))} (written ${ago}); it counts as stale: ${hint}`;
  }
  const i = s.info;
  const who = `${printable(i.user)}@${printable(i.workstation)} (pid ${i.pid}, ${printable(JSON.stringify(i.command))}, since ${printable(i.startedAt)}, ${ago}`;
  if (!s.stale) return `${host}: deploy lock held by ${who}; expires in ${formatDuration(i.ttlSec - s.ageSec)})`;
  return `${host}: stale deploy lock held by ${who}; expired ${formatDuration(s.ageSec - i.ttlSec)} ago): ${hint}`;
}

/** `45s`, `3m12s`, `2h05m`, `3d04h`: two units at most, the second zero-padded. */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/** The lock file comes from a host: keep its control and format characters (escapes, bidi overrides) off the terminal. */
function printable(s: string): string {
  return s.replace(/[\p{Cc}\p{Cf}]/gu, '?');
}
