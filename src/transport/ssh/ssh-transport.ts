// Transport over one SSH connection per host (through ProxyJump hops if configured), many channels on it.
import type { Client } from 'ssh2';
import type { Cmd } from '../../core/cmd/cmd.js';
import { toRemote } from '../../core/cmd/remote.js';
import { maskSecretsOf } from '../run.js';
import { sftpPut } from './sftp-put.js';
import { closeChain, dialChain, type DialOptions } from './ssh-connect.js';
import { planEndpoints, type SshTarget } from '../ssh-endpoint.js';
import { execOnChannel } from './ssh-exec.js';
import { openStream } from './ssh-stream.js';
import type { SshConfigContext, SshConfigLine } from '../ssh-config.js';
import {
  stdinBytes,
  type ExecOptions,
  type ExecResult,
  type FileToPut,
  type StreamHandle,
  type StreamOptions,
  type Transport,
  type TransportCounters,
} from '../transport.js';

/** Options of `SshTransport.connect`. */
export interface SshTransportOptions extends DialOptions, SshConfigContext {
  /** Parsed ssh_config (see `loadSshConfig`); empty for none. */
  readonly sshConfig: readonly SshConfigLine[];
  /** Channels open at once on the connection; OpenSSH's MaxSessions defaults to 10. Default 8. */
  readonly maxChannels?: number;
  /** See Transport.factsTimeoutMs. */
  readonly factsTimeoutMs?: number;
}

/**
 * A Transport on one ssh2 connection. Commands run as `/bin/sh -c '…'`; `become` adds `sudo -n` unless the user is
 * root.
 */
export class SshTransport implements Transport {
  private execs = 0;
  private sftps = 0;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  private constructor(
    readonly host: string,
    /** The login user on the target. */
    readonly user: string,
    private readonly clients: readonly Client[],
    private readonly maxChannels: number,
    readonly factsTimeoutMs: number | undefined,
  ) {}

  /** Resolves the target through ssh_config, dials it (and its jump hosts), verifies host keys, authenticates. */
  static async connect(target: SshTarget, opts: SshTransportOptions): Promise<SshTransport> {
    const endpoints = planEndpoints(target, opts.sshConfig, opts);
    const clients = await dialChain(endpoints, opts);
    const self = endpoints.at(-1);
    return new SshTransport(
      target.name,
      self?.user ?? opts.localUser,
      clients,
      opts.maxChannels ?? 8,
      opts.factsTimeoutMs,
    );
  }

  get counters(): TransportCounters {
    return { connections: this.clients.length, execChannels: this.execs, sftpChannels: this.sftps };
  }

  async exec(cmd: Cmd, opts: ExecOptions = {}): Promise<ExecResult> {
    const invocation = toRemote(cmd, { sudo: opts.become === true && this.user !== 'root' });
    const stdin = Buffer.concat([invocation.stdinPrefix, stdinBytes(opts.stdin)]);
    return this.withChannel(() => {
      this.execs++;
      return execOnChannel(this.target(), {
        host: this.host,
        invocation,
        stdin,
        timeoutMs: opts.timeoutMs,
        mask: (t) => maskSecretsOf(cmd, t),
      });
    });
  }

  /** A streamed command holds its channel slot until it ends. */
  async stream(cmd: Cmd, opts: StreamOptions): Promise<StreamHandle> {
    const { become, ...rest } = opts;
    const invocation = toRemote(cmd, { sudo: become === true && this.user !== 'root' });
    return new Promise<StreamHandle>((resolve, reject) => {
      void this.withChannel(async () => {
        this.execs++;
        try {
          const handle = await openStream(this.target(), { ...rest, host: this.host, invocation });
          resolve(handle);
          await handle.done.catch(() => undefined);
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
  }

  async putFiles(files: readonly FileToPut[]): Promise<void> {
    if (files.length === 0) return;
    await this.withChannel(() => {
      this.sftps++;
      return sftpPut(this.target(), this.host, files);
    });
  }

  /**
   * Ends the host's connection, and its jump hosts' when no other host uses them (see dialChain). Once: a second call
   * (a no-op host's early close, then its session's end) gets the same promise, and releases no shared hop twice.
   */
  close(): Promise<void> {
    this.closing ??= closeChain(this.clients);
    return this.closing;
  }

  private target(): Client {
    const c = this.clients.at(-1);
    if (c === undefined) throw new Error(`${this.host}: not connected`);
    return c;
  }

  /** Limits channels open at once: beyond the server's MaxSessions, opening one fails. */
  private async withChannel<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxChannels) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
