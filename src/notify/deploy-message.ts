// Pure: the Telegram text of one deploy or rollback: who, the result, per host one line per service and why.
import type { RunSummary, SummaryHost } from './run-summary.js';

/** sendMessage's limit is 4096 characters; room is kept for the cut note. */
const MAX_TEXT = 3900;
/** Lines of a host's error in the message (the rest: rig history). */
const ERROR_LINES = 6;
const MARK: Readonly<Record<string, string>> = { create: '+', recreate: '~', start: '>', reload: '↻', remove: '-' };
const VERDICT = {
  planned: 'planned',
  ok: 'done, nothing to change',
  changed: 'done',
  failed: 'FAILED',
  interrupted: 'INTERRUPTED',
} as const;

/** `rig deploy prod: done` then who and git, one block per host, the run id. */
export function deployMessage(s: RunSummary): string {
  const git = s.git === null ? 'no git' : `git ${s.git.commit.slice(0, 12)}${s.git.dirty ? '+dirty' : ''}`;
  const changes = s.hosts.reduce((n, h) => n + h.changes, 0);
  const lines = [
    `rig ${s.command} ${s.env}: ${VERDICT[s.result]}`,
    `by ${s.user}@${s.workstation}, ${git}; ${s.hosts.length} host${s.hosts.length === 1 ? '' : 's'}, ${changes} change${changes === 1 ? '' : 's'}`,
    ...s.hosts.flatMap(hostLines),
    `run ${s.runId}`,
  ];
  const text = lines.join('\n');
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (cut; rig history --env ${s.env} has it all)`;
}

function hostLines(h: SummaryHost): string[] {
  const other = h.otherSteps > 0 ? `, ${h.otherSteps} other step${h.otherSteps === 1 ? '' : 's'}` : '';
  const head = `${h.host}: ${h.status}${h.changes > 0 ? ` (${h.changes} change${h.changes === 1 ? '' : 's'}${other})` : ''}${h.release ? `, release ${h.release}` : ''}`;
  const rolled = h.rolledBackTo ? [`  rolled back to ${h.rolledBackTo}`] : [];
  // the error's first lines: a multi-line error ("pre-checks failed, nothing was changed:" then why) keeps its why
  const why = (h.error ?? '').split('\n').filter((l) => l.trim() !== '');
  const error = why.slice(0, ERROR_LINES).map((l, i) => (i === 0 ? `  ! ${l}` : `    ${l.trim()}`));
  if (why.length > ERROR_LINES) error.push(`    … (${why.length - ERROR_LINES} more lines)`);
  return [
    head,
    ...h.services.map((s) => `  ${MARK[s.action] ?? '~'} ${s.service}: ${s.action} (${s.why})`),
    ...rolled,
    ...error,
  ];
}
