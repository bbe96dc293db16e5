// Checks each role's prefixed variables against its zod schema: typos, missing and wrongly typed values, all at once.
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import { rolePrefix } from '../../core/desired/role.js';
import { didYouMean } from '../../core/suggest.js';
import type { ResolvedVar } from '../vars/resolve-vars.js';
import type { LoadedRole } from './role-loader.js';
import type { VarEntry } from '../vars/var-entry.js';
import { zodIssuesToDiagnostics, type Locator } from '../zod-diagnostics.js';

/**
 * A variable carrying a known role's prefix that the role's schema does not declare is a typo, wherever it is
 * written and whichever hosts run the role. The longest matching prefix decides the role (`docker_stack_` over
 * `docker_`).
 */
export function checkUnknownRoleVars(
  entries: Iterable<VarEntry>,
  roles: Iterable<LoadedRole>,
  diagnostics: Diagnostics,
): void {
  const byPrefix = [...roles]
    .map((r) => ({ prefix: rolePrefix(r.role.name), r }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  const seen = new Set<string>();
  for (const e of entries) {
    const owner = byPrefix.find((p) => e.name.startsWith(p.prefix));
    if (!owner || e.name in owner.r.role.vars.shape) continue;
    const key = `${e.loc.file}:${e.loc.line}:${e.loc.col}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const known = Object.keys(owner.r.role.vars.shape);
    diagnostics.error(`unknown variable "${e.name}" for role ${owner.r.role.name}${didYouMean(e.name, known)}`, e.loc);
  }
}

/** Validates and returns the typed variables of `role` for `host`; undefined (with diagnostics) when invalid. */
export function roleVarsForHost(
  host: string,
  loaded: LoadedRole,
  vars: ReadonlyMap<string, ResolvedVar>,
  diagnostics: Diagnostics,
  opts: { reportMissing: boolean } = { reportMissing: true },
): Record<string, unknown> | undefined {
  const schema = loaded.role.vars;
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = vars.get(key);
    if (v !== undefined) input[key] = v.value;
  }
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const locator: Locator = {
    locate: (path) => locateVar(path, vars, loaded),
    locateKey: (path) => locateVar(path, vars, loaded),
  };
  for (const issue of parsed.error.issues) {
    const [key, ...rest] = issue.path;
    if (typeof key === 'string' && rest.length === 0 && !vars.has(key)) {
      if (!opts.reportMissing) continue;
      diagnostics.error(
        `missing required variable "${key}" of role ${loaded.role.name} (declared here; set it in group_vars or host_vars)`,
        loaded.schemaLocation(key),
        [host],
      );
      continue;
    }
    diagnostics.add(...zodIssuesToDiagnostics([issue], locator, [], { hosts: [host] }));
  }
  return undefined;
}

function locateVar(path: readonly (string | number)[], vars: ReadonlyMap<string, ResolvedVar>, loaded: LoadedRole) {
  const [key, ...rest] = path;
  const v = typeof key === 'string' ? vars.get(key) : undefined;
  if (!v) return loaded.schemaLocation(String(key));
  return rest.length === 0 ? v.locate([]) : v.locate(rest);
}
