// Runs one rendered command on one exec channel of an open ssh2 connection and collects its output.
import { constants } from 'node:os';
import type { Client, ClientChannel } from 'ssh2';
import { RemoteCommandError } from '../../core/errors/remote-errors.js';
import type { RemoteInvocation } from '../../core/cmd/remote.js';
import type { ExecResult } from '../transport.js';
import { channelLost } from './ssh-connect.js';

/** One exec request: what to send and how long to wait; `mask` masks the command's secrets in stderr. */
export interface ChannelRequest {
  readonly host: string;
  readonly invocation: RemoteInvocation;
  readonly stdin: Buffer;
  readonly timeoutMs: number | undefined;
  readonly mask: (text: string) => string;
}

/** Opens a channel, writes stdin then EOF, resolves at channel close with the exit status and output. */
export function execOnChannel(client: Client, req: ChannelRequest): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => reject(channelLost(client, req.host, req.invocation.display, err));
    try {
      client.exec(req.invocation.command, (err, channel) => {
        if (err) return fail(err);
        collect(client, channel, req).then(resolve, reject);
        channel.end(req.stdin);
      });
    } catch (err) {
      // ssh2 throws synchronously when the connection is already closed.
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function collect(client: Client, channel: ClientChannel, req: ChannelRequest): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status: { code: number | null; signal: string | undefined } | undefined;
    let timedOut = false;
    // On timeout the promise rejects at once: sshd closes the channel only when every process holding
    // its pipes has exited, and a KILL signal reaches only the session's first process.
    const timer =
      req.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            channel.signal('KILL');
            channel.close();
            reject(
              new RemoteCommandError(
                req.host,
                req.invocation.display,
                'timeout',
                null,
                req.mask(Buffer.concat(err).toString('utf8')),
                Buffer.concat(out),
              ),
            );
          }, req.timeoutMs);
    channel.on('data', (d: Buffer) => out.push(d));
    channel.stderr.on('data', (d: Buffer) => err.push(d));
    channel.on('exit', (code: number | null, signal?: string) => {
      status = { code, signal };
    });
    channel.on('close', () => {
      clearTimeout(timer);
      if (timedOut) return;
      const stderr = req.mask(Buffer.concat(err).toString('utf8'));
      if (status === undefined) return reject(channelLost(client, req.host, req.invocation.display));
      const stdoutBytes = Buffer.concat(out);
      resolve({ code: exitCode(status), stdout: stdoutBytes.toString('utf8'), stderr, stdoutBytes });
    });
  });
}

/** ssh2 reports `exit-signal` as a name (`SIGKILL`); report it as 128 + number, as a shell would. */
export function exitCode(s: { code: number | null; signal: string | undefined }): number {
  if (s.code !== null && s.code !== undefined) return s.code;
  const name = s.signal === undefined ? undefined : `SIG${s.signal.replace(/^SIG/, '')}`;
  const n = name === undefined ? undefined : (constants.signals as Record<string, number | undefined>)[name];
  return 128 + (n ?? 0);
}
