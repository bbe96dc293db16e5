// Resolves serviceImage('<svc>') in commands, handlers and file checks to the image that service of the host runs,
// after pinning.
import type { Cmd } from '../core/cmd/cmd.js';
import { DiagnosticsError, type Diagnostic } from '../core/errors/diagnostic.js';
import type { Op } from '../core/desired/op.js';
import { serviceImageName } from '../core/desired/service.js';
import type { RoleOps } from '../config/roles/render-roles.js';

/**
 * The rendered (and pinned) ops with every `serviceImage(name)` argv element of command, handler and file-check ops
 * replaced by the image of service `name` on the same host. A name no role of the host declares is an error at the op's
 * origin.
 */
export function resolveServiceImages(rendered: ReadonlyMap<string, RoleOps[]>): Map<string, RoleOps[]> {
  const problems: Diagnostic[] = [];
  const out = new Map<string, RoleOps[]>();
  for (const [host, roles] of rendered) {
    const images = new Map(
      roles.flatMap((r) => r.ops.flatMap((o) => (o.kind === 'service' ? [[o.name, o.spec.image] as const] : []))),
    );
    const resolve =
      (op: Op) =>
      (arg: string): string => {
        const name = serviceImageName(arg);
        if (name === undefined) return arg;
        const image = images.get(name);
        if (image !== undefined) return image;
        problems.push({
          severity: 'error',
          message: `${op.kind} ${'name' in op ? op.name : ''}: serviceImage("${name}") names no service of host ${host}`,
          loc: op.origin,
          hosts: [host],
        });
        return arg;
      };
    out.set(
      host,
      roles.map((r) => ({ ...r, ops: r.ops.map((op) => resolveOp(op, resolve(op))) })),
    );
  }
  if (problems.length > 0) throw new DiagnosticsError(problems);
  return out;
}

function resolveOp(op: Op, f: (arg: string) => string): Op {
  switch (op.kind) {
    case 'command':
      return {
        ...op,
        cmd: mapArgs(op.cmd, f),
        when: 'unless' in op.when ? { ...op.when, unless: mapArgs(op.when.unless, f) } : op.when,
      };
    case 'handler':
      return { ...op, cmd: mapArgs(op.cmd, f) };
    case 'file': {
      const validate = op.validate;
      if (validate === undefined) return op;
      mapArgs(validate('/dev/null'), f); // now, not at apply time: an unknown service name is reported with the others
      return { ...op, validate: (uploaded: string) => mapArgs(validate(uploaded), f) };
    }
    default:
      return op;
  }
}

/** `cmd` with `f` applied to every argv element (environment values and redirection paths are left alone). */
function mapArgs(cmd: Cmd, f: (arg: string) => string): Cmd {
  switch (cmd.kind) {
    case 'exec':
      return { ...cmd, argv: cmd.argv.map(f) };
    case 'not':
      return { ...cmd, cmd: mapArgs(cmd.cmd, f) };
    case 'redirect':
      return { ...cmd, cmd: mapArgs(cmd.cmd, f) };
    case 'and':
    case 'or':
    case 'seq':
    case 'pipe':
      return { ...cmd, parts: cmd.parts.map((p) => mapArgs(p, f)) };
  }
}
