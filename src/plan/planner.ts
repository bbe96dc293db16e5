// Pure planner: desired ops of one host + its facts → the steps that bring it to the desired state, each with why.
import { DiagnosticsError, formatLocation, type Diagnostic, type SourceLocation } from '../core/errors/diagnostic.js';
import type { Cmd } from '../core/cmd/cmd.js';
import { sha256Hex } from '../core/digest.js';
import type { CommandOp, DirOp, FileOp, HandlerOp, PathAttrs } from '../core/desired/op.js';
import type { Redactor } from '../core/redact/redactor.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { PathState } from '../facts/files/file-state.js';
import { describeFileChange, isEnvFilePath } from '../diff/file-diff.js';
import { guardKey, planCommand, planHandlers } from './plan-commands.js';
import type { HostPlan, Step } from '../core/plan-data/plan-types.js';

export interface PlanHostInput {
  readonly host: string;
  readonly roleOps: readonly RoleOps[];
  readonly facts: ReadonlyMap<string, PathState>;
  /** Current content of files that will be updated (for diffs and env key changes); absent ones show digests only. */
  readonly before: ReadonlyMap<string, Buffer>;
  /** Exit codes of the commands' `unless` checks, by guardKey(role, name). */
  readonly guards: ReadonlyMap<string, number>;
  readonly redactor: Redactor;
}

type Owned = {
  readonly mode: number;
  readonly owner: string;
  readonly group: string;
  readonly uid: number;
  readonly gid: number;
};

/** Every path the ops of a host touch, for the fact query. */
export function pathsOf(roleOps: readonly RoleOps[]): string[] {
  const paths = roleOps
    .filter((r) => r.selected)
    .flatMap((r) =>
      r.ops.flatMap((o) =>
        o.kind === 'dir' || o.kind === 'file' || o.kind === 'yamlMerge'
          ? [o.path]
          : o.kind === 'command' && 'creates' in o.when
            ? [o.when.creates]
            : [],
      ),
    );
  return [...new Set(paths)];
}

/** The read-only `unless` checks of the commands, batched into one exec by the caller. */
export function guardsOf(roleOps: readonly RoleOps[]): { key: string; cmd: Cmd }[] {
  return roleOps
    .filter((r) => r.selected)
    .flatMap((r) =>
      r.ops.flatMap((o) =>
        o.kind === 'command' && 'unless' in o.when ? [{ key: guardKey(r.role, o.name), cmd: o.when.unless }] : [],
      ),
    );
}

/** Plans one host. Throws a DiagnosticsError when ops conflict (same path twice, a file where a directory must be). */
export function planHost(input: PlanHostInput): HostPlan {
  const problems: Diagnostic[] = [];
  const seen = new Map<string, { origin: SourceLocation | undefined; role: string }>();
  const steps: Step[] = [];
  for (const { role, ops, selected } of input.roleOps) {
    if (!selected) continue;
    const roleSteps: Step[] = [];
    for (const op of ops) {
      if (op.kind === 'handler' || op.kind === 'service' || op.kind === 'network') continue;
      if (op.kind === 'yamlMerge')
        throw new Error(`${op.path}: a yamlMerge op must be resolved against the host's file before planning`);
      const key = op.kind === 'command' ? `command ${role}/${op.name}` : op.path;
      const prev = seen.get(key);
      if (prev !== undefined) {
        problems.push({
          severity: 'error',
          message: `${key} is declared twice (also at ${where(prev.origin, prev.role)})`,
          loc: op.origin,
          hosts: [input.host],
        });
        continue;
      }
      seen.set(key, { origin: op.origin, role });
      const step = planOp(op, role, input);
      if (typeof step === 'string')
        problems.push({ severity: 'error', message: step, loc: op.origin, hosts: [input.host] });
      else if (step) roleSteps.push(withOrigin(step, op.origin));
    }
    const handlers = planHandlers(
      role,
      roleSteps,
      ops.filter((o): o is HandlerOp => o.kind === 'handler'),
    );
    if (typeof handlers === 'string') problems.push({ severity: 'error', message: handlers, hosts: [input.host] });
    else steps.push(...roleSteps, ...handlers);
  }
  if (problems.length > 0) throw new DiagnosticsError(problems);
  return { host: input.host, steps, observed: observedDigest(input.facts) };
}

function planOp(op: DirOp | FileOp | CommandOp, role: string, input: PlanHostInput): Step | string | undefined {
  switch (op.kind) {
    case 'command':
      return planCommand(op, role, input.facts, input.guards);
    case 'dir':
      return planDir(op, input.facts.get(op.path) ?? MISSING, role);
    case 'file':
      return planFile(op, input.facts.get(op.path) ?? MISSING, role, input);
  }
}

const MISSING: PathState = { kind: 'missing', parentDir: false };

/** Where an op was declared, for a message; formatted only when shown (every op of every host is planned). */
function where(origin: SourceLocation | undefined, role: string): string {
  return origin ? formatLocation(origin) : `role ${role}`;
}

function withOrigin(step: Step, origin: SourceLocation | undefined): Step {
  return origin === undefined ? step : { ...step, origin: formatLocation(origin) };
}

function planDir(op: DirOp, fact: PathState, role: string): Step | string | undefined {
  if (fact.kind === 'missing') return { kind: 'mkdir', role, path: op.path, why: 'missing', ...attrsOf(op) };
  if (fact.kind !== 'dir')
    return `${op.path} must be a directory but is ${fact.kind === 'file' ? 'a file' : `a ${fact.type}`}`;
  const diff = attrDiff(op, fact);
  return diff
    ? { kind: 'attrs', role, path: op.path, target: 'dir', why: diff, notify: [], ...attrsOf(op) }
    : undefined;
}

function planFile(op: FileOp, fact: PathState, role: string, input: PlanHostInput): Step | string | undefined {
  if (fact.kind === 'dir' || fact.kind === 'other')
    return `${op.path} must be a regular file but is ${fact.kind === 'dir' ? 'a directory' : `a ${fact.type}`}`;
  const content = typeof op.content === 'string' ? Buffer.from(op.content, 'utf8') : Buffer.from(op.content);
  const sha = sha256Hex(content);
  const notify = op.notify;
  if (fact.kind === 'file' && fact.sha256 === sha) {
    const diff = attrDiff(op, fact);
    return diff ? { kind: 'attrs', role, path: op.path, target: 'file', why: diff, notify, ...attrsOf(op) } : undefined;
  }
  // A new file holding a secret is created 0600, not 0644, unless the role asks for a mode (a replaced one keeps its
  // own).
  const attrs =
    fact.kind === 'missing' && op.sensitive && op.mode === undefined ? { ...attrsOf(op), mode: 0o600 } : attrsOf(op);
  const change = describeFileChange({
    path: op.path,
    before: fact.kind === 'file' ? (input.before.get(op.path) ?? undefined) : undefined,
    after: content,
    sensitive: op.sensitive,
    envFile: isEnvFilePath(op.path),
    redactor: input.redactor,
    ...(attrs.mode === undefined ? {} : { mode: attrs.mode }),
  });
  // Without the old bytes at hand, describeFileChange would call an update a create: keep the host's digest.
  const fixed =
    fact.kind === 'file' && change.kind === 'create'
      ? { ...change, kind: 'update' as const, sha256Before: fact.sha256 }
      : change;
  const why = fact.kind === 'missing' ? 'missing' : 'content changed';
  return { kind: 'write', role, path: op.path, why, change: fixed, notify, ...attrs };
}

/** `mode 0644 → 0600, owner root → app`, or undefined when the wanted attrs already hold. */
export function attrDiff(want: PathAttrs, have: Owned): string | undefined {
  const parts: string[] = [];
  if (want.mode !== undefined && want.mode !== (have.mode & 0o7777))
    parts.push(`mode ${octal(have.mode & 0o7777)} → ${octal(want.mode)}`);
  if (want.owner !== undefined && want.owner !== have.owner && want.owner !== String(have.uid))
    parts.push(`owner ${have.owner} → ${want.owner}`);
  if (want.group !== undefined && want.group !== have.group && want.group !== String(have.gid))
    parts.push(`group ${have.group} → ${want.group}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function attrsOf(a: PathAttrs): PathAttrs {
  return {
    ...(a.mode !== undefined ? { mode: a.mode } : {}),
    ...(a.owner !== undefined ? { owner: a.owner } : {}),
    ...(a.group !== undefined ? { group: a.group } : {}),
  };
}

/**
 * A digest of the facts a plan was computed from; a saved plan whose host no longer matches it is stale. A file's time
 * is left out: bytes put back as they were (or a `touch`) leave the plan as it was.
 */
export function observedDigest(facts: ReadonlyMap<string, PathState>): string {
  const sorted = [...facts.entries()]
    .map(([p, f]): [string, unknown] => [p, f.kind === 'file' ? { ...f, modifiedAt: undefined } : f])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify(sorted));
}
