// Wraps a rendered Cmd into the exact string sent to a host: `/bin/sh -c '…'`, secrets fed over stdin, optional sudo.
import { shScriptOf, type Cmd } from './cmd.js';
import { display, render, secretsOf, SECRET_VAR_PREFIX } from './render.js';
import { lastText } from './inline.js';
import { quote, quotedSize, quotedSizeOf, wordSize } from './shell-quote.js';

/** Exit status of the become pre-check when `sudo -n` cannot run (sudo missing, or it wants a password). */
export const BECOME_FAILED_EXIT = 97;
/** Line the become pre-check writes to stderr; with BECOME_FAILED_EXIT it identifies that failure. */
export const BECOME_FAILED_MARKER =
  'rig: become failed: sudo -n cannot run here (sudo missing, or it needs a password)';

/**
 * What a transport sends: the command line, bytes to write to stdin before the caller's stdin, and a masked display.
 */
export interface RemoteInvocation {
  /**
   * `/bin/sh -c '…'`, so the remote login shell only has to split quoted words: one, or (a command that is an `sh`
   * script already) the script's own.
   */
  readonly command: string;
  /** The secrets, one encoded line each, read by the script before the command runs; empty when none. */
  readonly stdinPrefix: Buffer;
  /** The command for people: secrets masked as `***`. */
  readonly display: string;
}

export interface RemoteOptions {
  /** Run as root through `sudo -n -H --` (the caller passes true only when the login user is not root). */
  readonly sudo: boolean;
}

/**
 * Builds the remote invocation of `node`. Each secret is written to stdin as one line in `printf %b`
 * escaping (`\\` and `\n`), read with `IFS= read -r` into `$__rig_secret_<n>` and decoded by the
 * `printf` builtin: secret values appear in no argv, no command line and no sshd log.
 */
export function toRemote(node: Cmd, opts: RemoteOptions): RemoteInvocation {
  const secrets = secretsOf(node);
  const lines = secrets.map((s) => `${s.secret.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')}\n`);
  const stdinPrefix = Buffer.from(lines.join(''), 'utf8');
  const text = commandText(node, secrets.length, opts);
  if (text.asIs !== undefined) return { command: text.asIs, stdinPrefix, display: display(node) };
  const command = opts.sudo ? becomeScript(text.script) : text.script;
  return { command: `${SH_C}${quote(command)}`, stdinPrefix, display: display(node) };
}

/**
 * The UTF-8 byte length of `toRemote(node, opts).command`, computed from the same text without building its quoted
 * forms (with sudo the script is quoted twice): the command-line limit check measures every fact and apply command in
 * its sudo form, and building that form only to measure it was a tenth of a 100-host no-op's allocations.
 */
export function remoteCommandBytes(node: Cmd, opts: RemoteOptions): number {
  const text = commandText(node, secretsOf(node).length, opts);
  if (text.asIs !== undefined) return wordSize(text.asIs).bytes;
  const quoted = quotedSize(text.script);
  if (!opts.sudo) return SH_C.length + quoted.bytes;
  // becomeScript(script) is BECOME_HEAD + quote(script): never empty, never bare (it has spaces)
  const become = { bytes: BECOME_HEAD_SIZE.bytes + quoted.bytes, quotes: BECOME_HEAD_SIZE.quotes + quoted.quotes };
  return SH_C.length + quotedSizeOf(become).bytes;
}

/**
 * What toRemote sends before its outer quoting: a command line to send as it is, or the script for `/bin/sh -c`
 * (become-wrapped with sudo), which reads the `secrets` secrets from stdin first.
 */
function commandText(
  node: Cmd,
  secrets: number,
  opts: RemoteOptions,
): { asIs: string; script?: undefined } | { asIs?: undefined; script: string } {
  // a script that is itself `/bin/sh -c '…' sh args…` goes as it is: the login shell runs /bin/sh once, not twice
  if (!opts.sudo && secrets === 0 && shScriptOf(node) !== undefined) return { asIs: render(node) };
  // a lone program replaces the shell (`exec`): one process fewer on the host for every exec rig makes
  const reads = Array.from({ length: secrets }, (_, i) => readSecret(`${SECRET_VAR_PREFIX}${i}`));
  return { script: [...reads, lastText(node)].join('\n') };
}

const SH_C = '/bin/sh -c ';

/** Reads one encoded line into `v` and decodes it; the `x` guard keeps trailing newlines that `$()` would strip. */
function readSecret(v: string): string {
  return `IFS= read -r ${v} && ${v}=$(printf '%bx' "$${v}") && ${v}=\${${v}%x} || exit 1`;
}

/**
 * Checks that sudo works without a password before handing the script (and stdin) to a root shell. `-H`: HOME is
 * root's whatever the sudoers policy keeps, so the docker CLI looks for plugins and config in root's ~/.docker, never
 * in the login user's (a file root would run that another account can replace).
 */
function becomeScript(script: string): string {
  return `${BECOME_HEAD}${quote(script)}`;
}

const BECOME_HEAD = `sudo -n true 2>/dev/null || { printf '%s\\n' ${quote(BECOME_FAILED_MARKER)} >&2; exit ${BECOME_FAILED_EXIT}; }
exec sudo -n -H -- /bin/sh -c `;
const BECOME_HEAD_SIZE = wordSize(BECOME_HEAD);
