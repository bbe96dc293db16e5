// The remote half of host jobs: a step that stops or starts containers runs detached from the SSH session (its own
// session, no terminal, no stdin), so it completes when the workstation dies or the connection drops. Only sh.
import { z } from 'zod';
import { sh, type ExecNode } from '../core/cmd/cmd.js';
import { assertCommandFits } from '../core/cmd/limit.js';
import { JOURNAL_FILE } from '../journal/journal.js';

/** Finished job dirs kept on the host (the newest; a running one is never removed). */
export const JOBS_KEPT = 10;

/*
 * Shared: `alive D` is true while the runner of job dir D runs, on this boot (a reboot kills it and may hand its pid
 * to another process) and not as a zombie.
 */
const ALIVE = `alive() {
  [ -e "$1/status" ] && return 1
  p=$(cat "$1/pid" 2>/dev/null) || return 1
  b=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
  [ "$(cat "$1/boot" 2>/dev/null)" = "$b" ] || return 1
  kill -0 "$p" 2>/dev/null || return 1
  s=$(cat "/proc/$p/stat" 2>/dev/null) || return 0
  case \${s##*) } in Z*) return 1 ;; esac
}`;

/*
 * What the runner does: runs the job's command with its output in `log`, appends the journal lines of its outcome
 * (ok.jsonl or failed.jsonl, written by rig beforehand: the host records what it did even when rig is gone), then
 * writes the exit status atomically. HUP and INT are ignored: a dying SSH session must not take it along.
 */
const RUNNER = `d=$1 j=$2
trap '' HUP INT
/bin/sh "$d/cmd" > "$d/log" 2>&1 < /dev/null; rc=$?
if [ "$rc" = 0 ]; then f=ok.jsonl; else f=failed.jsonl; fi
[ -s "$d/$f" ] && cat -- "$d/$f" >> "$j/${JOURNAL_FILE}"
printf '%s\\n' "$rc" > "$d/status.tmp" && mv -f -- "$d/status.tmp" "$d/status"`;

/*
 * Args: stateDir, job id, the command (sh text), the meta line, the ok lines, the failed lines. Creates the job dir
 * (0700), starts the runner under setsid (nohup where there is none), records its pid and the boot id, prints
 * `started <pid>`. Prunes the dirs of ended jobs beyond the newest JOBS_KEPT first.
 */
const LAUNCH = `${ALIVE}
j=$1 d=$1/jobs/$2
umask 077
mkdir -p -m 0700 -- "$j/jobs" || exit 1
ls -1t -- "$j/jobs" | awk 'NR > ${JOBS_KEPT}' | while read -r old; do
  alive "$j/jobs/$old" || rm -rf -- "\${j:?}/jobs/$old"
done
mkdir -m 0700 -- "$d" || exit 1
printf '%s\\n' "$3" > "$d/cmd" && printf '%s\\n' "$4" > "$d/meta" && printf '%s' "$5" > "$d/ok.jsonl" &&
  printf '%s' "$6" > "$d/failed.jsonl" && { cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo; } > "$d/boot" || exit 1
r='${RUNNER.replace(/'/g, `'\\''`)}'
if command -v setsid >/dev/null 2>&1; then setsid /bin/sh -c "$r" sh "$d" "$j" < /dev/null > /dev/null 2>&1 &
else nohup /bin/sh -c "$r" sh "$d" "$j" < /dev/null > /dev/null 2>&1 & fi
echo $! > "$d/pid" || exit 1
echo "started $!"`;

/*
 * Args: stateDir, job id, seconds to wait at most, and a marker line to write once the job succeeded ('' = none).
 * Waits while the runner lives, then prints `done <status>`, `lost` (gone without a status: killed, or a reboot) or
 * `running` (still, after the wait), then `--log` and the log's last 40 lines.
 */
const FOLLOW = `${ALIVE}
d=$1/jobs/$2 end=$(( $(date +%s) + $3 ))
while alive "$d" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2 2>/dev/null || sleep 1; done
if [ -e "$d/status" ]; then
  rc=$(cat "$d/status"); echo "done $rc"
  [ "$rc" = 0 ] && [ -n "$4" ] && { printf '%s\\n' "$4" > "$1/.deploy.json.tmp" && mv -f -- "$1/.deploy.json.tmp" "$1/deploy.json"; }
elif alive "$d"; then echo running
else echo lost; fi
echo --log
tail -n 40 -- "$d/log" 2>/dev/null
exit 0`;

/*
 * Args: stateDir. One line per job whose runner still lives: `<job id> <age in seconds> <meta line>`. Exit 0.
 * The clock is read at the first live job: this runs in every deploy's planning exec, where finished jobs are the
 * rule, and a process costs a small host ~2 ms of CPU (make bench-scale: the hosts' CPU sets a fleet's pace).
 */
const RUNNING = `${ALIVE}
[ -d "$1/jobs" ] || exit 0
now=
for d in "$1"/jobs/*; do
  [ -d "$d" ] && alive "$d" || continue
  [ -n "$now" ] || now=$(date +%s)
  m=$(stat -c %Y -- "$d" 2>/dev/null) || m=$now
  printf '%s %s %s\\n' "\${d##*/}" "$(( now - m ))" "$(head -n 1 -- "$d/meta" 2>/dev/null)"
done
exit 0`;

/** What a job is, for people and for a rig that finds it running: which deploy started it and what it does. */
export const jobMetaSchema = z.looseObject({
  deployId: z.string(),
  user: z.string(),
  workstation: z.string(),
  what: z.string(),
  startedAt: z.string(),
});
export type JobMeta = z.output<typeof jobMetaSchema>;

/** Starts job `id`; the journal lines of each outcome are whole lines. */
export function launchJobCmd(
  stateDir: string,
  id: string,
  job: { script: string; meta: JobMeta; okLines: string; failedLines: string },
): ExecNode {
  if (!/^[A-Za-z0-9._-]+$/.test(id))
    throw new Error(`host job id ${JSON.stringify(id)}: letters, digits, '.', '_' and '-' only`);
  const cmd = sh(LAUNCH, stateDir, id, job.script, JSON.stringify(job.meta), job.okLines, job.failedLines);
  assertCommandFits(cmd, `host job ${id}`);
  return cmd;
}

/** Waits for job `id` up to `waitSec`; writes `markerOnSuccess` as the deploy marker when it ended with status 0. */
export function followJobCmd(stateDir: string, id: string, waitSec: number, markerOnSuccess = ''): ExecNode {
  return sh(FOLLOW, stateDir, id, String(waitSec), markerOnSuccess);
}

/** Lists the jobs still running (a part of the planning fact batch). */
export function runningJobsCmd(stateDir: string): ExecNode {
  return sh(RUNNING, stateDir);
}

/** Where a followed job stands, with the tail of its output. */
export type JobOutcome =
  | { readonly state: 'done'; readonly code: number; readonly log: string }
  | { readonly state: 'running' | 'lost'; readonly log: string };

/** Parses `followJobCmd` output. */
export function parseFollow(stdout: string): JobOutcome {
  const at = stdout.indexOf('\n--log\n');
  const head = (at < 0 ? stdout : stdout.slice(0, at)).trim();
  const log = at < 0 ? '' : stdout.slice(at + '\n--log\n'.length).trimEnd();
  const done = /^done (\d+)$/.exec(head);
  if (done) return { state: 'done', code: Number(done[1]), log };
  if (head === 'running' || head === 'lost') return { state: head, log };
  throw new Error(`unexpected output of the host job follower: ${JSON.stringify(stdout.slice(0, 200))}`);
}

/** A job found running on a host. */
export interface RunningJob {
  readonly id: string;
  readonly ageSec: number;
  /** Undefined when its meta line is unreadable. */
  readonly meta: JobMeta | undefined;
}

/** Parses `runningJobsCmd` output. */
export function parseRunningJobs(stdout: string): RunningJob[] {
  return stdout.split('\n').flatMap((line) => {
    const m = /^(\S+) (-?\d+) (.*)$/.exec(line);
    if (!m) return [];
    let meta: JobMeta | undefined;
    try {
      const r = jobMetaSchema.safeParse(JSON.parse(m[3] ?? ''));
      meta = r.success ? r.data : undefined;
    } catch {
      meta = undefined;
    }
    return [{ id: m[1] ?? '', ageSec: Number(m[2]), meta }];
  });
}
