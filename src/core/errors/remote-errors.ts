// Errors of the transport layer: each names the host, and remote failures carry the displayed command.

/** How many bytes of stderr an error keeps: the end is where tools print the reason. */
const STDERR_TAIL_CHARS = 2000;

export type RemoteFailureKind = 'exit' | 'timeout' | 'become';

/** A command ran on a host and failed (non-zero exit, timeout, or sudo could not be used). */
export class RemoteCommandError extends Error {
  override readonly name = 'RemoteCommandError';
  readonly stderrTail: string;

  constructor(
    readonly host: string,
    /** The command as shown to people: secrets masked. */
    readonly command: string,
    readonly kind: RemoteFailureKind,
    /** Exit status, or null when it timed out. */
    readonly code: number | null,
    stderr: string,
    /** What a command that timed out had written to stdout by then. */
    readonly stdoutSoFar?: Buffer,
  ) {
    const tail = stderr.length > STDERR_TAIL_CHARS ? `…${stderr.slice(-STDERR_TAIL_CHARS)}` : stderr;
    super(`${host}: ${describe(kind, code)}: ${command}${tail.trim() === '' ? '' : `\n${indent(tail.trimEnd())}`}`);
    this.stderrTail = tail;
  }
}

function describe(kind: RemoteFailureKind, code: number | null): string {
  switch (kind) {
    case 'exit':
      return `command failed with exit code ${code ?? '?'}`;
    case 'timeout':
      return 'command timed out';
    case 'become':
      return 'cannot become root: `sudo -n` failed (not installed, or it needs a password; configure NOPASSWD or connect as root)';
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}

/** A promise's rejection `err` as undefined when it is a command past its deadline (ExecOptions.timeoutMs). */
export function undefinedOnTimeout(err: unknown): undefined {
  if (err instanceof RemoteCommandError && err.kind === 'timeout') return undefined;
  throw err;
}

/** The host could not be reached or would not let us in (DNS, refused, timeout, auth). */
export class HostUnreachableError extends Error {
  override readonly name = 'HostUnreachableError';
  constructor(
    readonly host: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: unreachable: ${reason}`, options);
  }
}

/** The host's key is not known, or differs from the known one. Never retried, never ignored. */
export class HostKeyError extends Error {
  override readonly name = 'HostKeyError';
  constructor(
    readonly host: string,
    readonly kind: 'unknown' | 'changed',
    message: string,
  ) {
    super(message);
  }
}

/** Writing a file over SFTP failed (missing parent directory, permissions, disk full). */
export class RemoteFileError extends Error {
  override readonly name = 'RemoteFileError';
  constructor(
    readonly host: string,
    readonly path: string,
    reason: string,
  ) {
    super(`${host}: cannot write ${path}: ${reason}`);
  }
}
