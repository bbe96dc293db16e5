// The failure of one path in a file apply: a RemoteCommandError that also names the path, the step and what got done.
import { RemoteCommandError } from '../core/errors/remote-errors.js';

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
    /** What failed: mkdir, chmod, chown, temp, write, sync, rename, setpriv, or unsafe (its directory is refused). */
    readonly what: string,
    /** Paths fully applied before the failure. */
    readonly done: readonly string[],
    /** Paths left as they were. */
    readonly notDone: readonly string[],
    /** Why an `unsafe` directory was refused, or `as uid U` when rig acted as the owner of the path's directory. */
    readonly reason?: string,
  ) {
    super(host, command, 'exit', code, stderr);
    const summary = `${done.length} path(s) applied before it, ${notDone.length} left unchanged`;
    const actedAs = reason?.startsWith('as uid ') === true ? ` ${reason}, the owner of its directory` : '';
    const failure =
      what === 'unsafe'
        ? `refused: ${reason ?? 'its directory is not safe'}`
        : what === 'setpriv'
          ? 'setpriv (util-linux) is missing on the host'
          : `${what} failed${actedAs}`;
    this.message = `${host}: cannot apply ${path}: ${failure} (${summary})\n${this.message}`;
  }
}

/** A file's new content failed its check (e.g. `caddy validate`): nothing of the apply was committed. */
export class FileCheckError extends RemoteCommandError {
  constructor(
    host: string,
    readonly path: string,
    command: string,
    code: number,
    output: string,
  ) {
    // the output goes into the message only (not also as the stderr tail, which summaries print after the message)
    super(host, command, 'exit', code, '');
    this.message = `${host}: the new ${path} failed its check, nothing was changed: ${command} exited ${code}${output.trim() ? `:\n${output.trim().split('\n').slice(-10).join('\n')}` : ''}`;
  }
}
