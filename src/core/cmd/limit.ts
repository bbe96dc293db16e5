// Guards the size of one remote command line: sshd hands it to the login shell as a single argument.
import type { Cmd } from './cmd.js';
import { remoteCommandBytes } from './remote.js';

/**
 * Linux refuses a single argv string over 128 KiB (MAX_ARG_STRLEN) with E2BIG, and sshd passes the
 * whole command as one `-c` argument; keep a margin below it.
 */
export const MAX_REMOTE_COMMAND_BYTES = 120_000;

/** A command that would not fit on a remote command line. */
export class CommandTooLongError extends Error {}

/**
 * Throws CommandTooLongError naming `what` when `cmd`, rendered as sent with sudo (the longer form: the
 * script is quoted twice), would not fit on a remote command line. Callers split the batch then.
 */
export function assertCommandFits(cmd: Cmd, what: string): void {
  const bytes = remoteCommandBytes(cmd, { sudo: true });
  if (bytes > MAX_REMOTE_COMMAND_BYTES) {
    throw new CommandTooLongError(
      `${what}: the command is ${bytes} bytes, over the ${MAX_REMOTE_COMMAND_BYTES}-byte remote command line limit; split the batch`,
    );
  }
}
