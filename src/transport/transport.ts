// The Transport interface: how the engine runs commands and puts files on one host, whatever the wire.
import type { Cmd } from '../core/cmd/cmd.js';

/** Options of one command execution. */
export interface ExecOptions {
  /** Bytes written to the command's stdin, then EOF. Never shown anywhere. */
  readonly stdin?: string | Buffer;
  /** Kill the command (and fail with a timeout error) after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Run as root: wrapped in `sudo -n -H --` unless the transport's user already is root. */
  readonly become?: boolean;
}

/** The outcome of a command that ran to completion, whatever its exit status. */
export interface ExecResult {
  /** Exit status; a command killed by a signal reports 128 + signal number, as sh does. */
  readonly code: number;
  /** stdout decoded as UTF-8 (facts parse text). */
  readonly stdout: string;
  readonly stderr: string;
  /** stdout bytes exactly as received, for binary content. */
  readonly stdoutBytes: Buffer;
}

/** One file to write: `content` byte for byte at `path`, then chmod `mode` (e.g. 0o644). */
export interface FileToPut {
  readonly path: string;
  readonly content: Buffer;
  readonly mode: number;
}

/** A terminal for the remote side of a streamed command, as `ssh -t` requests one. */
export interface PtyRequest {
  readonly rows: number;
  readonly cols: number;
  /** `$TERM` on the host. */
  readonly term: string;
}

/** Options of a streamed command: output as it comes, stdin as it is typed, a terminal when asked. */
export interface StreamOptions {
  /** Run as root, as for `exec`. */
  readonly become?: boolean;
  /**
   * A pty on the host: stdout and stderr arrive merged on stdout, and closing the channel hangs the terminal up, so
   * the command gets SIGHUP (a `docker logs -f` on a silent container dies with the channel). No secret may ride
   * stdin then: the terminal would echo it.
   */
  readonly pty?: PtyRequest;
  /** Copied to the command's stdin as it comes; its end sends EOF. Without it: EOF at once (no pty), none (pty). */
  readonly stdin?: NodeJS.ReadableStream;
  readonly onStdout: (chunk: Buffer) => void;
  readonly onStderr: (chunk: Buffer) => void;
  /**
   * Aborting closes the channel (with a pty the command is hung up); `done` then resolves undefined if no exit came.
   */
  readonly signal?: AbortSignal;
}

/** A streamed command while it runs. */
export interface StreamHandle {
  /** Tells the pty its new size (window-change). */
  resize(rows: number, cols: number): void;
  /** The exit status (128 + n for a signal), or undefined when an abort closed the channel before one came. */
  readonly done: Promise<number | undefined>;
}

/** Round trips spent so far: every channel is a round trip on the wire, so tests assert on these. */
export interface TransportCounters {
  /** Connections opened (for ssh: the host's plus one per ProxyJump hop). */
  readonly connections: number;
  /** Exec channels (one per `exec`). */
  readonly execChannels: number;
  /** SFTP sessions (one per `putFiles`). */
  readonly sftpChannels: number;
}

/**
 * Runs commands and puts files on one host. `exec` resolves for any exit status (see `run` for the
 * throwing variant) and rejects only when the command could not run or timed out.
 */
export interface Transport {
  /** The host name used in messages (the inventory name). */
  readonly host: string;
  /** The login user on the target, when known (`become` wraps commands in sudo unless it is root). */
  readonly user?: string;
  /**
   * The deadline of a facts exec (plan, deploy, drift, status read the host in one), ms: a command hanging there (a
   * hung dockerd's `docker ps`) fails the host instead of holding the run; undefined: none (RIG_FACTS_TIMEOUT).
   */
  readonly factsTimeoutMs?: number | undefined;
  exec(cmd: Cmd, opts?: ExecOptions): Promise<ExecResult>;
  /** Starts `cmd` with its output delivered as it comes (logs -f, exec, ssh); resolves once it runs. */
  stream(cmd: Cmd, opts: StreamOptions): Promise<StreamHandle>;
  /**
   * Writes all files in one transfer; parent directories must exist. Not atomic: callers write a temp path and rename.
   */
  putFiles(files: readonly FileToPut[]): Promise<void>;
  readonly counters: TransportCounters;
  close(): Promise<void>;
}

/** The bytes of an `ExecOptions.stdin` (empty when unset). */
export function stdinBytes(stdin: string | Buffer | undefined): Buffer {
  if (stdin === undefined) return Buffer.alloc(0);
  return typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
}
