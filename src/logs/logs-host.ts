// One host's part of `rig logs`: its connection, the container's log streamed line by line, and how it ended.
import type { Connection } from '../config/inventory/connection.js';
import { describeError } from '../core/errors/describe-error.js';
import type { Transport } from '../transport/transport.js';
import { LineSplitter, parseLogLine, type LogLine } from './log-line.js';
import { logsCmd, NO_CONTAINER_EXIT, NO_CONTAINER_MARKER, type LogsQuery } from './logs-cmd.js';

/** How a host's log ended: read to the end (or the container stopped), absent, failed, or stopped by an interrupt. */
export type HostLogOutcome =
  | { readonly host: string; readonly status: 'done' | 'absent' | 'interrupted' }
  | { readonly host: string; readonly status: 'failed'; readonly error: string };

export interface HostLogInput {
  readonly host: string;
  readonly connection: Connection;
  readonly query: LogsQuery;
  readonly connect: (name: string, c: Connection) => Promise<Transport>;
  readonly signal: AbortSignal | undefined;
  /** Every line, stamped (log) or not (docker's own messages). */
  readonly onLine: (line: LogLine) => void;
  /** The stream runs (or the host is out of the game): the merger waits for every host's backlog before printing. */
  readonly onStarted: () => void;
}

// `-f` runs on a pty so that closing the channel hangs `docker logs -f` up (SIGHUP), even on a silent container and
// even when the connection drops: without a terminal it would live on until it next writes. Wide, so nothing wraps.
const FOLLOW_PTY = { rows: 24, cols: 1000, term: 'dumb' };

/** Streams the container's log of one host; never throws (a failure is the outcome). */
export async function streamHostLogs(input: HostLogInput): Promise<HostLogOutcome> {
  const { host } = input;
  let t: Transport | undefined;
  let started = false;
  const start = (): void => {
    if (!started) input.onStarted();
    started = true;
  };
  try {
    t = await input.connect(host, input.connection);
    let absent = false;
    const lines = (splitter: LineSplitter) => (chunk: Buffer) => {
      for (const l of splitter.push(chunk)) {
        if (l.startsWith(NO_CONTAINER_MARKER)) absent = true;
        else input.onLine(parseLogLine(host, l));
      }
    };
    const out = new LineSplitter();
    const err = new LineSplitter();
    const handle = await t.stream(logsCmd(input.query), {
      become: input.connection.become,
      ...(input.query.follow ? { pty: FOLLOW_PTY } : {}),
      onStdout: lines(out),
      onStderr: lines(err),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    start();
    const code = await handle.done;
    for (const l of [...out.end(), ...err.end()])
      if (!l.startsWith(NO_CONTAINER_MARKER)) input.onLine(parseLogLine(host, l));
    if (code === undefined || input.signal?.aborted === true) return { host, status: 'interrupted' };
    if (code === NO_CONTAINER_EXIT && absent) return { host, status: 'absent' };
    return code === 0
      ? { host, status: 'done' }
      : { host, status: 'failed', error: `docker logs exited with code ${code}` };
  } catch (err) {
    return { host, status: 'failed', error: describeError(err) };
  } finally {
    start();
    await t?.close().catch(() => undefined);
  }
}
