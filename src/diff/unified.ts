// The unified diff of a non-sensitive text file, secrets masked and length capped, as a plan shows it.
import { createRequire } from 'node:module';
import type * as JsDiffModule from 'diff';
import type { Redactor } from '../core/redact/redactor.js';

/** Diff lines kept in a plan before the rest is summarized as `… N more lines`. */
export const DIFF_LINE_LIMIT = 400;

// jsdiff loads on the first diff only (~40 ms): a no-op plan never needs it, and startup is part of every run.
type JsDiff = typeof JsDiffModule;
let jsdiff: JsDiff | undefined;
const loadDiff = (): JsDiff => (jsdiff ??= createRequire(import.meta.url)('diff') as JsDiff);

/** Inputs of `unifiedDiff`; `before` undefined means the file is absent on the host. */
export interface UnifiedDiffInput {
  readonly path: string;
  readonly before: string | undefined;
  readonly after: string;
  readonly redactor: Redactor;
  readonly maxLines?: number;
}

/**
 * Unified diff with 3 lines of context and headers `--- path (remote)` / `+++ path (rig)` (`--- /dev/null` for a
 * new file), ending with a newline. Each side is redacted before diffing, so a secret spanning lines is masked
 * whole, and the result is redacted again. Undefined when the redacted sides are equal (only masked values differ).
 */
export function unifiedDiff(input: UnifiedDiffInput): string | undefined {
  const { path, before, after, redactor } = input;
  const oldName = before === undefined ? '/dev/null' : `${path} (remote)`;
  const oldText = redactor.redact(before ?? '');
  const newText = redactor.redact(after);
  const patch =
    oldText === ''
      ? additionPatch(oldName, `${path} (rig)`, newText)
      : jsdiffPatch(oldName, `${path} (rig)`, oldText, newText);
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length <= 2) return undefined; // headers only: no hunk survived redaction
  return redactor.redact(`${capLines(lines, input.maxLines ?? DIFF_LINE_LIMIT).join('\n')}\n`);
}

function jsdiffPatch(oldName: string, newName: string, oldText: string, newText: string): string {
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = loadDiff();
  return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}

/**
 * The patch jsdiff writes when the old side is empty (a new file: every file of a first deploy), written directly: one
 * hunk adding every line, `\ No newline at end of file` after a last line without one. On a first deploy no file has an
 * old side, and jsdiff's diff of '' against each text allocated ~20 KB per 170-byte file, loading jsdiff 8-15 ms of
 * the 8-host bench (cpuprofile). unified.test.ts holds this patch byte-equal to jsdiff's on any text.
 */
export function additionPatch(oldName: string, newName: string, text: string): string {
  const head = `--- ${oldName}\n+++ ${newName}\n`;
  if (text === '') return head;
  const lines = text.split('\n');
  const noNewlineAtEnd = lines.at(-1) !== '';
  if (!noNewlineAtEnd) lines.pop();
  const tail = noNewlineAtEnd ? '\\ No newline at end of file\n' : '';
  return `${head}@@ -0,0 +1,${lines.length} @@\n+${lines.join('\n+')}\n${tail}`;
}

/** The first `max` lines, then `… N more lines` when there were more. */
function capLines(lines: readonly string[], max: number): readonly string[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), `… ${lines.length - max} more lines`];
}
