// The process surroundings a command runs in, passed explicitly so commands stay testable without globals.
import type { Readable } from 'node:stream';
import type { Redactor } from '../core/redact/redactor.js';

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { isTTY?: boolean };
  /** Whether stdout is an interactive terminal (progress bars, prompts). */
  readonly isTTY: boolean;
  out(text: string): void;
  err(text: string): void;
  /**
   * Bytes to stdout / stderr as they are, nothing added (exec, ssh); without them, `out` / `err`. Not masked by main.
   */
  readonly writeOut?: (bytes: Buffer) => void;
  readonly writeErr?: (bytes: Buffer) => void;
  /** The terminal rig runs on, when stdin and stdout are one (`exec -t`, `ssh`). */
  readonly terminal?: Terminal;
  /** Secrets learnt during the run; `main` masks them in everything written to out/err. */
  readonly redactor?: Redactor;
}

/** A terminal: its size, raw mode (keys go through as bytes: Ctrl-C is the remote's), resizes. */
export interface Terminal {
  size(): { rows: number; cols: number };
  setRawMode(on: boolean): void;
  /** Calls `fn` on every resize; returns the unsubscribe. */
  onResize(fn: () => void): () => void;
}

/** The real process's io. */
export function processIo(): CliIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    isTTY: Boolean(process.stdout.isTTY) && process.env['CI'] !== 'true',
    out: (t) => void process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    writeOut: (b) => void process.stdout.write(b),
    writeErr: (b) => void process.stderr.write(b),
    ...(process.stdin.isTTY && process.stdout.isTTY ? { terminal: processTerminal() } : {}),
  };
}

function processTerminal(): Terminal {
  return {
    size: () => ({ rows: process.stdout.rows || 24, cols: process.stdout.columns || 80 }),
    setRawMode: (on) => void process.stdin.setRawMode(on),
    onResize: (fn) => {
      process.stdout.on('resize', fn);
      return () => void process.stdout.off('resize', fn);
    },
  };
}
