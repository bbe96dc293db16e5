// A command as shell text to `eval` in a subshell of a script that runs several of them (batches, command checks).
import { render } from './render.js';
import { quote } from './shell-quote.js';
import type { Cmd } from './cmd.js';

/**
 * The text a running script `eval`s in a subshell, `( eval "$part" )`, to run `cmd`: for an `sh(script, …args)`
 * node, the script itself after `set -- args` (no `/bin/sh` process: every process costs a few ms of the host's
 * CPU, and a planning exec runs one per fact); for any other node, its rendering (which execs what it names).
 * The subshell keeps what `/bin/sh -c` gave each part: its own variables, functions, traps, options and `exit`.
 */
export function inlineText(cmd: Cmd): string {
  if (!isShScript(cmd)) return render(cmd);
  const args = cmd.argv.slice(4).map(quote);
  return `set --${args.map((a) => ` ${a}`).join('')}\n${cmd.argv[2] ?? ''}`;
}

/** `sh()`'s shape: `/bin/sh -c <script> sh …args`, no environment. */
function isShScript(cmd: Cmd): cmd is Extract<Cmd, { kind: 'exec' }> {
  if (cmd.kind !== 'exec' || cmd.env !== undefined) return false;
  const [bin, flag, script, name] = cmd.argv;
  return bin === '/bin/sh' && flag === '-c' && script !== undefined && name === 'sh';
}
