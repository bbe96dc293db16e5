// A host's smoke results as one `smoke.result` journal event: in the workstation's mirror, and appended to the host's
// journal.
import type { Redactor } from '../core/redact/redactor.js';
import { journalOutsideDeploy, JournalBuffer } from '../journal/journal.js';
import type { Transport } from '../transport/transport.js';
import type { SmokeResult } from './smoke-report.js';
import { failsRun } from './smoke-verdict.js';

/** Who ran the smoke run, the same for every host. */
export interface SmokeRunInfo {
  readonly root: string;
  readonly env: string;
  readonly runId: string;
  readonly user: string;
  readonly workstation: string;
  readonly strict: boolean;
}

/** The event's JSON line (secrets masked by the journal buffer). */
export function smokeJournalLine(
  info: SmokeRunInfo,
  host: string,
  results: readonly SmokeResult[],
  redactor: Redactor,
): string {
  const buffer = new JournalBuffer(redactor);
  const n = (s: SmokeResult['status']): number => results.filter((r) => r.status === s).length;
  buffer.add({
    ts: new Date().toISOString(),
    event: 'smoke.result',
    env: info.env,
    host,
    deployId: info.runId,
    user: info.user,
    summary: `smoke: ${n('pass')} pass, ${n('warn')} warn, ${n('fail')} fail, ${n('skip')} skip`,
    command: 'smoke',
    workstation: info.workstation,
    ok: !results.some((r) => failsRun(r, info.strict)),
    strict: info.strict,
    results: results.map((r) => ({
      check: r.check,
      status: r.status,
      blocking: r.blocking,
      durationMs: Math.round(r.durationMs),
      evidence: r.evidence,
    })),
  });
  return buffer.drain().join('');
}

/**
 * Journals one host's results: always in `.rig/journal/<env>/<host>.jsonl`, and on the host when it was reached.
 *
 * Appending to the host's `journal.jsonl` is the one write of `rig smoke`, and it is deliberate: the journal is rig's
 * own log, not state a deploy plans from, and with the results on the host `rig history` and the pre-upgrade
 * checklist see the last smoke run from any workstation (the nightly cron runs elsewhere). It costs one exec per host
 * after its checks, the line on stdin; it takes no lock, because the append is one O_APPEND write that cannot
 * interleave with a concurrent deploy's. A host never deployed to (no state dir) gets nothing written.
 */
export async function journalSmoke(
  info: SmokeRunInfo,
  host: { name: string; stateDir: string; become: boolean },
  line: string,
  t: Transport | undefined,
): Promise<void> {
  await journalOutsideDeploy(info, host, [line], t);
}
