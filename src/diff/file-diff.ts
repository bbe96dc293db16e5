// Describes, as plain plan data, how a file on a host will change: a diff for ordinary text, digests for the rest.
import { MASK, type Redactor } from '../core/redact/redactor.js';
import { type FileContent, type InspectedContent, inspectContent } from './content.js';
import { envKeyChanges, isEmptyEnvKeyChanges } from './env-keys.js';
import type { EnvKeyChanges, FileChange, FileChangeKind } from '../core/plan-data/file-change.js';
import { unifiedDiff } from './unified.js';
import { looksSensitive } from './credentials.js';

export type { EnvKeyChanges, FileChange, FileChangeKind } from '../core/plan-data/file-change.js';
export type { FileContent } from './content.js';
export { envKeyDiffSummary, isEnvFilePath } from './env-keys.js';
export { formatFileChange, type FormatFileChangeOptions } from './format.js';
export { DIFF_LINE_LIMIT } from './unified.js';

/** What `describeFileChange` compares. */
export interface FileChangeInput {
  readonly path: string;
  /** The host's current content (bytes as read, or text); undefined when the file is absent. */
  readonly before: FileContent | undefined;
  /** The content rig will write. */
  readonly after: FileContent;
  /**
   * Rendered with a secret: no content line of either side is described, only digests and env key names. Either
   * side that holds a known secret or looks like a credential (looksSensitive) makes the change sensitive too.
   */
  readonly sensitive: boolean;
  /** Compare as an env file and report changed key names (see `isEnvFilePath`, or the role's say-so). */
  readonly envFile: boolean;
  /** Masks every known secret in the diff of a non-sensitive file, which should hold none (defence in depth). */
  readonly redactor: Redactor;
  /** Permissions rig will set, carried into the change for display. */
  readonly mode?: number;
  /** Diff lines kept before `… N more lines`; defaults to DIFF_LINE_LIMIT. */
  readonly maxDiffLines?: number;
}

/**
 * Compares a host's file with what rig renders for it. Pure: the result is JSON-serializable and holds no content
 * of a sensitive file — neither side's — only SHA-256 digests and, when `envFile`, the names of changed keys. A
 * diff is shown only when both sides are non-sensitive: the host's side may hold a secret rig does not know.
 * Binary content (NUL byte or invalid UTF-8) gets digests and sizes; other text gets a redacted, capped diff.
 */
export function describeFileChange(given: FileChangeInput): FileChange {
  const after = inspectContent(given.after);
  const before = given.before === undefined ? undefined : inspectContent(given.before);
  const looks = (c: InspectedContent | undefined): boolean =>
    c?.text !== undefined && looksSensitive(c.text, given.redactor);
  const input = { ...given, sensitive: given.sensitive || looks(before) || looks(after) };
  const kind: FileChangeKind =
    before === undefined ? 'create' : before.sha256 === after.sha256 ? 'unchanged' : 'update';
  const head = {
    kind,
    path: input.path,
    ...(input.mode === undefined ? {} : { mode: input.mode }),
    sensitive: input.sensitive,
    ...(before === undefined ? {} : { sha256Before: before.sha256 }),
    sha256After: after.sha256,
  };
  if (after.text === undefined || (before !== undefined && before.text === undefined)) {
    return { ...head, binary: true, ...binarySizes(input.sensitive, before, after) };
  }
  if (kind === 'unchanged') return head;
  return { ...head, ...textDetails(input, before?.text, after.text) };
}

/** Sizes of a binary file; a sensitive file's size is withheld (it can tell a secret's length). */
function binarySizes(
  sensitive: boolean,
  before: InspectedContent | undefined,
  after: InspectedContent,
): Pick<FileChange, 'bytesBefore' | 'bytesAfter'> {
  if (sensitive) return {};
  return { ...(before === undefined ? {} : { bytesBefore: before.bytes }), bytesAfter: after.bytes };
}

/** The diff (non-sensitive only) and env key changes of a changed text file. */
function textDetails(
  input: FileChangeInput,
  before: string | undefined,
  after: string,
): Pick<FileChange, 'diff' | 'envKeys'> {
  const { path, redactor } = input;
  const diff = input.sensitive
    ? undefined
    : unifiedDiff({ path, before, after, redactor, ...maxLines(input.maxDiffLines) });
  const keys = input.envFile ? redactKeys(envKeyChanges(before, after), redactor) : undefined;
  return {
    ...(diff === undefined ? {} : { diff }),
    ...(keys === undefined || isEmptyEnvKeyChanges(keys) ? {} : { envKeys: keys }),
  };
}

function maxLines(max: number | undefined): { maxLines?: number } {
  return max === undefined ? {} : { maxLines: max };
}

/**
 * Key names are not secrets, but a name that is a known secret, or a piece of one, is masked all the same: a secret on
 * a line of its own in a garbled env file parses as a key (`dGhpc2lz…==` as `dGhpc2lz…` with the value `=`).
 */
function redactKeys(keys: EnvKeyChanges, redactor: Redactor): EnvKeyChanges {
  const mask = (names: readonly string[]): string[] => names.map((n) => (redactor.partOf(n) ? MASK : n));
  return { added: mask(keys.added), removed: mask(keys.removed), changed: mask(keys.changed) };
}
