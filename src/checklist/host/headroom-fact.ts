// The headroom thresholds (inventory variables) and how the `headroom` fact measures against them.
import type { HostConfig } from '../../config/project.js';
import { formatLocation } from '../../core/errors/diagnostic.js';
import type { Headroom } from '../../facts/host/headroom.js';

/** Defaults of the inventory variables that set the thresholds. */
export const HEADROOM_DEFAULTS = {
  rig_checklist_min_disk_free_pct: 15,
  rig_checklist_min_mem_available_mb: 512,
} as const;

/** A host's thresholds, from its variables (defaults above); an invalid value is a message at its `file:line:col`. */
export function headroomThresholds(
  host: HostConfig,
  cwd?: string,
): { minDiskFreePct: number; minMemAvailableMb: number } | { error: string } {
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
export function judgeHeadroom(
  h: Headroom,
  min: { minDiskFreePct: number; minMemAvailableMb: number },
): { status: 'pass' | 'warn'; evidence: string[] } {
  const disk = `${h.diskFreePct.toFixed(1)}% free on ${h.mount} (${h.path}: ${gb(h.diskAvailableMb)} available; threshold ${min.minDiskFreePct}%)`;
  const mem = `${Math.round(h.memAvailableMb)} MB memory available of ${Math.round(h.memTotalMb)} MB (threshold ${min.minMemAvailableMb} MB)`;
  const lowDisk = h.diskFreePct < min.minDiskFreePct;
  const lowMem = h.memAvailableMb < min.minMemAvailableMb;
  const evidence = [lowDisk ? `low disk: ${disk}` : disk, lowMem ? `low memory: ${mem}` : mem];
  return {
    status: lowDisk || lowMem ? 'warn' : 'pass',
    evidence: lowMem && !lowDisk ? [evidence[1] as string, evidence[0] as string] : evidence,
  };
}

function gb(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`;
}
