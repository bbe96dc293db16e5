// Runs one command on an exec channel with its output streamed as it comes, stdin piped and optionally a pty.
import type { Client, ClientChannel } from 'ssh2';
import type { RemoteInvocation } from '../../core/cmd/remote.js';
import { exitCode } from './ssh-exec.js';
import { channelLost } from './ssh-connect.js';
import type { StreamHandle, StreamOptions } from '../transport.js';

/** How long an aborted stream waits for sshd to confirm the channel's close. */
const ABORT_GRACE_MS = 2000;

/** One streamed exec: what to send, where output goes. */
export interface StreamRequest extends Omit<StreamOptions, 'become'> {
  readonly host: string;
  readonly invocation: RemoteInvocation;
}

/** Opens the channel (with a pty when asked) and resolves once the command runs; `done` settles at channel close. */
export function openStream(client: Client, req: StreamRequest): Promise<StreamHandle> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => reject(channelLost(client, req.host, req.invocation.display, err));
    if (req.pty !== undefined && req.invocation.stdinPrefix.length > 0) {
      reject(
        new Error(
          `${req.host}: a command with secrets cannot run on a pty (the terminal would echo them): ${req.invocation.display}`,
        ),
      );
      return;
    }
    const pty =
      req.pty === undefined
        ? {}
        : { pty: { rows: req.pty.rows, cols: req.pty.cols, width: 0, height: 0, term: req.pty.term } };
    try {
      client.exec(req.invocation.command, pty, (err, channel) => {
        if (err) return fail(err);
        resolve({ resize: (rows, cols) => channel.setWindow(rows, cols, 0, 0), done: follow(client, channel, req) });
      });
    } catch (err) {
      // ssh2 throws synchronously when the connection is already closed.
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function follow(client: Client, channel: ClientChannel, req: StreamRequest): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    let status: { code: number | null; signal: string | undefined } | undefined;
    let aborted = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      aborted = true;
      channel.close();
      // sshd confirms the close only once the command's output is closed: a command that ignores the hang-up (or has
      // no pty to be hung up by) must not keep rig waiting; closing the connection afterwards is the caller's.
      timer = setTimeout(() => resolve(undefined), ABORT_GRACE_MS);
    };
    const unpipe = pipeStdin(channel, req);
    channel.on('data', (d: Buffer) => req.onStdout(d));
    channel.stderr.on('data', (d: Buffer) => req.onStderr(d));
    channel.on('exit', (code: number | null, signal?: string) => {
      status = { code, signal };
    });
    channel.on('close', () => {
      clearTimeout(timer);
      unpipe();
      req.signal?.removeEventListener('abort', onAbort);
      if (status !== undefined) resolve(exitCode(status));
      else if (aborted) resolve(undefined);
      else reject(channelLost(client, req.host, req.invocation.display));
    });
    if (req.signal?.aborted) onAbort();
    else req.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Secrets first (openStream refuses them with a pty), then the caller's stdin with backpressure; returns the undo. */
function pipeStdin(channel: ClientChannel, req: StreamRequest): () => void {
  if (req.invocation.stdinPrefix.length > 0) channel.write(req.invocation.stdinPrefix);
  const input = req.stdin;
  if (input === undefined) {
    if (req.pty === undefined) channel.end();
    return () => undefined;
  }
  const onData = (d: Buffer | string): void => {
    if (channel.write(d)) return;
    input.pause();
    channel.once('drain', () => input.resume());
  };
  const onEnd = (): void => void channel.end();
  input.on('data', onData);
  input.once('end', onEnd);
  input.resume();
  return () => {
    input.removeListener('data', onData);
    input.removeListener('end', onEnd);
    input.pause();
  };
}
