// One command on one host as a session the user sits in (`rig exec`, `rig ssh`): output as it comes with secrets
// masked, stdin forwarded, and with a terminal: a pty sized like ours, raw mode, window-change. The exit code is the
// command's.
import type { Cmd } from '../../core/cmd/cmd.js';
import type { Redactor } from '../../core/redact/redactor.js';
import { StreamRedactor } from '../../core/redact/stream-redactor.js';
import type { Transport } from '../../transport/transport.js';
import { untilInterrupted } from './interrupts.js';
import type { CliIo } from '../io.js';

export interface SessionOptions {
  /** A pty on the host (the local terminal goes raw); the caller checked that there is a terminal. */
  readonly tty: boolean;
  /** Forward our stdin to the command. */
  readonly stdin: boolean;
  readonly become: boolean;
  readonly redactor: Redactor;
}

/**
 * On a terminal, bytes that may begin a secret are held back only this long while nothing more comes (an interactive
 * prompt must show): what then shows is a part of a secret, never a whole one arriving in one piece.
 */
const TTY_HOLD_MS = 250;

/** Runs `cmd`; resolves with its exit code (130 when rig was interrupted before it reported one). */
export async function runSession(t: Transport, cmd: Cmd, o: SessionOptions, io: CliIo): Promise<number> {
  const term = o.tty ? io.terminal : undefined;
  const out = masked(io.writeOut ?? ((b) => io.out(b.toString('utf8'))), o, term !== undefined);
  const err = masked(io.writeErr ?? ((b) => io.err(b.toString('utf8'))), o, term !== undefined);
  const { value } = await untilInterrupted(io, undefined, async (signal) => {
    const size = term?.size();
    const handle = await t.stream(cmd, {
      become: o.become,
      ...(size ? { pty: { ...size, term: io.env['TERM'] ?? 'xterm-256color' } } : {}),
      ...(o.stdin ? { stdin: io.stdin } : {}),
      onStdout: out.push,
      onStderr: err.push,
      signal,
    });
    term?.setRawMode(true);
    const off = term?.onResize(() => {
      const s = term.size();
      handle.resize(s.rows, s.cols);
    });
    try {
      return await handle.done;
    } finally {
      off?.();
      term?.setRawMode(false);
    }
  });
  out.end();
  err.end();
  return value ?? 130;
}

/** A writer masking secrets across chunks; on a terminal a held tail is flushed after a pause. */
function masked(
  write: (b: Buffer) => void,
  o: SessionOptions,
  tty: boolean,
): { push: (b: Buffer) => void; end: () => void } {
  const r = new StreamRedactor(o.redactor.values());
  let timer: NodeJS.Timeout | undefined;
  const flushHeld = (): void => {
    const rest = r.end();
    if (rest.length > 0) write(rest);
  };
  return {
    push: (b) => {
      clearTimeout(timer);
      const shown = r.push(b);
      if (shown.length > 0) write(shown);
      if (tty && r.holding) timer = setTimeout(flushHeld, TTY_HOLD_MS);
    },
    end: () => {
      clearTimeout(timer);
      flushHeld();
    },
  };
}
