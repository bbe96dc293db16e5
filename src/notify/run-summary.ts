// Pure: the summary of one deploy or rollback, the JSON the hooks read on stdin and the notification is written from.
import type { HostResult } from '../engine/host-run.js';
import type { RunContext } from '../engine/run-context.js';

/** One service step of a host: what happened (or will) to it and why. */
export interface SummaryService {
  readonly service: string;
  readonly action: string;
  readonly why: string;
}

export interface SummaryHost {
  readonly host: string;
  /** `planned` before anything is applied (pre_deploy), else the host's result. */
  readonly status: 'planned' | HostResult['status'];
  readonly changes: number;
  readonly services: readonly SummaryService[];
  /** Steps that are not service steps (files, dirs, networks, pulls, commands). */
  readonly otherSteps: number;
  readonly error?: string;
  readonly release?: string;
  readonly rolledBackTo?: string;
}

/** The run as a whole: `planned`, `ok` (nothing changed), `changed`, `failed` (a host failed) or `interrupted`. */
export type RunResult = 'planned' | 'ok' | 'changed' | 'failed' | 'interrupted';

export interface RunSummary {
  readonly version: 1;
  readonly event: 'pre_deploy' | 'post_deploy';
  readonly command: 'deploy' | 'rollback';
  readonly env: string;
  readonly runId: string;
  readonly user: string;
  readonly workstation: string;
  readonly git: RunContext['git'];
  readonly result: RunResult;
  readonly hosts: readonly SummaryHost[];
}

/** The summary of `results` (planned ones before apply, finished ones after). */
export function runSummary(
  event: RunSummary['event'],
  run: RunContext,
  results: readonly HostResult[],
  interrupted: boolean,
): RunSummary {
  const command = run.mode === 'rollback' ? 'rollback' : 'deploy';
  const hosts = results.map((r) => hostSummary(r, event === 'pre_deploy'));
  return {
    version: 1,
    event,
    command,
    env: run.env,
    runId: run.runId,
    user: run.user,
    workstation: run.workstation,
    git: run.git,
    result: resultOf(event, results, interrupted),
    hosts,
  };
}

function resultOf(event: RunSummary['event'], results: readonly HostResult[], interrupted: boolean): RunResult {
  if (event === 'pre_deploy') return 'planned';
  if (interrupted) return 'interrupted';
  if (results.some((r) => r.status === 'failed' || r.status === 'unreachable')) return 'failed';
  return results.some((r) => r.status === 'changed') ? 'changed' : 'ok';
}

function hostSummary(r: HostResult, planned: boolean): SummaryHost {
  const steps = r.plan?.steps ?? [];
  const services = steps.flatMap((s) =>
    s.kind === 'service' ? [{ service: s.service, action: s.action, why: s.why }] : [],
  );
  // after a failed apply the plan is what was attempted: report its service steps, the status says how it went
  return {
    host: r.host,
    status: planned && r.status === 'ok' ? 'planned' : r.status,
    changes: planned ? steps.length : r.changes,
    services,
    otherSteps: steps.length - services.length,
    ...(r.error !== undefined ? { error: r.error } : {}),
    ...(r.release !== undefined ? { release: r.release } : {}),
    ...(r.rolledBackTo !== undefined ? { rolledBackTo: r.rolledBackTo } : {}),
  };
}
