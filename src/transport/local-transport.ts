// Transport for the workstation itself: the same rendered `/bin/sh -c` command, run by execa.
import { spawn } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { constants } from 'node:os';
import { execa } from 'execa';
import type { Cmd } from '../core/cmd/cmd.js';
import { toRemote } from '../core/cmd/remote.js';
import { RemoteCommandError } from '../core/errors/remote-errors.js';
import { maskSecretsOf } from './run.js';
import {
  stdinBytes,
  type ExecOptions,
  type ExecResult,
  type FileToPut,
  type StreamHandle,
  type StreamOptions,
  type Transport,
  type TransportCounters,
} from './transport.js';

/** Runs on this machine. Same rendering as ssh (`/bin/sh -c '…'`, secrets over stdin), so behaviour matches. */
export class LocalTransport implements Transport {
  private execs = 0;
  private puts = 0;
  private readonly isRoot = process.getuid?.() === 0;

  constructor(readonly host: string = 'localhost') {}

  get counters(): TransportCounters {
    return { connections: 0, execChannels: this.execs, sftpChannels: this.puts };
  }

  async exec(cmd: Cmd, opts: ExecOptions = {}): Promise<ExecResult> {
    const inv = toRemote(cmd, { sudo: opts.become === true && !this.isRoot });
    const input = Buffer.concat([inv.stdinPrefix, stdinBytes(opts.stdin)]);
    this.execs++;
    // Own process group, so a timeout kills the whole tree: a surviving grandchild would hold the pipes open.
    const child = execa('/bin/sh', ['-c', inv.command], {
      input,
      encoding: 'buffer',
      stripFinalNewline: false,
      reject: false,
      detached: true,
    });
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid !== undefined) killGroup(child.pid);
          }, opts.timeoutMs);
    const r = await child.finally(() => clearTimeout(timer));
    const stdoutBytes = Buffer.from(r.stdout);
    const stderr = Buffer.from(r.stderr).toString('utf8');
    if (timedOut)
      throw new RemoteCommandError(this.host, inv.display, 'timeout', null, maskSecretsOf(cmd, stderr), stdoutBytes);
    const code = r.exitCode ?? 128 + (r.signal === undefined ? 0 : signalNumber(r.signal));
    return { code, stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes };
  }

  /** No pty here (that needs a terminal library rig does not carry): pty requests are refused. */
  stream(cmd: Cmd, opts: StreamOptions): Promise<StreamHandle> {
    if (opts.pty !== undefined)
      return Promise.reject(new Error(`${this.host}: the local transport cannot allocate a terminal`));
    const inv = toRemote(cmd, { sudo: opts.become === true && !this.isRoot });
    this.execs++;
    const child = spawn('/bin/sh', ['-c', inv.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (d: Buffer) => opts.onStdout(d));
    child.stderr.on('data', (d: Buffer) => opts.onStderr(d));
    child.stdin.on('error', () => undefined); // EPIPE when the command exits before reading everything
    child.stdin.write(inv.stdinPrefix);
    if (opts.stdin === undefined) child.stdin.end();
    else opts.stdin.pipe(child.stdin);
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      if (child.pid !== undefined) killGroup(child.pid);
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const done = new Promise<number | undefined>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (opts.stdin !== undefined) opts.stdin.unpipe(child.stdin);
        resolve(aborted && code === null ? undefined : (code ?? 128 + (signal === null ? 0 : signalNumber(signal))));
      });
    });
    return Promise.resolve({ resize: () => undefined, done });
  }

  async putFiles(files: readonly FileToPut[]): Promise<void> {
    this.puts++;
    await Promise.all(
      files.map(async (f) => {
        await writeFile(f.path, f.content, { mode: f.mode });
        await chmod(f.path, f.mode);
      }),
    );
  }

  async close(): Promise<void> {}
}

function signalNumber(signal: string): number {
  return (constants.signals as Record<string, number | undefined>)[signal] ?? 0;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group already exited between the deadline and the kill.
  }
}
