// Executes one host's plan as written, in a fixed order: pre-checks, files, compose validation, commands, services +
// health gate, handlers.
import { sh } from '../core/cmd/cmd.js';
import { sha256Hex } from '../core/digest.js';
import { COMPOSE_ROLE } from '../compose/compose-desired.js';
import { fileOps, type RoleOps } from '../config/roles/render-roles.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import {
  applyFiles,
  type ApplyFilesResult,
  type DirWrite,
  type ExecTail,
  type FileWrite,
  type TailOutcome,
} from './apply-files.js';
import {
  applyPrechecks,
  applyServices,
  ComposeConfigError,
  validateComposeFiles,
  type ComposeApplyOptions,
} from './apply-compose.js';
import type { GateResult } from './health-gate.js';
import type { HostPlan, Step, WriteStep } from '../core/plan-data/plan-types.js';

export interface ApplyPlanOptions extends ComposeApplyOptions {
  /** The old bytes of files the plan replaces: put back when a compose file does not validate. */
  readonly before: ReadonlyMap<string, Buffer>;
  /** Written in the same transfer and exec as the plan's files (the release's content blobs): not plan steps. */
  readonly extraFiles?: readonly FileWrite[];
  readonly extraDirs?: readonly DirWrite[];
  /** Called once the files are written, before anything else changes (a test pause point). */
  readonly afterFiles?: () => Promise<void>;
  /** Rides the files' exec when the plan changes files only (their exec is then its last): the run's finish. */
  readonly tail?: ExecTail;
}

/** What the apply did, for the journal and the release. */
export interface ApplyOutcome {
  readonly gate: readonly GateResult[];
  /** Set when `tail` ran in the files' exec. */
  readonly tail?: TailOutcome;
}

/** Whether the files' exec is the plan's last: it changes files and directories only (no compose file to validate). */
export function filesOnly(plan: HostPlan): boolean {
  return plan.steps.every(
    (s) => s.kind === 'mkdir' || s.kind === 'attrs' || (s.kind === 'write' && s.role !== COMPOSE_ROLE),
  );
}

/**
 * Applies `plan`: nothing is stopped before the pre-checks passed (networks, pulls) and the compose files validate;
 * a compose file that does not validate puts the files back as they were and throws ComposeConfigError.
 */
export async function applyPlan(
  t: Transport,
  plan: HostPlan,
  roleOps: readonly RoleOps[],
  opts: ApplyPlanOptions,
): Promise<ApplyOutcome> {
  const signal = opts.signal;
  if (plan.compose) await applyPrechecks(t, plan, opts);
  if (opts.progress) opts.progress.done += plan.steps.filter((s) => s.kind === 'network' || s.kind === 'pull').length;
  signal?.throwIfAborted();
  const files = await applyFileSteps(t, plan, roleOps, opts, filesOnly(plan) ? opts.tail : undefined);
  if (opts.progress)
    opts.progress.done += plan.steps.filter(
      (s) => s.kind === 'mkdir' || s.kind === 'attrs' || s.kind === 'write',
    ).length;
  await opts.afterFiles?.();
  signal?.throwIfAborted();
  if (plan.compose && plan.steps.some((s) => s.kind === 'service' || (s.kind === 'write' && s.role === COMPOSE_ROLE))) {
    try {
      await validateComposeFiles(t, plan.compose, opts);
    } catch (err) {
      if (err instanceof ComposeConfigError) await restoreFiles(t, plan, opts.before, opts.become);
      throw err;
    }
  }
  await runCommands(t, plan, roleOps, 'command', opts, signal);
  const gate = await applyServices(t, plan, opts);
  await runCommands(t, plan, roleOps, 'handler', opts, signal);
  return { gate, ...(files?.tail ? { tail: files.tail } : {}) };
}

async function applyFileSteps(
  t: Transport,
  plan: HostPlan,
  roleOps: readonly RoleOps[],
  opts: ApplyPlanOptions,
  tail: ExecTail | undefined,
): Promise<ApplyFilesResult | undefined> {
  const byPath = new Map(fileOps(roleOps).map((op) => [op.path, op]));
  const files: FileWrite[] = [...(opts.extraFiles ?? [])];
  const dirs: DirWrite[] = [...(opts.extraDirs ?? [])];
  for (const step of plan.steps) {
    if (step.kind !== 'mkdir' && step.kind !== 'attrs' && step.kind !== 'write') continue;
    const attrs = {
      ...(step.mode !== undefined ? { mode: step.mode } : {}),
      ...(step.owner !== undefined ? { owner: step.owner } : {}),
      ...(step.group !== undefined ? { group: step.group } : {}),
    };
    if (step.kind === 'mkdir') dirs.push({ path: step.path, create: true, ...attrs });
    else if (step.kind === 'attrs' && step.target === 'dir') dirs.push({ path: step.path, create: false, ...attrs });
    else if (step.kind === 'attrs')
      files.push({ path: step.path, content: Buffer.alloc(0), contentChanged: false, ...attrs });
    else {
      const op = byPath.get(step.path);
      if (op === undefined || sha256Hex(op.content) !== step.change.sha256After)
        throw new Error(`${plan.host}: ${step.path}: the rendered content no longer matches the plan; plan again`);
      const bytes = typeof op.content === 'string' ? Buffer.from(op.content, 'utf8') : Buffer.from(op.content);
      files.push({
        path: step.path,
        content: bytes,
        contentChanged: true,
        ...attrs,
        ...(op.validate ? { validate: op.validate } : {}),
      });
    }
  }
  if (files.length === 0 && dirs.length === 0) return undefined;
  return applyFiles(t, files, dirs, { become: opts.become, ...(tail ? { tail } : {}) });
}

/** Puts back the previous bytes of every file the plan replaced and removes the ones it created. */
async function restoreFiles(
  t: Transport,
  plan: HostPlan,
  before: ReadonlyMap<string, Buffer>,
  become: boolean,
): Promise<void> {
  const writes = plan.steps.filter((s): s is WriteStep => s.kind === 'write');
  const back = writes.flatMap((s) => {
    const old = before.get(s.path);
    return old === undefined ? [] : [{ path: s.path, content: old, contentChanged: true }];
  });
  const created = writes.filter((s) => s.change.kind === 'create').map((s) => s.path);
  if (back.length > 0) await applyFiles(t, back, [], { become });
  if (created.length > 0) await run(t, sh('rm -f -- "$@"', ...created), { become });
}

async function runCommands(
  t: Transport,
  plan: HostPlan,
  roleOps: readonly RoleOps[],
  kind: 'command' | 'handler',
  opts: ApplyPlanOptions,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (const step of plan.steps) {
    if (step.kind !== kind) continue;
    signal?.throwIfAborted();
    const op = findOp(roleOps, step);
    if (op?.kind !== 'command' && op?.kind !== 'handler')
      throw new Error(`${plan.host}: ${step.kind} ${step.name} is no longer declared; plan again`);
    await run(t, op.cmd, { become: opts.become });
    if (opts.progress) opts.progress.done++;
  }
}

function findOp(roleOps: readonly RoleOps[], step: Extract<Step, { kind: 'command' | 'handler' }>) {
  return roleOps.find((r) => r.role === step.role)?.ops.find((o) => o.kind === step.kind && o.name === step.name);
}
