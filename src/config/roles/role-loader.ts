// Finds role modules under roles/, imports them and loads their defaults.yml.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DiagnosticsError, type SourceLocation } from '../../core/errors/diagnostic.js';
import { rolePrefix, type Role } from '../../core/desired/role.js';
import { didYouMean } from '../../core/suggest.js';
import { locateText } from '../locate-text.js';
import { importProjectModule } from '../module-loader.js';
import type { VarEntry } from '../vars/var-entry.js';
import { loadVarsFile, type LoadContext } from '../vars/vars-file.js';

export interface LoadedRole {
  readonly role: Role;
  readonly dir: string;
  /** roles/<name>/role.ts */
  readonly file: string;
  readonly defaults: readonly VarEntry[];
  /** Where a schema key is declared in role.ts (for "missing required variable" errors). */
  schemaLocation(key: string): SourceLocation;
}

/** Names of the roles in the repository (directories of roles/ holding a role.ts). */
export function listRoles(root: string): string[] {
  const dir = path.join(root, 'roles');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(path.join(dir, n, 'role.ts')))
    .sort();
}

/** Imports the named roles. Unknown names and malformed modules are reported at `refs` (the playbook lines). */
export async function loadRoles(
  root: string,
  refs: ReadonlyMap<string, SourceLocation>,
  ctx: LoadContext,
): Promise<Map<string, LoadedRole>> {
  const available = listRoles(root);
  const out = new Map<string, LoadedRole>();
  for (const [name, loc] of refs) {
    if (!available.includes(name)) {
      ctx.diagnostics.error(
        `unknown role "${name}"${didYouMean(name, available)} (roles: ${available.join(', ') || 'none'})`,
        loc,
      );
      continue;
    }
    const loaded = await loadRole(root, name, ctx);
    if (loaded) out.set(name, loaded);
  }
  return out;
}

async function loadRole(root: string, name: string, ctx: LoadContext): Promise<LoadedRole | undefined> {
  const dir = path.join(root, 'roles', name);
  const file = path.join(dir, 'role.ts');
  const mod = await importRoleModule(root, name, ctx);
  if (mod === undefined) return undefined;
  const role = mod.default;
  if (!isRole(role)) {
    ctx.diagnostics.error('a role module must `export default defineRole({ name, description, vars, tasks })`', {
      file,
      line: 1,
      col: 1,
    });
    return undefined;
  }
  if (role.name !== name) {
    const at = locateText(file, [`'${role.name}'`, `"${role.name}"`]);
    ctx.diagnostics.error(`role name "${role.name}" does not match its directory "${name}"`, at);
    return undefined;
  }
  const defaultsFile = path.join(dir, 'defaults.yml');
  const defaults = existsSync(defaultsFile) ? loadVarsFile(defaultsFile, 'role defaults', ctx) : [];
  const prefix = rolePrefix(name);
  for (const d of defaults) {
    if (!d.name.startsWith(prefix))
      ctx.diagnostics.error(`role defaults must carry the role prefix "${prefix}": ${d.name}`, d.loc);
  }
  return { role, dir, file, defaults, schemaLocation: (key) => locateText(file, [key]) };
}

/** The module, or undefined when it did not load (its diagnostic, at file:line:col, is in ctx). */
type RoleModule = { default?: unknown };

async function importRoleModule(root: string, name: string, ctx: LoadContext): Promise<RoleModule | undefined> {
  try {
    return (await importProjectModule(root, path.join('roles', name, 'role.ts'))) as RoleModule;
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    ctx.diagnostics.add(...err.diagnostics);
    return undefined;
  }
}

function isRole(v: unknown): v is Role {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Partial<Role>;
  return (
    typeof r.name === 'string' &&
    typeof r.tasks === 'function' &&
    typeof r.vars === 'object' &&
    r.vars !== null &&
    'shape' in r.vars
  );
}
