// The deploy lock's content (one JSON line: who holds it, with which lease and token) and how a read lock is judged.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import { processStartId } from './lock-holder.js';
import { userName } from '../config/run-identity.js';

/** An empty lock file younger than this is being written by another acquirer, not abandoned (see `judgeLock`). */
export const WRITE_GRACE_SEC = 5;

/**
 * Who holds a deploy lock: written as one JSON line into the lock file. The fields of the first format (up to
 * `token`) keep their meaning, so an older rig still reads a lock this one wrote (and judges it by `ttlSec` against
 * the file's age, which the heartbeat keeps young); `version: 2` locks add the identities that cannot collide.
 */
export interface LockInfo {
  readonly user: string;
  /** The workstation's hostname, for people (two laptops may share it: `workstationId` tells them apart). */
  readonly workstation: string;
  readonly pid: number;
  /** The command line that took the lock, e.g. `rig deploy --env prod`. */
  readonly command: string;
  /** ISO time on the workstation's clock. */
  readonly startedAt: string;
  /** The lease: seconds after the last renewal (the lock file's mtime on the host clock) at which it expires. */
  readonly ttlSec: number;
  /** Random; identifies this holder: a release, a renewal and every fenced change check it. */
  readonly token: string;
  /** 2 = renewed by a heartbeat while its run lives; absent in locks of earlier rig versions (no heartbeat). */
  readonly version?: number;
  /** The random id rig keeps per workstation (see lock-holder.ts). */
  readonly workstationId?: string;
  /** The holder process's start identity on its workstation: with `pid`, a process that cannot be another one. */
  readonly pidStart?: string;
  /** The run that holds it (its journal events carry the same id). */
  readonly deployId?: string;
}

const LockInfoSchema = z.object({
  user: z.string(),
  workstation: z.string(),
  pid: z.number().int(),
  command: z.string(),
  startedAt: z.string(),
  ttlSec: z.number().positive(),
  token: z.string().min(1),
  version: z.number().int().optional(),
  workstationId: z.string().optional(),
  pidStart: z.string().optional(),
  deployId: z.string().optional(),
});

/** The holder from a lock file's content, or undefined when it is not a lock line rig wrote. */
export function parseLockInfo(raw: string): LockInfo | undefined {
  try {
    const r = LockInfoSchema.safeParse(JSON.parse(raw));
    // zod's optional fields read as `T | undefined`; a parsed line never holds an explicit undefined
    return r.success ? (r.data as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

/** A lock as observed on a host. */
export interface LockState {
  /** The holder, or undefined when the content is not a lock line (`raw` shows what it is). */
  readonly info: LockInfo | undefined;
  readonly raw: string;
  /** Age of the lock file on the host clock (now minus its mtime): time since the last renewal. */
  readonly ageSec: number;
  /** The lease expired (nobody renewed it): the next run takes the lock over. */
  readonly stale: boolean;
  /** `inode:mtime:size` of the file as read: what a takeover of an unreadable lock checks it still breaks. */
  readonly fileId?: string;
}

/**
 * Stale = not renewed within the holder's own lease. Unparseable content counts as stale, except an empty file
 * younger than WRITE_GRACE_SEC: another acquirer is between creating it and writing its line (an empty lock on a full
 * disk is removed by the acquire script itself: lock-script's `unwritable`).
 */
export function judgeLock(raw: string, ageSec: number, fileId?: string): LockState {
  const info = parseLockInfo(raw);
  const id = fileId === undefined ? {} : { fileId };
  if (info !== undefined) return { info, raw, ageSec, stale: ageSec > info.ttlSec, ...id };
  return { info, raw, ageSec, stale: raw.trim() !== '' || ageSec >= WRITE_GRACE_SEC, ...id };
}

/** The `"token":"…"` text a lock line holds: what the scripts grep for (JSON.stringify writes it exactly so). */
export function tokenNeedle(token: string): string {
  return `"token":${JSON.stringify(token)}`;
}

/** Who runs this process, for a new lock. */
export interface LockIdentity {
  readonly workstationId?: string;
  readonly deployId?: string;
}

/**
 * A new holder line: user from $USER (else the OS account), this machine's hostname, this process (pid and start
 * identity), `leaseSec`, a fresh token.
 */
export function newLockInfo(
  command: string,
  leaseSec: number,
  env: NodeJS.ProcessEnv = process.env,
  id: LockIdentity = {},
): LockInfo {
  if (!Number.isInteger(leaseSec) || leaseSec < 1)
    throw new Error(`lock lease must be a whole number of seconds >= 1, got ${leaseSec}`);
  const user = userName(env);
  const startedAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const pidStart = processStartId(process.pid);
  return {
    user,
    workstation: os.hostname(),
    pid: process.pid,
    command,
    startedAt,
    ttlSec: leaseSec,
    token: randomBytes(16).toString('hex'),
    version: 2,
    ...(id.workstationId !== undefined ? { workstationId: id.workstationId } : {}),
    ...(pidStart !== undefined ? { pidStart } : {}),
    ...(id.deployId !== undefined ? { deployId: id.deployId } : {}),
  };
}
