// Fact `file-content`: the bytes of several files in one exec (for plan diffs), and the pure parser of its output.
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';
import { GUARD_SH } from './path-guard.js';
import type { Fact } from '../fact.js';

/*
 * Per path, in argument order: a header line `<size>` (or `-` when unreadable, not a regular file, or in a directory
 * path-guard refuses) then exactly <size> raw bytes. Each file is read as the identity path-guard chose for its
 * directory (root, or the uid that controls it), and opened once: the size is the open file's (`stat -L
 * /dev/stdin`), and `head -c` copies at most that from the same descriptor, so a file swapped or growing meanwhile
 * cannot shift the stream; one shrinking makes the parser's length check fail (then the fact errors out). A read as
 * another uid is bounded by `timeout` (a FIFO swapped in would block it).
 */
const READ = `[ -f "$1" ] && [ ! -L "$1" ] && [ -r "$1" ] || { echo -; exit 0; }
{ n=$(stat -L -c %s /dev/stdin) || { echo -; exit 0; }; printf '%s\\n' "$n"; head -c "$n"; exit 0; } < "$1" 2>/dev/null
echo -`;

const SCRIPT = `${GUARD_SH}
read=$1; shift; last=
for p do
  d=\${p%/*}; d=\${d:-/}
  [ "$d" = "$last" ] || { rig_guard "$d"; last=$d; }
  case $rig_id in
    '') sh -c "$read" sh "$p" </dev/null ;;
    '!'*) echo - ;;
    *) rig_as timeout 300 sh -c "$read" sh "$p" </dev/null || : ;;
  esac
done`;

/** The command printing the content of `paths` (absolute) in one exec. */
export function fileContentCmd(paths: readonly string[]): ExecNode {
  const cmd = sh(SCRIPT, READ, ...paths);
  assertCommandFits(cmd, `file-content of ${paths.length} paths`);
  return cmd;
}

/** Parses `fileContentCmd(paths)` output: path → bytes (unreadable files are absent). Throws on a short stream. */
export function parseFileContent(stdout: Buffer, paths: readonly string[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let at = 0;
  for (const p of paths) {
    const nl = stdout.indexOf(0x0a, at);
    if (nl < 0) throw new Error(`file-content: no header for ${JSON.stringify(p)}`);
    const header = stdout.subarray(at, nl).toString('ascii').trim();
    at = nl + 1;
    if (header === '-') continue;
    const size = Number(header);
    if (!Number.isInteger(size) || size < 0 || at + size > stdout.length)
      throw new Error(`file-content: bad size ${JSON.stringify(header)} for ${JSON.stringify(p)}`);
    out.set(p, stdout.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Fact `file-content`: the bytes of each readable file of `paths`. */
export function fileContentFact(paths: readonly string[]): Fact<Map<string, Buffer>> {
  return { name: 'file-content', command: fileContentCmd(paths), parse: (out) => parseFileContent(out, paths) };
}
