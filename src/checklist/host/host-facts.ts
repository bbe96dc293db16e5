// What the checklist reads on a host in ONE exec: the planner's facts plus the deploy lock, the releases and the
// headroom.
import type { StackConfig } from '../../config/vars/stack-vars.js';
import type { LockState } from '../../lock/lock.js';
import type { ReleaseList } from '../../release/release-store.js';
import {
  execHost,
  factCommands,
  readSettled,
  type BatchOutcome,
  type FactHost,
  type FactOutcome,
  type Settled,
} from '../../facts/gather.js';
import { headroomFact, type Headroom } from '../../facts/host/headroom.js';
import { lockStateFact } from '../../facts/deploy-state/lock-state.js';
import { releaseListFact } from '../../facts/deploy-state/release-list.js';
import type { Transport } from '../../transport/transport.js';

/** The checklist's own facts; each is an error message when its part failed, so one bad part spoils no other. */
export interface ChecklistFacts {
  readonly lock: LockState | undefined | { error: string };
  readonly releases: ReleaseList | { error: string };
  readonly headroom: Headroom | { error: string };
}

/**
 * A FactHost for `planOnHost` that runs the checklist's facts in the same exec as the planner's (read-only: the lock
 * is read, never taken) and keeps them whatever the planner's facts or the planner itself do. `facts()` reads them on
 * their own when the planner never gathered.
 */
export function checklistGather(
  t: Transport,
  become: boolean,
  stack: StackConfig,
): { host: FactHost; facts: () => Promise<ChecklistFacts> } {
  const mine = checklistFactSet(stack);
  const plain = execHost(t, become);
  let got: ChecklistFacts | undefined;
  const run = async (parts: Parameters<FactHost['run']>[0]): Promise<BatchOutcome> => {
    const out = await plain.run([...parts, ...factCommands(mine)]);
    got = checklistFacts(
      t.host,
      readSettled(t.host, mine, { ...out, results: out.results.slice(parts.length) }),
      out.stderr,
    );
    return { ...out, results: out.results.slice(0, parts.length) };
  };
  return {
    host: { host: t.host, run },
    facts: async () =>
      got ??
      (await run([]),
      got ?? checklistFacts(t.host, readSettled(t.host, mine, { results: [], stderr: '', code: 0 }), '')),
  };
}

function checklistFactSet(stack: StackConfig) {
  return {
    lock: lockStateFact(stack.stateDir),
    releases: releaseListFact(stack.stateDir),
    headroom: headroomFact(stack.projectDir),
  };
}

const LABELS = { lock: 'the deploy lock', releases: 'the releases', headroom: 'the headroom probe' } as const;

function checklistFacts(host: string, s: Settled<ReturnType<typeof checklistFactSet>>, stderr: string): ChecklistFacts {
  const one = <T>(key: keyof typeof LABELS, o: FactOutcome<T>): T | { error: string } => {
    if (o.kind === 'ok') return o.value;
    if (o.kind === 'malformed') return { error: o.cause instanceof Error ? o.cause.message : String(o.cause) };
    const why = stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-3).join(' / ')}`;
    return { error: `${host}: ${LABELS[key]} could not be read (exit ${o.code ?? '?'})${why}` };
  };
  return { lock: one('lock', s.lock), releases: one('releases', s.releases), headroom: one('headroom', s.headroom) };
}
