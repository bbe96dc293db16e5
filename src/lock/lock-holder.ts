// Identities that cannot collide, for taking over the lock of a dead local holder: this workstation, that process.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * This workstation's id: a random value rig keeps in `$XDG_STATE_HOME/rig/workstation-id` (default
 * `~/.local/state/rig/`), created on first use, mixed with /etc/machine-id where there is one, so that neither a
 * home directory shared between machines nor a cloned VM makes two workstations one. Hostnames collide; this does not.
 */
export function workstationId(env: Readonly<Record<string, string | undefined>>): string {
  const home = env['HOME'] ?? os.homedir();
  const dir = path.join(env['XDG_STATE_HOME'] || path.join(home, '.local', 'state'), 'rig');
  const file = path.join(dir, 'workstation-id');
  let random = readOr(file, '').trim();
  if (!/^[0-9a-f]{32}$/.test(random)) {
    random = randomBytes(16).toString('hex');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${random}\n`, { mode: 0o600 });
  }
  const machine = readOr('/etc/machine-id', readOr('/var/lib/dbus/machine-id', '')).trim();
  return createHash('sha256').update(`${random}:${machine}`).digest('hex').slice(0, 32);
}

/**
 * What makes process `pid` itself and not a later one with the same number: on Linux the boot id and the start
 * time in clock ticks (/proc), elsewhere `ps -o lstart`. Undefined when no such process runs (or it cannot be told).
 */
export function processStartId(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid < 1) return undefined;
  if (process.platform === 'linux') {
    const stat = readOr(`/proc/${pid}/stat`, '');
    // field 22 counted after the command name, which is in parentheses and may hold anything
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = fields[19];
    // a zombie (killed, not yet reaped by its parent) runs no more
    if (stat === '' || start === undefined || fields[0] === 'Z') return undefined;
    return `${readOr('/proc/sys/kernel/random/boot_id', '').trim()}:${start}`;
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return out === '' ? undefined : out;
  } catch {
    return undefined; // ps exits 1 when the pid does not exist
  }
}

/**
 * The fields of a lock's holder (`LockInfo`) that tell whether it is gone; structural, so this file imports no lock.
 */
export interface HolderIdentity {
  readonly pid: number;
  readonly workstationId?: string;
  readonly pidStart?: string;
}

/**
 * True when `holder` was written on this workstation by a process that no longer runs: its lock is taken over at once.
 * A lock of an earlier rig (no workstation id or start identity) is never judged so: it waits for its expiry.
 */
export function holderGone(holder: HolderIdentity, ourWorkstationId: string | undefined): boolean {
  if (ourWorkstationId === undefined || holder.workstationId !== ourWorkstationId || holder.pidStart === undefined)
    return false;
  return processStartId(holder.pid) !== holder.pidStart;
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
