// Several commands in ONE exec (round trips are a product metric): each part's output and exit code, in order.
import { randomBytes } from 'node:crypto';
import { assertCommandFits } from './limit.js';
import { secretsOf } from './render.js';
import { inlineText } from './inline.js';
import { sh, type Cmd, type ExecNode } from './cmd.js';

/** One part's outcome. */
export interface PartResult {
  readonly code: number;
  readonly stdout: Buffer;
}

/*
 * Args: the delimiter, "1" when the first part gates the rest (the deploy lock), then one part's text per part
 * (inline.ts: an sh() script runs in place, without a /bin/sh process of its own).
 * Each part runs in its own subshell, the batch's variables unset (so an `exit` in one ends only that part, and no
 * part sees another's variables or functions), inherits stdin (only the first part that reads it consumes only its
 * own share: `read` one line, then `cat` the rest), and is followed by `\n<delimiter> <index> <exit code>\n`. A
 * gating first part that fails ends the batch. The delimiter is random per batch, so no part's output can forge it.
 * A part is rendered text whose every word is quoted (no secrets ride a batch), so `eval` expands nothing; a lone
 * program is `exec`'d by its subshell: one fork and one exec per part, where `/bin/sh -c "$c"` cost a shell's exec
 * more.
 */
const SCRIPT = `d=$1 gate=$2; shift 2; i=0
for c do
  ( eval "unset d gate i c; $c" ); rc=$?
  printf '\\n%s %s %s\\n' "$d" "$i" "$rc"
  [ "$i" = 0 ] && [ "$gate" = 1 ] && [ "$rc" != 0 ] && exit "$rc"
  i=$((i+1))
done
exit 0`;

/** A batch and how to split its output. */
export interface CmdBatch {
  readonly cmd: ExecNode;
  /** Splits the exec's stdout into one result per part (fewer when a gating first part failed). */
  readonly split: (stdout: Buffer) => PartResult[];
}

/** Builds the batch of `parts`; with `gate`, the remaining parts run only when the first exits 0. */
export function cmdBatch(parts: readonly Cmd[], opts: { gate?: boolean } = {}): CmdBatch {
  for (const p of parts)
    if (secretsOf(p).length > 0)
      throw new Error('cmd-batch: a batched command cannot carry secrets (they would ride argv)');
  const delimiter = `__rig_part_${randomBytes(8).toString('hex')}`;
  const cmd = sh(SCRIPT, delimiter, opts.gate === true ? '1' : '0', ...parts.map(inlineText));
  assertCommandFits(cmd, `a batch of ${parts.length} commands`);
  return { cmd, split: (stdout) => splitParts(stdout, delimiter, parts.length) };
}

function splitParts(stdout: Buffer, delimiter: string, count: number): PartResult[] {
  const out: PartResult[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const marker = Buffer.from(`\n${delimiter} ${i} `);
    const m = stdout.indexOf(marker, at);
    if (m < 0) break;
    const eol = stdout.indexOf(0x0a, m + marker.length);
    const code = Number(stdout.subarray(m + marker.length, eol < 0 ? undefined : eol).toString('ascii'));
    if (!Number.isInteger(code)) throw new Error(`cmd-batch: bad exit code after part ${i}`);
    out.push({ code, stdout: stdout.subarray(at, m) });
    at = eol < 0 ? stdout.length : eol + 1;
  }
  return out;
}
