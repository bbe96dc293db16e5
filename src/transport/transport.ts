// The Transport interface: how the engine runs commands and puts files on one host, whatever the wire.
import type { Cmd } from '../core/cmd.js';

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
  exec(cmd: Cmd, opts?: ExecOptions): Promise<ExecResult>;
  /** Writes all files in one transfer; parent directories must exist. Not atomic: callers write a temp path and rename. */
  putFiles(files: readonly FileToPut[]): Promise<void>;
  readonly counters: TransportCounters;
  close(): Promise<void>;
}

/** The bytes of an `ExecOptions.stdin` (empty when unset). */
export function stdinBytes(stdin: string | Buffer | undefined): Buffer {
  if (stdin === undefined) return Buffer.alloc(0);
  return typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
}
