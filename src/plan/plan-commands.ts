// Planning of command and handler ops: a command runs when its rule says so; a handler when its role notified it.
import { display } from '../core/cmd/render.js';
import type { CommandOp, HandlerOp } from '../core/desired/op.js';
import type { PathState } from '../facts/files/file-state.js';
import type { CommandStep, HandlerStep, Step } from '../core/plan-data/plan-types.js';

/** Key of a command's `unless` check result: role and command name. */
export function guardKey(role: string, name: string): string {
  return `${role}\0${name}`;
}

/** The step for a command, or undefined when its rule says it need not run. */
export function planCommand(
  op: CommandOp,
  role: string,
  facts: ReadonlyMap<string, PathState>,
  guards: ReadonlyMap<string, number>,
): CommandStep | undefined {
  const base = { kind: 'command' as const, role, name: op.name, command: display(op.cmd), notify: op.notify };
  if ('always' in op.when) return { ...base, why: 'runs on every deploy (always)' };
  if ('creates' in op.when) {
    const f = facts.get(op.when.creates);
    return f === undefined || f.kind === 'missing'
      ? { ...base, why: `${op.when.creates} does not exist yet` }
      : undefined;
  }
  const code = guards.get(guardKey(role, op.name));
  if (code === 0) return undefined;
  const check = op.when.missing ?? `check "${display(op.when.unless)}"`;
  return { ...base, why: `${check}${op.when.missing === undefined ? '' : ': its check'} exited ${code ?? 'unknown'}` };
}

/**
 * Handler steps for one role, in the order the handlers are declared, each once, for the names its steps notified.
 * Returns an error message for a notified name the role declares no handler for.
 */
export function planHandlers(
  role: string,
  steps: readonly Step[],
  handlers: readonly HandlerOp[],
): HandlerStep[] | string {
  const notifiedBy = new Map<string, string[]>();
  for (const s of steps) {
    const names = s.kind === 'write' || s.kind === 'attrs' || s.kind === 'command' ? s.notify : [];
    const what = s.kind === 'command' ? s.name : 'path' in s ? s.path : '';
    for (const n of names) notifiedBy.set(n, [...(notifiedBy.get(n) ?? []), what]);
  }
  const unknown = [...notifiedBy.keys()].filter((n) => !handlers.some((h) => h.name === n));
  if (unknown.length > 0)
    return `role ${role} notifies ${unknown.map((n) => `"${n}"`).join(', ')} but declares no such handler`;
  return handlers
    .filter((h) => notifiedBy.has(h.name))
    .map((h) => ({
      kind: 'handler',
      role,
      name: h.name,
      command: display(h.cmd),
      why: `notified by ${(notifiedBy.get(h.name) ?? []).join(', ')}`,
    }));
}
