// The decision as one `checklist.decision` journal event per host: in the workstation's mirror, and appended on the
// host.
import type { Redactor } from '../core/redact/redactor.js';
import { journalOutsideDeploy, JournalBuffer } from '../journal/journal.js';
import type { Transport } from '../transport/transport.js';
import type { ChecklistReport } from './checklist-report.js';

/** Who ran the checklist, the same for every host. */
export interface ChecklistRunInfo {
  readonly root: string;
  readonly env: string;
  readonly runId: string;
  readonly user: string;
  readonly workstation: string;
}

/** The event's JSON line: the env's decision, and each check as this host saw it (secrets masked by the buffer). */
export function checklistJournalLine(
  info: ChecklistRunInfo,
  host: string,
  report: ChecklistReport,
  redactor: Redactor,
): string {
  const buffer = new JournalBuffer(redactor);
  const s = report.summary;
  buffer.add({
    ts: new Date().toISOString(),
    event: 'checklist.decision',
    env: info.env,
    host,
    deployId: info.runId,
    user: info.user,
    summary: `checklist: ${report.decision} (${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip)${report.upgrades.length > 0 ? ` for ${report.upgrades.map((u) => u.to).join(', ')}` : ''}`,
    command: 'checklist',
    workstation: info.workstation,
    decision: report.decision,
    upgrades: report.upgrades.map((u) => ({ name: u.name, variable: u.variable, to: u.to })),
    checks: report.checks.map((c) => {
      const mine = c.hosts.find((h) => h.host === host);
      return {
        id: c.id,
        status: c.status,
        ...(mine ? { hostStatus: mine.status } : {}),
        evidence: mine?.evidence ?? c.evidence.slice(0, 1),
      };
    }),
    durationMs: report.durationMs,
  });
  return buffer.drain().join('');
}

/**
 * Journals one host's line: always in `.rig/journal/<env>/<host>.jsonl`, and on the host when it was reached and has a
 * state dir (one exec, the line on stdin, no lock: one O_APPEND write). The same write as `rig smoke`'s, so its code:
 * the checklist's only write on a host, and nothing a deploy plans from.
 */
export function journalChecklist(
  info: ChecklistRunInfo,
  host: { name: string; stateDir: string; become: boolean },
  line: string,
  t: Transport | undefined,
): Promise<void> {
  return journalOutsideDeploy(info, host, [line], t);
}
