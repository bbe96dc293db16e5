// The failure of one path in a file apply: a RemoteCommandError that also names the path, the step and what got done.
import { RemoteCommandError } from '../transport/errors.js';

/**
 * A step of the apply script failed on `path`. Steps before it are done (`done`), the ones after it
 * were skipped and their temp files removed (`notDone`). `command`, `code` and `stderrTail` are those of
 * the script's exec, as in any RemoteCommandError.
 */
export class ApplyFilesError extends RemoteCommandError {
  constructor(
    host: string,
    command: string,
    code: number,
    stderr: string,
    /** The path whose step failed. */
    readonly path: string,
    /** What failed: mkdir, chmod, chown, sync or rename. */
    readonly what: string,
    /** Paths fully applied before the failure. */
    readonly done: readonly string[],
    /** Paths left as they were. */
    readonly notDone: readonly string[],
  ) {
    super(host, command, 'exit', code, stderr);
    const summary = `${done.length} path(s) applied before it, ${notDone.length} left unchanged`;
    this.message = `${host}: cannot apply ${path}: ${what} failed (${summary})\n${this.message}`;
  }
}

/** A file's new content failed its check (e.g. `caddy validate`): nothing of the apply was committed. */
export class FileCheckError extends RemoteCommandError {
  constructor(host: string, readonly path: string, command: string, code: number, output: string) {
    // the output goes into the message only (not also as the stderr tail, which summaries print after the message)
    super(host, command, 'exit', code, '');
    this.message = `${host}: the new ${path} failed its check, nothing was changed: ${command} exited ${code}${output.trim() ? `:\n${output.trim().split('\n').slice(-10).join('\n')}` : ''}`;
  }
}
