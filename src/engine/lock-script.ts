// The remote half of the deploy lock: the sh scripts (one exec each) and pure parsers of what they print.
import { z } from 'zod';
import { sh, type ExecNode } from '../core/cmd.js';

/** Exit status of the acquire/break/read scripts when a lock file is there: stdout then holds a held report. */
export const LOCK_HELD_EXIT = 75; // EX_TEMPFAIL in sysexits.h: "try again later"

/** An empty lock file younger than this is being written by another acquirer, not abandoned (see `judgeLock`). */
export const WRITE_GRACE_SEC = 5;

/*
 * Shared functions. `held` prints `held <age> <inode>:<mtime>:<size>` and the file's content, then exits
 * LOCK_HELD_EXIT; it returns (prints nothing) when the file vanished or changed while it was read, and the
 * caller retries. Age is measured on the host clock. The identity lets a breaker check, under the guard,
 * that the lock it judged stale is still the very same file.
 * `claim` creates the lock with noclobber (`set -C`: O_EXCL in dash and bash) in one printf, mode 0600 by
 * umask. `take` holds `lock.guard` (mkdir is atomic) around break and release, the only steps that remove a
 * lock: a guard left by a killed script is taken over after 10 s.
 */
const PRELUDE = `l=$1/lock g=$1/lock.guard
held() {
  a=$(stat -c '%i:%Y:%s' -- "$l" 2>/dev/null) || return 0
  c=$(cat -- "$l" 2>/dev/null) || return 0
  [ "$(stat -c '%i:%Y:%s' -- "$l" 2>/dev/null)" = "$a" ] || return 0
  m=\${a#*:}; m=\${m%:*}
  printf 'held %s %s\\n%s\\n' "$(( $(date +%s) - m ))" "$a" "$c"
  exit ${LOCK_HELD_EXIT}
}
claim() {
  umask 077
  for i in 1 2 3 4 5; do
    ( set -C; printf '%s\\n' "$mine" > "$l" ) 2>/dev/null && exit 0
    [ -e "$l" ] && held
  done
  ( set -C; printf '%s\\n' "$mine" > "$l" ) && exit 0
  exit 1
}
take() {
  i=0
  until mkdir -- "$g" 2>/dev/null; do
    [ -d "$g" ] || { mkdir -- "$g" && break; return 1; }
    i=$((i+1))
    [ "$i" -le 100 ] || { echo "rig: $g stays taken; remove it if no rig runs on this host" >&2; return 1; }
    gm=$(stat -c %Y -- "$g" 2>/dev/null) && [ $(( $(date +%s) - gm )) -gt 10 ] && rmdir -- "$g" 2>/dev/null
    sleep 0.05 2>/dev/null || sleep 1
  done
  trap 'rmdir -- "$g" 2>/dev/null' EXIT
}
`;

/** Args: stateDir. Stdin: the lock line. Exit 0 = ours, LOCK_HELD_EXIT = someone's (held report on stdout). */
const ACQUIRE = `${PRELUDE}mkdir -p -m 0700 -- "$1" || exit 1
IFS= read -r mine || exit 1
claim`;

/**
 * Args: stateDir, identity of the stale lock. Under the guard, moves that same file aside (printing
 * `broken <path>`) and claims; a lock replaced meanwhile is left alone and reported as held.
 */
const BREAK = `${PRELUDE}IFS= read -r mine || exit 1
take || exit 1
if [ "$(stat -c '%i:%Y:%s' -- "$l" 2>/dev/null)" = "$2" ]; then
  aside=$l.broken.$(date +%s).$$
  mv -- "$l" "$aside" || exit 1
  printf 'broken %s\\n' "$aside"
fi
claim`;

/** Args: stateDir, the `"token":"…"` needle. Prints `released`, `foreign` (left in place) or `missing`. */
const RELEASE = `${PRELUDE}[ -e "$l" ] || { echo missing; exit 0; }
take || exit 1
if grep -qF -e "$2" -- "$l" 2>/dev/null; then rm -f -- "$l" || exit 1; echo released
elif [ -e "$l" ]; then echo foreign
else echo missing; fi`;

/** Args: stateDir. Exit 0 with no output = no lock; LOCK_HELD_EXIT with a held report. */
const READ = `${PRELUDE}for i in 1 2 3 4 5; do [ -e "$l" ] || exit 0; held; done
cat -- "$l" >/dev/null
exit 1`;

/** Creates `<stateDir>/lock` unless it exists; the lock line goes on stdin. */
export function acquireCmd(stateDir: string): ExecNode {
  return sh(ACQUIRE, stateDir);
}

/** Moves the stale lock with identity `id` aside and creates ours; the lock line goes on stdin. */
export function breakCmd(stateDir: string, id: string): ExecNode {
  return sh(BREAK, stateDir, id);
}

/** Removes the lock only if it carries `token`. */
export function releaseCmd(stateDir: string, token: string): ExecNode {
  return sh(RELEASE, stateDir, `"token":${JSON.stringify(token)}`);
}

/** Reports the lock without touching it. */
export function readLockCmd(stateDir: string): ExecNode {
  return sh(READ, stateDir);
}

/** What `held` printed: the file's age on the host clock, its identity and its content. */
export interface HeldReport {
  readonly ageSec: number;
  readonly id: string;
  readonly raw: string;
}

/** The script's stdout, split: an optional `broken <path>` line, then an optional held report. */
export interface LockOutput {
  readonly brokenPath: string | undefined;
  readonly held: HeldReport | undefined;
}

/** Parses the stdout of the lock scripts. Throws on lines it does not know: that is a protocol bug, not a lock state. */
export function parseLockOutput(stdout: string): LockOutput {
  let rest = stdout;
  let brokenPath: string | undefined;
  if (rest.startsWith('broken ')) {
    const nl = rest.indexOf('\n');
    brokenPath = rest.slice('broken '.length, nl < 0 ? undefined : nl);
    rest = nl < 0 ? '' : rest.slice(nl + 1);
  }
  if (rest === '') return { brokenPath, held: undefined };
  const nl = rest.indexOf('\n');
  const header = /^held (-?\d+) (\d+:\d+:\d+)$/.exec(nl < 0 ? rest : rest.slice(0, nl));
  if (header === null) throw new Error(`unexpected output of the lock script: ${JSON.stringify(stdout.slice(0, 200))}`);
  const raw = nl < 0 ? '' : rest.slice(nl + 1).replace(/\n$/, '');
  return { brokenPath, held: { ageSec: Number(header[1]), id: header[2] ?? '', raw } };
}

/** Who holds a deploy lock: written as one JSON line into the lock file. */
export interface LockInfo {
  readonly user: string;
  readonly workstation: string;
  readonly pid: number;
  /** The command line that took the lock, e.g. `rig deploy --env prod`. */
  readonly command: string;
  /** ISO time on the workstation's clock. */
  readonly startedAt: string;
  /** Seconds after which (by the lock file's age on the host clock) the lock is stale. */
  readonly ttlSec: number;
  /** Random; identifies this holder, so a release never removes another holder's lock. */
  readonly token: string;
}

const LockInfoSchema = z.object({
  user: z.string(),
  workstation: z.string(),
  pid: z.number().int(),
  command: z.string(),
  startedAt: z.string(),
  ttlSec: z.number().positive(),
  token: z.string().min(1),
});

/** The holder from a lock file's content, or undefined when it is not a lock line rig wrote. */
export function parseLockInfo(raw: string): LockInfo | undefined {
  try {
    const r = LockInfoSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** A lock as observed on a host. */
export interface LockState {
  /** The holder, or undefined when the content is not a lock line (`raw` shows what it is). */
  readonly info: LockInfo | undefined;
  readonly raw: string;
  /** Age of the lock file on the host clock (now minus its mtime). */
  readonly ageSec: number;
  readonly stale: boolean;
}

/**
 * Stale = older than the holder's own TTL. Unparseable content counts as stale, except an empty file
 * younger than WRITE_GRACE_SEC: another acquirer is between creating it and writing its line.
 */
export function judgeLock(raw: string, ageSec: number): LockState {
  const info = parseLockInfo(raw);
  if (info !== undefined) return { info, raw, ageSec, stale: ageSec > info.ttlSec };
  return { info, raw, ageSec, stale: raw.trim() !== '' || ageSec >= WRITE_GRACE_SEC };
}
