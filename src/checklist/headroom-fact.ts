// Fact: free disk on the project dir's filesystem and available memory, in one command; pure parser and thresholds.
import { sh, type ExecNode } from '../core/cmd.js';
import type { HostConfig } from '../config/project.js';
import { formatLocation } from '../core/diagnostic.js';

/** Defaults of the inventory variables that set the thresholds. */
export const HEADROOM_DEFAULTS = { rig_checklist_min_disk_free_pct: 15, rig_checklist_min_mem_available_mb: 512 } as const;

/*
 * Args: the project dir. It may not exist yet (a host never deployed to): the nearest existing parent is measured,
 * since that is the filesystem the project will live on. `df -P` keeps each filesystem on one line (POSIX format).
 */
const HEADROOM = `p=$1
while [ ! -e "$p" ]; do p=$(dirname -- "$p"); done
printf 'path %s\\n' "$p"
df -Pk -- "$p" | tail -n 1
grep -E '^(MemTotal|MemAvailable):' /proc/meminfo`;

export function headroomCmd(projectDir: string): ExecNode {
  return sh(HEADROOM, projectDir);
}

/** What the command saw. */
export interface Headroom {
  readonly path: string;
  readonly mount: string;
  /** Available to unprivileged users / (used + available), as df's Capacity column counts it. */
  readonly diskFreePct: number;
  readonly diskAvailableMb: number;
  readonly memAvailableMb: number;
  readonly memTotalMb: number;
}

/** Parses `headroomCmd` output (recorded outputs in test/unit/checklist-headroom.test.ts). */
export function parseHeadroom(stdout: string): Headroom {
  const lines = stdout.split('\n');
  const path = /^path (.+)$/.exec(lines[0] ?? '')?.[1];
  const df = (lines[1] ?? '').trim().split(/\s+/);
  const [used, avail] = [Number(df[2]), Number(df[3])];
  const mem = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(stdout)?.[1]);
  const [available, total] = [mem('MemAvailable'), mem('MemTotal')];
  if (path === undefined || df.length < 6 || !Number.isFinite(used) || !Number.isFinite(avail) || used + avail <= 0 || !Number.isFinite(available) || !Number.isFinite(total)) {
    throw new Error(`unexpected output of the headroom probe: ${JSON.stringify(stdout.slice(0, 300))}`);
  }
  return { path, mount: df.slice(5).join(' '), diskFreePct: (100 * avail) / (used + avail), diskAvailableMb: avail / 1024, memAvailableMb: available / 1024, memTotalMb: total / 1024 };
}

/** A host's thresholds, from its variables (defaults above); an invalid value is a message at its `file:line:col`. */
export function headroomThresholds(host: HostConfig, cwd?: string): { minDiskFreePct: number; minMemAvailableMb: number } | { error: string } {
  const read = (name: keyof typeof HEADROOM_DEFAULTS, max: number): number | string => {
    const v = host.vars.get(name);
    if (v === undefined) return HEADROOM_DEFAULTS[name];
    if (typeof v.value === 'number' && Number.isFinite(v.value) && v.value >= 0 && v.value <= max) return v.value;
    return `${formatLocation(v.locate([]), cwd)}: ${name}: expected a number from 0 to ${max}, got ${JSON.stringify(v.value)}`;
  };
  const disk = read('rig_checklist_min_disk_free_pct', 100);
  const mem = read('rig_checklist_min_mem_available_mb', Number.MAX_SAFE_INTEGER);
  if (typeof disk === 'string') return { error: disk };
  if (typeof mem === 'string') return { error: mem };
  return { minDiskFreePct: disk, minMemAvailableMb: mem };
}

/** Below a threshold is advisory (`warn`): the upgrade can still run, but a pull or a migration may not fit. */
export function judgeHeadroom(h: Headroom, min: { minDiskFreePct: number; minMemAvailableMb: number }): { status: 'pass' | 'warn'; evidence: string[] } {
  const disk = `${h.diskFreePct.toFixed(1)}% free on ${h.mount} (${h.path}: ${gb(h.diskAvailableMb)} available; threshold ${min.minDiskFreePct}%)`;
  const mem = `${Math.round(h.memAvailableMb)} MB memory available of ${Math.round(h.memTotalMb)} MB (threshold ${min.minMemAvailableMb} MB)`;
  const lowDisk = h.diskFreePct < min.minDiskFreePct;
  const lowMem = h.memAvailableMb < min.minMemAvailableMb;
  const evidence = [lowDisk ? `low disk: ${disk}` : disk, lowMem ? `low memory: ${mem}` : mem];
  return { status: lowDisk || lowMem ? 'warn' : 'pass', evidence: lowMem && !lowDisk ? [evidence[1] as string, evidence[0] as string] : evidence };
}

function gb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}
