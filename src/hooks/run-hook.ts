// Runs one local hook (env.yml `hooks:`): the run's summary as JSON on stdin, its output shown as it comes, a deadline.
import { UserError } from '../core/errors/errors.js';
import type { Redactor } from '../core/redact/redactor.js';
import { LineSplitter } from '../logs/log-line.js';
import type { RunSummary } from '../notify/run-summary.js';

/** A hook that failed: exit code, signal, timeout or not startable. The deploy reports it and exits 1. */
export class HookError extends UserError {}

export interface HookRun {
  readonly command: string | readonly string[];
  /** The repository root: hooks run there. */
  readonly cwd: string;
  readonly timeoutSec: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly redactor: Redactor;
  /** Each output line (stdout and stderr), already prefixed; masked here. */
  readonly log: (line: string) => void;
}

/**
 * A string runs under `/bin/sh -c` (a shell line), a list as an argv. The environment is rig's plus RIG_HOOK,
 * RIG_ENV, RIG_COMMAND, RIG_RESULT and RIG_RUN_ID. Throws HookError unless it exits 0 within the deadline.
 */
export async function runHook(summary: RunSummary, h: HookRun): Promise<void> {
  const { execa } = await import('execa');
  const [file, ...args] = typeof h.command === 'string' ? ['/bin/sh', '-c', h.command] : h.command;
  const shown = typeof h.command === 'string' ? h.command : h.command.join(' ');
  const env = {
    ...h.env,
    RIG_HOOK: summary.event,
    RIG_ENV: summary.env,
    RIG_COMMAND: summary.command,
    RIG_RESULT: summary.result,
    RIG_RUN_ID: summary.runId,
  };
  const child = execa(file ?? '/bin/sh', args, {
    cwd: h.cwd,
    env,
    extendEnv: false,
    input: `${h.redactor.redact(JSON.stringify(summary))}\n`,
    all: true,
    reject: false,
    timeout: h.timeoutSec * 1000,
    forceKillAfterDelay: 5000,
  });
  const lines = new LineSplitter();
  const show = (l: string): void => h.log(h.redactor.redact(`${summary.event}: ${l}`));
  child.all?.on('data', (d: Buffer) => lines.push(d).forEach(show));
  const r = await child;
  lines.end().forEach(show);
  if (r.timedOut)
    throw new HookError(`${summary.event} hook \`${shown}\` did not finish within ${h.timeoutSec}s (killed)`);
  if (r.failed) {
    const why =
      r.exitCode !== undefined
        ? `exited with code ${r.exitCode}`
        : r.signal !== undefined
          ? `was killed by ${r.signal}`
          : (r.shortMessage ?? 'could not run');
    throw new HookError(`${summary.event} hook \`${shown}\` ${why}`);
  }
}
