// A command as shell text for a script to run in place of a `/bin/sh -c` of its own: batch parts, command checks,
// and the one command an exec sends. Every process costs a few ms of a host's CPU; a planning exec runs one per fact.
import { shScriptOf, type Cmd } from './cmd.js';
import { render } from './render.js';
import { quote } from './shell-quote.js';

/**
 * The text a running script `eval`s in a subshell, `( eval "$part" )`, to run `cmd`: for an `sh(script, …args)`
 * node, the script itself after `set -- args` (no `/bin/sh` process); for a lone program, `exec` of it (the subshell
 * hands its process over); for anything else, its rendering. The subshell keeps what `/bin/sh -c` gave each part:
 * its own variables, functions, traps, options and `exit`.
 */
export function inlineText(cmd: Cmd): string {
  const s = shScriptOf(cmd);
  if (s === undefined || s.name !== 'sh') return lastText(cmd);
  return `set --${s.args.map((a) => ` ${quote(a)}`).join('')}\n${s.script}`;
}

/** The text that ends a script by running `cmd`: `exec` of a lone program (one process fewer), else its rendering. */
export function lastText(cmd: Cmd): string {
  return isLoneProgram(cmd) ? `exec ${render(cmd)}` : render(cmd);
}

/** Builtins that are no program on disk: `exec` could not run them. */
const SHELL_ONLY = new Set([
  '.',
  ':',
  'alias',
  'bg',
  'break',
  'cd',
  'command',
  'continue',
  'eval',
  'exec',
  'exit',
  'export',
  'fg',
  'getopts',
  'hash',
  'jobs',
  'local',
  'read',
  'readonly',
  'return',
  'set',
  'shift',
  'source',
  'times',
  'trap',
  'type',
  'ulimit',
  'umask',
  'unalias',
  'unset',
  'wait',
]);

/** A single program with no environment of its own: the shell can hand its process over to it. */
function isLoneProgram(cmd: Cmd): boolean {
  return cmd.kind === 'exec' && cmd.env === undefined && !SHELL_ONLY.has(cmd.argv[0] ?? '.');
}
