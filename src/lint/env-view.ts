// What the env-wide checks read of a host: its roles' validated variables and where each variable (or part) is written.
import type { HostConfig } from '../config/project.js';
import type { SourceLocation } from '../core/errors/diagnostic.js';
import { formatLocation } from '../core/errors/diagnostic.js';

/** The validated variables of `role` on `host` (defaults applied), or undefined when the host does not run it. */
export function roleVars(host: HostConfig, role: string): Readonly<Record<string, unknown>> | undefined {
  return host.roles.find((r) => r.name === role)?.vars;
}

/** Where variable `name` (or the part at `path` of its value) is written for `host`: the file that won precedence. */
export function varAt(
  host: HostConfig,
  name: string,
  path: readonly (string | number)[] = [],
): SourceLocation | undefined {
  const v = host.vars.get(name);
  if (v === undefined) return undefined;
  return path.length === 0 ? v.loc : v.locate([...path]);
}

/** `file:line:col, host h` for a message naming the other side of a pair (relative to the repository root). */
export function otherSide(host: HostConfig, loc: SourceLocation | undefined, root: string): string {
  return `${loc ? `${formatLocation(loc, root)}, ` : ''}host ${host.name}`;
}

/** The hosts of the env that run `role`, with its variables. */
export function hostsWith(
  hosts: Iterable<HostConfig>,
  role: string,
): { host: HostConfig; vars: Readonly<Record<string, unknown>> }[] {
  return [...hosts].flatMap((host) => {
    const vars = roleVars(host, role);
    return vars === undefined ? [] : [{ host, vars }];
  });
}
