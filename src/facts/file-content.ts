// Fact `file-content`: the bytes of several files in one exec (for plan diffs), and the pure parser of its output.
import { sh, type ExecNode } from '../core/cmd.js';
import { assertCommandFits } from '../core/command-limit.js';

/*
 * Per path, in argument order: a header line `<size>` (or `-` when unreadable) then exactly <size> raw bytes.
 * The size is taken before the copy and `head -c` copies at most that, so a file growing meanwhile cannot shift
 * the stream; one shrinking is padded by the parser's length check failing (then the fact errors out).
 */
const SCRIPT = `for p do
  if [ -f "$p" ] && [ -r "$p" ]; then
    n=$(wc -c < "$p") && printf '%s\\n' "$n" && head -c "$n" -- "$p"
  else printf -- '-\\n'; fi
done`;

/** The command printing the content of `paths` (absolute) in one exec. */
export function fileContentCmd(paths: readonly string[]): ExecNode {
  const cmd = sh(SCRIPT, ...paths);
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
    if (!Number.isInteger(size) || size < 0 || at + size > stdout.length) throw new Error(`file-content: bad size ${JSON.stringify(header)} for ${JSON.stringify(p)}`);
    out.set(p, stdout.subarray(at, at + size));
    at += size;
  }
  return out;
}
