// `rig plan`: what a deploy would change on each host, with diffs (secrets masked). Exit 0 nothing, 2 changes (or an
// interrupted deploy to finish), 1 error.
import type { CliIo } from '../../io.js';
import { report, runEngine } from '../../run/engine-command.js';

export async function planCommand(args: string[], io: CliIo): Promise<number> {
  const { project, results, flags } = await runEngine('plan', args, io);
  report('plan', project, results, flags, io);
  if (results.some((r) => r.status === 'failed' || r.status === 'unreachable')) return 1;
  return results.some((r) => r.changes > 0 || r.plan?.interrupted !== undefined) ? 2 : 0;
}
