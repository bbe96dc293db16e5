// `rig history`: the deploy journal of each host (what ran, who ran it, what changed, health, rollbacks).
import { formatJournal, readJournal } from '../../../journal/journal-read.js';
import type { CliIo } from '../../io.js';
import { queryHosts } from '../../remote/host-query.js';

/** Exit 0 when every host answered, 1 otherwise. `--json`: one array of events (all hosts, by time). */
export async function historyCommand(args: string[], io: CliIo): Promise<number> {
  const { project, answers, flags } = await queryHosts('history', args, io, (t, h) =>
    readJournal(t, h.stack.stateDir, { become: h.connection.become, limit: 200 }),
  );
  const events = answers
    .flatMap((a) => ('error' in a ? [] : [...a.value]))
    .sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
  if (flags.json === true) io.out(JSON.stringify(project.redactor.redactValue(events), null, 2));
  else if (events.length > 0) io.out(formatJournal(events));
  for (const a of answers) {
    if ('error' in a) io.err(`${a.host}: ${a.error}`);
    else if (a.value.malformed > 0) io.err(`${a.host}: ${a.value.malformed} malformed journal line(s) skipped`);
  }
  return answers.every((a) => !('error' in a)) ? 0 : 1;
}
