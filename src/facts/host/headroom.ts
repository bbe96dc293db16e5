// Fact `headroom`: free disk on the project dir's filesystem and available memory, in one command.
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { textFact, type Fact } from '../fact.js';

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

/** Parses `headroomCmd` output (recorded outputs in test/unit/checklist/checklist-facts.test.ts). */
export function parseHeadroom(stdout: string): Headroom {
  const lines = stdout.split('\n');
  const path = /^path (.+)$/.exec(lines[0] ?? '')?.[1];
  const df = (lines[1] ?? '').trim().split(/\s+/);
  const [used, avail] = [Number(df[2]), Number(df[3])];
  const mem = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(stdout)?.[1]);
  const [available, total] = [mem('MemAvailable'), mem('MemTotal')];
  if (
    path === undefined ||
    df.length < 6 ||
    !Number.isFinite(used) ||
    !Number.isFinite(avail) ||
    used + avail <= 0 ||
    !Number.isFinite(available) ||
    !Number.isFinite(total)
  ) {
    throw new Error(`unexpected output of the headroom probe: ${JSON.stringify(stdout.slice(0, 300))}`);
  }
  return {
    path,
    mount: df.slice(5).join(' '),
    diskFreePct: (100 * avail) / (used + avail),
    diskAvailableMb: avail / 1024,
    memAvailableMb: available / 1024,
    memTotalMb: total / 1024,
  };
}

/** Fact `headroom` of the filesystem `projectDir` lives (or will live) on. */
export function headroomFact(projectDir: string): Fact<Headroom> {
  return textFact('headroom', headroomCmd(projectDir), parseHeadroom);
}
