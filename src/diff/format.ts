// Renders a FileChange as the lines of a human plan: one summary line, then the indented diff when there is one.
import { shortDigest } from './content.js';
import { envKeyDiffSummary, isEmptyEnvKeyChanges } from './env-keys.js';
import type { FileChange, FileChangeKind } from '../core/plan-data/file-change.js';

/** Options of `formatFileChange`. */
export interface FormatFileChangeOptions {
  /** Wrap lines in basic SGR colors (green added, red removed, cyan hunks, yellow updates). Off by default. */
  readonly color?: boolean;
}

const SIGIL: Readonly<Record<FileChangeKind, string>> = { create: '+', update: '~', unchanged: '=' };
const VERB: Readonly<Record<FileChangeKind, string>> = { create: 'new', update: 'changed', unchanged: 'unchanged' };
const HEAD_COLOR: Readonly<Record<FileChangeKind, string | undefined>> = {
  create: '32',
  update: '33',
  unchanged: undefined,
};
const DIFF_INDENT = '    ';

/**
 * Plan lines for one file, e.g.
 * `~ /srv/app/app.env (mode 0600) sensitive: changed (sha256 1a2b3c4d… → 5e6f7a8b…) keys +OPENAI_API_KEY`,
 * followed by the diff indented by four spaces. Shows only what the change holds, so it is as safe as the change.
 */
export function formatFileChange(change: FileChange, options: FormatFileChangeOptions = {}): string[] {
  const paint = options.color === true ? sgr : (_code: string | undefined, text: string): string => text;
  const head = paint(HEAD_COLOR[change.kind], headLine(change));
  const body = change.diff === undefined ? [] : diffLines(change.diff);
  return [head, ...body.map((line) => DIFF_INDENT + paint(diffLineColor(line), line))];
}

function headLine(change: FileChange): string {
  const mode = change.mode === undefined ? '' : ` (mode ${change.mode.toString(8).padStart(4, '0')})`;
  const tags = `${change.sensitive ? ' sensitive' : ''}${change.binary === true ? ' binary' : ''}`;
  return `${SIGIL[change.kind]} ${change.path}${mode}${tags}: ${VERB[change.kind]} (${facts(change)})${note(change)}`;
}

/** `sha256 a… → b…`, plus sizes for a binary file. */
function facts(change: FileChange): string {
  const after = shortDigest(change.sha256After);
  const digests =
    change.kind === 'update' && change.sha256Before !== undefined
      ? `sha256 ${shortDigest(change.sha256Before)} → ${after}`
      : `sha256 ${after}`;
  if (change.bytesAfter === undefined) return digests;
  const sizes =
    change.kind === 'update' && change.bytesBefore !== undefined
      ? `${change.bytesBefore} → ${change.bytesAfter} bytes`
      : `${change.bytesAfter} bytes`;
  return `${digests}, ${sizes}`;
}

/** What the summary adds when no diff follows: env keys, or why a text change shows no diff. */
function note(change: FileChange): string {
  if (change.diff !== undefined || change.kind === 'unchanged') return '';
  if (change.envKeys !== undefined && !isEmptyEnvKeyChanges(change.envKeys)) {
    return ` keys ${envKeyDiffSummary(change.envKeys)}`;
  }
  if (change.sensitive || change.binary === true) return '';
  return change.kind === 'create' ? ' empty' : ' only masked secret values differ';
}

function diffLines(diff: string): string[] {
  const lines = diff.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function diffLineColor(line: string): string | undefined {
  if (line.startsWith('+++') || line.startsWith('---')) return '1';
  if (line.startsWith('@@')) return '36';
  if (line.startsWith('+')) return '32';
  if (line.startsWith('-')) return '31';
  return undefined;
}

function sgr(code: string | undefined, text: string): string {
  return code === undefined ? text : `\u001b[${code}m${text}\u001b[0m`;
}
