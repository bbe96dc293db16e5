// The plain, JSON-serializable description of one file's change in a plan: digests always, content only when safe.

/** Env keys that differ between the host's file and the one rig writes: names only, never values. */
export interface EnvKeyChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** `create`: the file is absent on the host; `update`: its bytes differ; `unchanged`: same bytes. */
export type FileChangeKind = 'create' | 'update' | 'unchanged';

/**
 * How a file on a host compares with the content rig renders for it. Plain data (no classes, no functions), so a
 * plan holding it round-trips through JSON. It never holds a content line of a sensitive file: only digests and,
 * for env files, key names.
 */
export interface FileChange {
  readonly kind: FileChangeKind;
  readonly path: string;
  /** Permissions rig will set, shown in the plan; absent when the op leaves them alone. */
  readonly mode?: number;
  /** Rendered with a secret: neither side's content is described, only digests (and env key names). */
  readonly sensitive: boolean;
  /** Full hex SHA-256 of the host's bytes; absent for `create`. */
  readonly sha256Before?: string;
  /** Full hex SHA-256 of the bytes rig writes (text is hashed as UTF-8). */
  readonly sha256After: string;
  /**
   * Unified diff (3 lines of context, redacted, capped), only for a changed non-sensitive text file. Absent for
   * an update whose only differences were masked secret values, or for an empty new file.
   */
  readonly diff?: string;
  /** For env files that changed: which keys were added, removed or given another value. */
  readonly envKeys?: EnvKeyChanges;
  /** Either side is not UTF-8 text (or holds a NUL byte): no diff, sizes instead. */
  readonly binary?: true;
  /** Byte sizes of a binary non-sensitive file (a sensitive file's size is not shown). */
  readonly bytesBefore?: number;
  readonly bytesAfter?: number;
}
