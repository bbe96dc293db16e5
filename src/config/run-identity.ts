// Who runs rig, from where, under which run id: one rule for the journal, the lock, smoke and checklist reports.
import { randomBytes } from 'node:crypto';
import os from 'node:os';

/** The identity of one rig invocation, shared by every host it reaches. */
export interface RunIdentity {
  /** Random per invocation: ties a run's journal lines and lock together. */
  readonly runId: string;
  readonly user: string;
  readonly workstation: string;
}

/** A fresh run id with the user and workstation running it. */
export function runIdentity(env: Readonly<Record<string, string | undefined>>): RunIdentity {
  return { runId: randomBytes(6).toString('hex'), user: userName(env), workstation: os.hostname() };
}

/** `$USER`, else `$LOGNAME`, else the account of the process's uid ('unknown' for a uid without a passwd entry). */
export function userName(env: Readonly<Record<string, string | undefined>>): string {
  return env['USER'] || env['LOGNAME'] || accountName();
}

function accountName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown'; // a uid without a passwd entry (some containers)
  }
}
