// SIGINT/SIGTERM for the streaming commands (logs -f, exec, ssh): the first one stops the stream, a second exits at
// once.
import type { CliIo } from '../io.js';

/**
 * Runs `fn` with a signal aborted by the first SIGINT or SIGTERM (after printing `note`, when given); a second one
 * exits with 130 at once. `interrupted` says which signal stopped it.
 */
export async function untilInterrupted<T>(
  io: CliIo,
  note: string | undefined,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interrupted: NodeJS.Signals | undefined }> {
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (interrupted !== undefined) process.exit(130);
    interrupted = sig;
    if (note !== undefined) io.err(`rig: ${sig}: ${note}`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return { value: await fn(controller.signal), interrupted };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
