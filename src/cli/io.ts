// The process surroundings a command runs in, passed explicitly so commands stay testable without globals.
import type { Readable } from 'node:stream';
import type { Redactor } from '../core/redactor.js';

export interface CliIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { isTTY?: boolean };
  /** Whether stdout is an interactive terminal (progress bars, prompts). */
  readonly isTTY: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Secrets learnt during the run; `main` masks them in everything written to out/err. */
  readonly redactor?: Redactor;
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
  };
}
