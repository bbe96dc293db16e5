// Runs plan or deploy over every selected host in parallel (up to `forks`), one SSH connection per host.
import type { Connection } from '../config/inventory/connection.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { Project } from '../config/project.js';
import { defaultSshOptions } from '../transport/ssh-defaults.js';
import { SshTransport, type SshTransportOptions } from '../transport/ssh/ssh-transport.js';
import type { Transport } from '../transport/transport.js';
import { applyBatches } from './batches.js';
import { finishSession, onlyClosing } from './host-close.js';
import { openAndPlan, type HostResult, type HostSession } from './host-run.js';
import { mapPool } from '../core/pool.js';
import { failure } from './host-result.js';
import { LockHeldError } from '../lock/lock.js';
import { prepareRollback, type RollbackStart } from './rollback-prepass.js';
import type { HeldLockReport } from './host-session.js';
import { HostJournal } from './host-journal.js';
import type { BreakTarget } from '../lock/lock-script.js';
import type { RunContext } from './run-context.js';

export type { HeldLockReport } from './host-session.js';

export interface RunHostsOptions {
  readonly apply: boolean;
  readonly run: RunContext;
  readonly forks: number;
  /** RIG_CONNECT_TIMEOUT; undefined: ssh_config's ConnectTimeout for each host, else 10 s. */
  readonly connectTimeoutSec?: number | undefined;
  /** RIG_FACTS_TIMEOUT: the deadline of each host's facts exec (undefined: none). */
  readonly factsTimeoutSec?: number | undefined;
  readonly acceptNewHostKeys: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Repository known_hosts (checked besides the user's and the system's files). */
  readonly repoKnownHosts?: string;
  /** Accepted new keys go to `repoKnownHosts`, not ~/.ssh/known_hosts (see cli/known-hosts-files.ts). */
  readonly recordInRepo?: boolean;
  /** Called as each host is planned, then as it finishes (progress display). */
  readonly onPlanned?: (r: HostResult) => void;
  readonly onHost?: (r: HostResult) => void;
  /** Between planning and applying (deploy only): false (or a throw) aborts before any change. */
  readonly confirm?: (planned: readonly HostResult[]) => Promise<boolean>;
  /** `--break-lock` found live locks: shows their holders and says whether to break them (false: those hosts fail). */
  readonly confirmBreak?: (held: readonly HeldLockReport[]) => Promise<boolean>;
}

/** The user declined the plan: nothing was changed. */
export class DeclinedError extends Error {
  override readonly name = 'DeclinedError';
}

/** Plans (and applies, when asked) every host of `rendered`; host failures are results, never exceptions. */
export async function runHosts(
  project: Project,
  rendered: ReadonlyMap<string, readonly RoleOps[]>,
  opts: RunHostsOptions,
): Promise<HostResult[]> {
  const connect = await sshConnector(opts);
  const hosts = [...project.hosts.values()];
  // a rollback first decides, from every host's releases, which hosts the run it undoes changed
  const starts =
    opts.run.mode === 'rollback'
      ? await prepareRollback(hosts, connect, opts.run, { forks: opts.forks, confirmBreak: opts.confirmBreak })
      : undefined;
  const sessions = await mapPool(hosts, opts.forks, async (h) => {
    const input = {
      host: h.name,
      connection: h.connection,
      stack: h.stack,
      roleOps: rendered.get(h.name) ?? [],
      redactor: project.redactor,
      run: opts.run,
      connect,
    };
    const start = starts?.get(h.name);
    const s =
      start && 'result' in start
        ? settled(input, start.result)
        : await openAndPlan({ ...input, ...rollbackInput(start) });
    opts.onPlanned?.(s.result);
    // its connection is closed now, while other hosts still plan, not after the last of them: a no-op run otherwise
    // ends waiting for every host's sshd to close at once (~35 ms at 8 hosts); finishSession awaits the same close
    if (s.transport && onlyClosing(s, opts.apply)) void s.transport.close().catch(() => undefined);
    return s;
  });
  await settleBreaks(sessions, opts.confirmBreak);
  const planned = sessions.map((s) => s.result);
  const confirmed =
    !opts.apply ||
    !opts.confirm ||
    (await opts.confirm(planned).catch(async (err: unknown) => {
      await closeAll(sessions, 'not confirmed: nothing was changed');
      throw err;
    }));
  if (!confirmed) {
    await closeAll(sessions, 'declined: nothing was changed');
    throw new DeclinedError('declined: nothing was changed');
  }
  const byHost = new Map(sessions.map((s) => [s.input.host, s]));
  const results = new Map<string, HostResult>();
  const batches = applyBatches(
    project.inventory,
    project.playbook,
    hosts.map((h) => h.name),
  );
  for (const [i, batch] of batches.entries()) {
    const done = await mapPool(batch, opts.forks, async (name) => {
      const r = await finishSession(byHost.get(name) as HostSession, opts.apply);
      opts.onHost?.(r);
      return r;
    });
    done.forEach((r) => results.set(r.host, r));
    if (opts.apply && batches.length > 1 && done.every((r) => r.status === 'failed' || r.status === 'unreachable')) {
      await skipRest(batches.slice(i + 1).flat(), byHost, results, i + 1);
      for (const name of batches.slice(i + 1).flat()) opts.onHost?.(results.get(name) as HostResult);
      break;
    }
  }
  return hosts.map((h) => results.get(h.name) as HostResult);
}

/** A host whose outcome is known before it is contacted (a rollback leaves it untouched, or cannot proceed). */
function settled(input: HostSession['input'], result: HostResult): HostSession {
  const journal = new HostJournal(input);
  journal.discard();
  return { input, journal, transport: undefined, result };
}

function rollbackInput(start: RollbackStart | undefined): Partial<HostSession['input']> {
  if (!start || 'result' in start) return {};
  return {
    rollback: { to: start.to, ...(start.expectCurrent ? { expectCurrent: start.expectCurrent } : {}) },
    ...(start.breakHolder ? { breakHolder: start.breakHolder } : {}),
  };
}

/** `--break-lock`: the live locks are shown and broken once confirmed (at their acquire), else their hosts fail. */
async function settleBreaks(sessions: HostSession[], confirmBreak: RunHostsOptions['confirmBreak']): Promise<void> {
  const held = sessions.flatMap((s, i) =>
    s.lockHeld
      ? [{ i, report: { host: s.input.host, lockPath: `${s.input.stack.stateDir}/lock`, state: s.lockHeld } }]
      : [],
  );
  if (held.length === 0) return;
  const yes = confirmBreak ? await confirmBreak(held.map((h) => h.report)) : false;
  for (const { i, report } of held) {
    const s = sessions[i] as HostSession;
    const info = report.state.info;
    const target: BreakTarget = info ? { token: info.token } : { fileId: report.state.fileId ?? '' };
    if (yes) sessions[i] = { ...s, breakHolder: target };
    else
      sessions[i] = {
        ...s,
        result: failure(s.input.host, new LockHeldError(report.host, report.lockPath, report.state), s.transport),
      };
  }
}

/** After a batch that failed entirely, later batches are not applied (a rolling deploy stops where it breaks). */
async function skipRest(
  names: readonly string[],
  byHost: ReadonlyMap<string, HostSession>,
  results: Map<string, HostResult>,
  batch: number,
): Promise<void> {
  for (const name of names) {
    const s = byHost.get(name) as HostSession;
    const error = `not applied: every host of batch ${batch} failed (serial)`;
    results.set(
      name,
      await finishSession({ ...s, result: { ...s.result, status: 'failed', changes: 0, error } }, false),
    );
  }
}

/** Ends every session without applying: their locks are released and their journals say why. */
async function closeAll(sessions: readonly HostSession[], error: string): Promise<void> {
  for (const s of sessions) s.journal.discard();
  await Promise.all(
    sessions.map((s) => finishSession({ ...s, result: { ...s.result, status: 'failed', changes: 0, error } }, false)),
  );
}

/** How every command reaches hosts: ssh2 with the run's host-key policy and connect timeout. */
export async function sshConnector(
  opts: Pick<
    RunHostsOptions,
    'acceptNewHostKeys' | 'env' | 'connectTimeoutSec' | 'factsTimeoutSec' | 'repoKnownHosts' | 'recordInRepo'
  >,
): Promise<(name: string, c: Connection) => Promise<Transport>> {
  const ssh = await defaultSshOptions({
    acceptNewHostKeys: opts.acceptNewHostKeys,
    env: opts.env,
    ...(opts.connectTimeoutSec === undefined ? {} : { readyTimeoutMs: opts.connectTimeoutSec * 1000 }),
    ...(opts.factsTimeoutSec === undefined ? {} : { factsTimeoutMs: opts.factsTimeoutSec * 1000 }),
    ...(opts.repoKnownHosts ? { repoKnownHosts: opts.repoKnownHosts } : {}),
    recordInRepo: opts.recordInRepo === true,
  });
  return (name, c) => connectSsh(name, c, ssh);
}

function connectSsh(name: string, c: Connection, ssh: SshTransportOptions): Promise<Transport> {
  return SshTransport.connect(
    {
      name,
      host: c.host,
      ...(c.port !== undefined ? { port: c.port } : {}),
      ...(c.user !== undefined ? { user: c.user } : {}),
      ...(c.sshKey !== undefined ? { identityFiles: [c.sshKey] } : {}),
    },
    ssh,
  );
}
