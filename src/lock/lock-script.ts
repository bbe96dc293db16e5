// The remote half of the deploy lock: the sh scripts (one exec each) and pure parsers of what they print.
import { sh, type ExecNode } from '../core/cmd/cmd.js';
import { tokenNeedle } from './lock-info.js';

/** Exit status of the acquire/break/read scripts when a lock file is there: stdout then holds a held report. */
export const LOCK_HELD_EXIT = 75; // EX_TEMPFAIL in sysexits.h: "try again later"

/*
 * Shared functions. `held` prints `held <age> <inode>:<mtime>:<size>` and the file's content, then exits
 * LOCK_HELD_EXIT; it returns (prints nothing) when the file vanished or changed while it was read, and the
 * caller retries. Age is measured on the host clock. The identity lets a breaker check, under the guard,
 * that the lock it judged stale is still the very same file.
 * `claim` creates the lock with noclobber (`set -C`: O_EXCL in dash and bash) in one printf, mode 0600 by umask: no
 * process. When that fails and an empty lock is there, it is another acquirer between its create and its write, or a
 * write that failed: `unwritable` writes the line to a temp of its own (through `cat`, whose error names the cause
 * where dash's printf says "I/O error"); when that fails too (a full disk), nobody can have written the lock, which is
 * removed, and the reason said, instead of an empty lock read as "being taken by another run". (A write that succeeds
 * for another acquirer in the instant the disk frees is covered by fencing: its commands find the lock gone.)
 * `take` holds `lock.guard` (mkdir is atomic) around break, release and renewal (the steps that remove a lock or
 * change its age): a guard left by a killed script is taken over after 10 s.
 */
const PRELUDE = `d=$1 l=$1/lock g=$1/lock.guard
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
    [ -s "$l" ] || [ ! -e "$l" ] || unwritable
    [ -e "$l" ] && held
  done
  ( set -C; printf '%s\\n' "$mine" > "$l" ) && exit 0
  exit 1
}
unwritable() {
  t=$l.$$.new
  rm -f -- "$t"
  if e=$(set -C; printf '%s\\n' "$mine" | cat 2>&1 >"$t"); then rm -f -- "$t"; return 0; fi
  rm -f -- "$t"
  [ -s "$l" ] || rm -f -- "$l"
  echo "rig: cannot write the deploy lock in $d: \${e:-write error}" >&2
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
const ACQUIRE = `${PRELUDE}[ -d "$1" ] || mkdir -p -m 0700 -- "$1" || exit 1
IFS= read -r mine || exit 1
claim`;

/**
 * Args: stateDir, `token` or `file`, the token needle or the file identity, and a minimum age ('' = any). Under the
 * guard, moves aside the very lock that was judged (same token, or same file for unreadable content) and, with an
 * age, only while it is still that old (not renewed meanwhile), printing `broken <path>`; then claims. A lock that
 * changed meanwhile is left alone and reported as held.
 */
const BREAK = `${PRELUDE}IFS= read -r mine || exit 1
take || exit 1
same=0
case $2 in
  token) grep -qF -e "$3" -- "$l" 2>/dev/null && same=1 ;;
  file) [ "$(stat -c '%i:%Y:%s' -- "$l" 2>/dev/null)" = "$3" ] && same=1 ;;
esac
if [ $same = 1 ] && [ -n "$4" ]; then
  m=$(stat -c %Y -- "$l" 2>/dev/null) && [ $(( $(date +%s) - m )) -gt "$4" ] || same=0
fi
if [ $same = 1 ]; then
  aside=$l.broken.$(date +%s).$$
  mv -- "$l" "$aside" || exit 1
  printf 'broken %s\\n' "$aside"
fi
claim`;

/**
 * Args: stateDir, the `"token":"…"` needle. Prints `released`, `foreign` (left in place) or `missing`. The lock is one
 * line, read by the shell (no grep: this runs in every deploy's last exec).
 */
const RELEASE = `${PRELUDE}[ -e "$l" ] || { echo missing; exit 0; }
take || exit 1
c=
{ IFS= read -r c || :; } 2>/dev/null <"$l"
if case $c in *"$2"*) true ;; *) false ;; esac; then rm -f -- "$l" || exit 1; echo released
elif [ -e "$l" ]; then echo foreign
else echo missing; fi`;

/**
 * The heartbeat. Args: stateDir, the token needle. Under the guard (a takeover checks the age under it too), renews
 * the lease by touching the file while it is ours: prints `renewed`, `foreign` or `missing`.
 */
const RENEW = `${PRELUDE}[ -e "$l" ] || { echo missing; exit 0; }
take || exit 1
if grep -qF -e "$2" -- "$l" 2>/dev/null; then touch -c -- "$l" || exit 1; echo renewed
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

/** Which lock a takeover breaks: the one carrying a token, or (unreadable content) the very file that was read. */
export type BreakTarget = { readonly token: string } | { readonly fileId: string };

/** Moves `target` aside (only if not renewed for `minAgeSec`, when given) and creates ours; the lock line on stdin. */
export function breakCmd(stateDir: string, target: BreakTarget, minAgeSec?: number): ExecNode {
  const [kind, needle] = 'token' in target ? ['token', tokenNeedle(target.token)] : ['file', target.fileId];
  return sh(BREAK, stateDir, kind, needle, minAgeSec === undefined ? '' : String(minAgeSec));
}

/** Removes the lock only if it carries `token`. */
export function releaseCmd(stateDir: string, token: string): ExecNode {
  return sh(RELEASE, stateDir, tokenNeedle(token));
}

/** Renews the lease of the lock carrying `token`. */
export function renewCmd(stateDir: string, token: string): ExecNode {
  return sh(RENEW, stateDir, tokenNeedle(token));
}

/** Reports the lock without touching it. */
export function readLockCmd(stateDir: string): ExecNode {
  return sh(READ, stateDir);
}

/** `readLockCmd` that exits 0 either way (a fact of a batch): one sh() script, so a batch runs it in place. */
export function readLockStateCmd(stateDir: string): ExecNode {
  return sh(`(\n${READ}\n) || :`, stateDir);
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

/**
 * Parses the stdout of the lock scripts. Throws on lines it does not know: that is a protocol bug, not a lock state.
 */
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
