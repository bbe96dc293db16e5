// One host's run: connect once, gather facts in one exec, plan (pure), and when asked apply exactly that plan.
import type { Connection } from '../config/connection.js';
import { sha256Hex } from '../core/digest.js';
import type { RoleOps } from '../config/render-roles.js';
import { DiagnosticsError, formatDiagnostic } from '../core/diagnostic.js';
import type { FileOp } from '../core/op.js';
import type { Redactor } from '../core/redactor.js';
import { fileContentCmd, parseFileContent } from '../facts/file-content.js';
import { fileStateCmd, parseFileState, type PathState } from '../facts/file-state.js';
import { HostUnreachableError, RemoteCommandError } from '../transport/errors.js';
import { run } from '../transport/run.js';
import type { Transport, TransportCounters } from '../transport/transport.js';
import { applyFiles, type DirWrite, type FileWrite } from './apply-files.js';
import { guardsOf, pathsOf, planHost } from './plan-host.js';
import { commandChecksCmd, parseCommandChecks } from '../facts/command-checks.js';
import type { HostPlan } from './plan-types.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable';

export interface HostResult {
  readonly host: string;
  readonly status: HostStatus;
  readonly plan?: HostPlan;
  /** Steps applied (deploy) or to apply (plan). */
  readonly changes: number;
  readonly error?: string;
  readonly counters?: TransportCounters;
}

export interface HostRunInput {
  readonly host: string;
  readonly connection: Connection;
  readonly roleOps: readonly RoleOps[];
  readonly redactor: Redactor;
  readonly connect: (host: string, c: Connection) => Promise<Transport>;
}

/** A host after the planning phase: its open connection (when reachable) and its plan or failure. */
export interface HostSession {
  readonly input: HostRunInput;
  readonly transport: Transport | undefined;
  readonly result: HostResult;
}

/** Connects and plans; never throws for host-level failures (they become the result's status and error). */
export async function openAndPlan(input: HostRunInput): Promise<HostSession> {
  let t: Transport;
  try {
    t = await input.connect(input.host, input.connection);
  } catch (err) {
    return { input, transport: undefined, result: { host: input.host, status: 'unreachable', changes: 0, error: describeError(err) } };
  }
  try {
    const plan = await planOnHost(t, { ...input, become: input.connection.become });
    return { input, transport: t, result: { host: input.host, status: 'ok', plan, changes: plan.steps.length, counters: t.counters } };
  } catch (err) {
    return { input, transport: t, result: failure(input.host, err, t) };
  }
}

/** Applies a planned session (when it planned changes) and closes its connection. */
export async function finishSession(s: HostSession, apply: boolean): Promise<HostResult> {
  const t = s.transport;
  if (!t) return s.result;
  try {
    const plan = s.result.plan;
    if (!apply || !plan || plan.steps.length === 0 || s.result.error) return { ...s.result, counters: t.counters };
    await applyPlan(t, plan, s.input.roleOps, s.input.connection.become);
    return { ...s.result, status: 'changed', counters: t.counters };
  } catch (err) {
    return failure(s.input.host, err, t);
  } finally {
    await t.close().catch(() => undefined);
  }
}

function failure(host: string, err: unknown, t: Transport): HostResult {
  const status: HostStatus = err instanceof HostUnreachableError ? 'unreachable' : 'failed';
  return { host, status, changes: 0, error: describeError(err), counters: t.counters };
}

function describeError(err: unknown): string {
  if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
  if (err instanceof RemoteCommandError) return `${compactCommand(err.message)}${err.stderrTail ? `\n${err.stderrTail}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** rig's own multi-line scripts are noise in a summary: keep the message's first lines and the command's first line. */
function compactCommand(message: string): string {
  const lines = message.split('\n');
  if (lines.length <= 4) return message;
  return `${lines.slice(0, 2).join('\n')} … (${lines.length - 2} more lines of rig's script)`;
}

/** Facts (1 exec), then the old bytes of files about to change (1 more exec, only when some change), then the plan. */
export async function planOnHost(t: Transport, input: Pick<HostRunInput, 'host' | 'roleOps' | 'redactor'> & { become?: boolean }): Promise<HostPlan> {
  const opts = { become: input.become === true };
  const paths = pathsOf(input.roleOps);
  const facts = paths.length === 0 ? new Map<string, PathState>() : parseFileState((await run(t, fileStateCmd(paths), opts)).stdout, paths);
  const wanted = fileOps(input.roleOps).filter((op) => {
    const f = facts.get(op.path);
    return f?.kind === 'file' && f.sha256 !== sha256Hex(op.content);
  });
  const before = wanted.length === 0 ? new Map<string, Buffer>() : parseFileContent((await run(t, fileContentCmd(wanted.map((o) => o.path)), opts)).stdoutBytes, wanted.map((o) => o.path));
  const checks = guardsOf(input.roleOps);
  const codes = checks.length === 0 ? [] : parseCommandChecks((await run(t, commandChecksCmd(checks.map((c) => c.cmd)), opts)).stdout, checks.length);
  const guards = new Map(checks.map((c, i) => [c.key, codes[i] ?? -1]));
  return planHost({ host: input.host, roleOps: input.roleOps, facts, before, guards, redactor: input.redactor });
}

/** Executes the plan's steps; content comes from the rendered ops and must match the digest the plan promised. */
export async function applyPlan(t: Transport, plan: HostPlan, roleOps: readonly RoleOps[], become = false): Promise<void> {
  const content = new Map(fileOps(roleOps).map((op) => [op.path, op.content]));
  const files: FileWrite[] = [];
  const dirs: DirWrite[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'command' || step.kind === 'handler') continue;
    const attrs = { ...(step.mode !== undefined ? { mode: step.mode } : {}), ...(step.owner !== undefined ? { owner: step.owner } : {}), ...(step.group !== undefined ? { group: step.group } : {}) };
    if (step.kind === 'mkdir') dirs.push({ path: step.path, create: true, ...attrs });
    else if (step.kind === 'attrs' && step.target === 'dir') dirs.push({ path: step.path, create: false, ...attrs });
    else if (step.kind === 'attrs') files.push({ path: step.path, content: Buffer.alloc(0), contentChanged: false, ...attrs });
    else {
      const text = content.get(step.path);
      if (text === undefined || sha256Hex(text) !== step.change.sha256After) throw new Error(`${plan.host}: ${step.path}: the rendered content no longer matches the plan; plan again`);
      files.push({ path: step.path, content: typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text), contentChanged: true, ...attrs });
    }
  }
  await applyFiles(t, files, dirs, { become });
  for (const step of plan.steps) {
    if (step.kind !== 'command' && step.kind !== 'handler') continue;
    const op = roleOps.find((r) => r.role === step.role)?.ops.find((o) => o.kind === step.kind && o.name === step.name);
    if (op?.kind !== 'command' && op?.kind !== 'handler') throw new Error(`${plan.host}: ${step.kind} ${step.name} is no longer declared; plan again`);
    await run(t, op.cmd, { become });
  }
}

function fileOps(roleOps: readonly RoleOps[]): FileOp[] {
  return roleOps.flatMap((r) => r.ops.filter((o): o is FileOp => o.kind === 'file'));
}
