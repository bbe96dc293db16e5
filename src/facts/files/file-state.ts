// Fact `file-state`: type, mode, ownership and sha256 of many paths in one exec, and the pure parser of its output.
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';
import { GUARD_SH } from './path-guard.js';
import { textFact, type Fact } from '../fact.js';

/** What a non-file, non-directory path is. Symlinks are reported as such, never followed. */
export type OtherType = 'symlink' | 'fifo' | 'socket' | 'char-device' | 'block-device' | 'unknown';

/** Ownership and permission bits (`mode` holds the 12 low bits: setuid, setgid, sticky, rwx). */
export interface PathOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** User name, or the uid as a decimal string when the host cannot resolve it. */
  readonly owner: string;
  /** Group name, or the gid as a decimal string when the host cannot resolve it. */
  readonly group: string;
}

/** The state of one path on a host. */
export type PathState =
  /** `parentDir`: whether the parent is an existing directory (false: a `mkdir` is needed before writing). */
  | { readonly kind: 'missing'; readonly parentDir: boolean }
  | ({
      readonly kind: 'file';
      readonly sha256: string;
      readonly size: number;
      /**
       * When its content was last written, at the latest: its mtime in seconds since the epoch (host clock), or its
       * ctime when that is earlier (an mtime set into the future by `touch -d` or a copy that keeps times; the kernel
       * sets ctime on every write and nobody can set it back). A content change dated after a container's start
       * happened under it: the container started from the bytes before it.
       */
      readonly modifiedAt: number;
    } & PathOwnership)
  | ({ readonly kind: 'dir' } & PathOwnership)
  | { readonly kind: 'other'; readonly type: OtherType };

/*
 * Three sections, so that the whole batch costs one `stat` and one `sha256sum` process (a process per path costs
 * ~100 ms per 20 paths on a small host; see bench/), run on the list the first loop leaves in "$@" (each path is
 * shifted off and appended when it exists: no xargs, no second test). Paths are never printed before the last
 * section, so any byte in them (newline, quote, invalid UTF-8) is harmless. The directories of the regular files
 * are judged first, all with one more `stat` (path-guard's rig_guard_all; each alone when that fails):
 *   1. per path, in argument order, from shell builtins: `<index>:M:<1|0>` (missing; whether the parent is a
 *      directory), `<index>:F` (regular file, hashed in section 3), `<index>:U:<sha256>` (regular file in a directory
 *      a non-root uid controls: hashed right here as that uid, see path-guard) or `<index>:E` (exists, anything else);
 *   2. after `--stat`, one `stat -c` line per existing path, in order:
 *      `<rawmode hex>:<uid>:<gid>:<size>:<mtime>:<ctime>:<user>:<group>` (times in whole seconds since the epoch)
 *      (user and group names cannot contain `:` or a newline: passwd/group syntax);
 *   3. after `--hash`, one NUL-terminated `sha256sum -z` record per `F` file, in order (the digest is its first
 *      64 characters; the name after it is ignored).
 * `stat -c` is lstat (symlinks are not followed); `%f` is locale-independent, unlike `%F`. Only regular files are
 * hashed (reading a FIFO would block). A path that exists but cannot be stat'ed or read, or whose directory
 * path-guard refuses, makes the script exit 1 with the reason on stderr: the caller's `run` turns that into a
 * RemoteCommandError.
 */
const SCRIPT = `${GUARD_SH}
rig_gn=0 last=
for p do
  if [ -f "$p" ] && [ ! -L "$p" ]; then
    d=\${p%/*}; d=\${d:-/}
    [ "$d" = "$last" ] || { rig_gn=$((rig_gn+1)); eval "rig_gk_$rig_gn=\\$d"; last=$d; }
  fi
done
[ "$rig_gn" = 0 ] || rig_guard_all 1 "$rig_gn" || rig_gn=0
i=0 e=0 rc=0 fl=' ' last=
for p do
  shift
  if [ -e "$p" ] || [ -L "$p" ]; then
    set -- "$@" "$p"
    if [ -f "$p" ] && [ ! -L "$p" ]; then
      d=\${p%/*}; d=\${d:-/}
      [ "$d" = "$last" ] || { rig_guard "$d"; last=$d; }
      case $rig_id in
        '') printf '%s:F\\n' "$i"; fl="$fl$e " ;;
        '!'*) echo "rig: refusing to read $p: \${rig_id#!}" >&2; rc=1; printf '%s:E\\n' "$i" ;;
        *) if h=$(rig_as timeout 300 sh -c 'sha256sum < "$1"' sh "$p" </dev/null); then printf '%s:U:%.64s\\n' "$i" "$h"
           else rc=1; printf '%s:E\\n' "$i"; fi ;;
      esac
    else printf '%s:E\\n' "$i"; fi
    e=$((e+1))
  else
    d=\${p%/*}
    [ -n "$d" ] || d=/
    if [ -d "$d" ]; then printf '%s:M:1\\n' "$i"; else printf '%s:M:0\\n' "$i"; fi
  fi
  i=$((i+1))
done
echo --stat
[ $# = 0 ] || stat -c '%f:%u:%g:%s:%Y:%Z:%U:%G' -- "$@" || rc=1
echo --hash
e=0
for p do shift; case $fl in *" $e "*) set -- "$@" "$p" ;; esac; e=$((e+1)); done
[ $# = 0 ] || sha256sum -z -- "$@" || rc=1
exit $rc`;

/**
 * The command reading the state of `paths` (absolute) in one exec: POSIX sh (dash) and GNU coreutils
 * `stat`/`sha256sum`. Throws when a path is not absolute or the batch exceeds the command line limit.
 */
export function fileStateCmd(paths: readonly string[]): ExecNode {
  for (const p of paths) {
    if (!p.startsWith('/')) throw new Error(`file-state: path must be absolute: ${JSON.stringify(p)}`);
  }
  const cmd = sh(SCRIPT, ...paths);
  assertCommandFits(cmd, `file-state of ${paths.length} paths`);
  return cmd;
}

/** Parses the output of `fileStateCmd(paths)`; throws on a malformed or missing record. */
export function parseFileState(stdout: string, paths: readonly string[]): Map<string, PathState> {
  const statAt = stdout.indexOf('--stat\n');
  const hashAt = stdout.indexOf('\n--hash\n', statAt);
  if (statAt < 0 || hashAt < 0) throw new Error('file-state: output has no --stat/--hash sections');
  const stats = lines(stdout.slice(statAt + 7, hashAt + 1));
  const hashes = stdout
    .slice(hashAt + 8)
    .split('\0')
    .filter((r) => r !== '')
    .map((r) => r.slice(0, 64));
  const byIndex = new Map<number, PathState>();
  for (const line of lines(stdout.slice(0, statAt))) {
    const [index, kind, extra] = line.split(':');
    const i = decimal(index);
    if (i === undefined || i >= paths.length || byIndex.has(i))
      throw new Error(`file-state: unexpected record ${JSON.stringify(line)}`);
    if (kind === 'M' && (extra === '1' || extra === '0')) {
      byIndex.set(i, { kind: 'missing', parentDir: extra === '1' });
      continue;
    }
    const stat = stats.shift();
    const hash = kind === 'F' ? hashes.shift() : kind === 'U' ? extra : '-';
    if ((kind !== 'F' && kind !== 'U' && kind !== 'E') || stat === undefined || hash === undefined)
      throw new Error(`file-state: malformed or short output at ${JSON.stringify(line)}`);
    byIndex.set(i, parseRecord(`${i}:S:${stat}:${hash}`)[1]);
  }
  if (stats.length > 0 || hashes.length > 0)
    throw new Error('file-state: more stat or hash records than paths (a path changed during the check)');
  const result = new Map<string, PathState>();
  paths.forEach((p, i) => {
    const state = byIndex.get(i);
    if (state === undefined) throw new Error(`file-state: no record for ${JSON.stringify(p)}`);
    result.set(p, state);
  });
  return result;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

function parseRecord(line: string): [number, PathState] {
  const f = line.split(':');
  const bad = (): Error => new Error(`file-state: malformed record ${JSON.stringify(line)}`);
  const index = decimal(f[0]);
  if (index === undefined) throw bad();
  if (f[1] === 'M' && f.length === 3 && (f[2] === '1' || f[2] === '0'))
    return [index, { kind: 'missing', parentDir: f[2] === '1' }];
  if (f[1] !== 'S' || f.length !== 11) throw bad();
  const [, , rawHex, uidText, gidText, sizeText, mtimeText, ctimeText, user, group, hash] = f;
  const raw = rawHex !== undefined && /^[0-9a-f]+$/.test(rawHex) ? parseInt(rawHex, 16) : undefined;
  const uid = decimal(uidText);
  const gid = decimal(gidText);
  const size = decimal(sizeText);
  const mtime = seconds(mtimeText);
  const ctime = seconds(ctimeText);
  if (
    raw === undefined ||
    mtime === undefined ||
    ctime === undefined ||
    uid === undefined ||
    gid === undefined ||
    size === undefined ||
    user === undefined ||
    group === undefined
  )
    throw bad();
  const own: PathOwnership = { mode: raw & 0o7777, uid, gid, owner: nameOr(user, uid), group: nameOr(group, gid) };
  const type = typeOf(raw);
  if (type === 'file') {
    if (hash === undefined || !/^[0-9a-f]{64}$/.test(hash)) throw bad();
    return [index, { kind: 'file', sha256: hash, size, modifiedAt: Math.min(mtime, ctime), ...own }];
  }
  if (type === 'dir') return [index, { kind: 'dir', ...own }];
  return [index, { kind: 'other', type }];
}

const TYPES: Readonly<Record<number, 'file' | 'dir' | OtherType>> = {
  0o100000: 'file',
  0o040000: 'dir',
  0o120000: 'symlink',
  0o010000: 'fifo',
  0o140000: 'socket',
  0o020000: 'char-device',
  0o060000: 'block-device',
};

function typeOf(raw: number): 'file' | 'dir' | OtherType {
  return TYPES[raw & 0o170000] ?? 'unknown';
}

/** GNU stat prints `UNKNOWN` for an id with no name; report the number instead. */
function nameOr(name: string, id: number): string {
  return name === 'UNKNOWN' ? String(id) : name;
}

function decimal(text: string | undefined): number | undefined {
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
}

/** A time in whole seconds since the epoch, as `stat` prints it (negative before 1970). */
function seconds(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
}

/** Fact `file-state`: what is at each of `paths` (kind, mode, owner, digest). */
export function fileStateFact(paths: readonly string[]): Fact<Map<string, PathState>> {
  return textFact('file-state', fileStateCmd(paths), (out) => parseFileState(out, paths));
}
