// Finds the smoke checks in smoke-tests/, imports them as roles are imported (Node strips their types), validates them.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { locateText } from '../config/locate-text.js';
import { importProjectModule } from '../config/module-loader.js';
import { zodIssuesToDiagnostics, type Locator } from '../config/zod-diagnostics.js';
import { Diagnostics, DiagnosticsError, type SourceLocation } from '../core/errors/diagnostic.js';
import { didYouMean } from '../core/suggest.js';
import type { SmokeCheck } from './define-smoke.js';

/** Where the checks live, relative to the repository root. */
export const SMOKE_DIR = 'smoke-tests';

const names = z.array(z.string().min(1)).min(1);

const CheckSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase letters and digits, words joined by "-"'),
  description: z.string().min(1),
  target: z
    .strictObject({
      roles: names.optional(),
      services: z.union([z.literal('any'), names]).optional(),
      groups: names.optional(),
    })
    .refine(
      (t) => Object.keys(t).length > 0,
      'name roles, services or groups to run on (groups: ["all"] for every host)',
    ),
  deadlineSec: z.number().positive().max(3600),
  blocking: z.boolean(),
  run: z.custom<SmokeCheck['run']>(
    (v) => typeof v === 'function',
    'must be a function (ctx) => Promise<{ status, evidence }>',
  ),
});

/** The check ids of the repository: one `smoke-tests/<id>.ts` per check (subdirectories hold shared helpers). */
export function listSmokeChecks(root: string): string[] {
  const dir = path.join(root, SMOKE_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(
      (f) =>
        f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts') && statSync(path.join(dir, f)).isFile(),
    )
    .map((f) => f.slice(0, -3))
    .sort();
}

/**
 * Imports the checks `ids` (from `listSmokeChecks`) and validates each definition; a role named in a target must
 * exist in `roles`. Throws a DiagnosticsError with every problem of every module, each at its `file:line:col`.
 */
export async function loadSmokeChecks(
  root: string,
  ids: readonly string[],
  roles: readonly string[],
): Promise<SmokeCheck[]> {
  const diagnostics = new Diagnostics();
  const checks: SmokeCheck[] = [];
  for (const id of ids) {
    const file = path.join(root, SMOKE_DIR, `${id}.ts`);
    const check = await loadOne(root, id, file, diagnostics);
    if (check === undefined) continue;
    for (const role of check.target.roles ?? []) {
      if (!roles.includes(role))
        diagnostics.error(
          `unknown role "${role}"${didYouMean(role, roles)} in the target of smoke check ${id} (roles: ${roles.join(', ') || 'none'})`,
          locateText(file, [`'${role}'`, `"${role}"`]),
        );
    }
    checks.push(check);
  }
  diagnostics.throwIfErrors();
  return checks;
}

async function loadOne(
  root: string,
  id: string,
  file: string,
  diagnostics: Diagnostics,
): Promise<SmokeCheck | undefined> {
  let mod: { default?: unknown };
  try {
    mod = (await importProjectModule(root, path.join(SMOKE_DIR, `${id}.ts`))) as { default?: unknown };
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    diagnostics.add(...err.diagnostics);
    return undefined;
  }
  if (mod.default === null || typeof mod.default !== 'object') {
    diagnostics.error(
      'a smoke test module must `export default defineSmoke({ id, description, target, deadlineSec, blocking, run })`',
      { file, line: 1, col: 1 },
    );
    return undefined;
  }
  const parsed = CheckSchema.safeParse(mod.default, { reportInput: true });
  if (!parsed.success) {
    diagnostics.add(
      ...zodIssuesToDiagnostics(parsed.error.issues, sourceLocator(file), [], {
        keysAt: (p) => (p.length === 0 ? Object.keys(CheckSchema.shape) : ['roles', 'services', 'groups']),
      }),
    );
    return undefined;
  }
  if (parsed.data.id !== id) {
    diagnostics.error(
      `smoke check id "${parsed.data.id}" does not match its file name "${id}.ts"`,
      locateText(file, [`'${parsed.data.id}'`, `"${parsed.data.id}"`]),
    );
    return undefined;
  }
  const { target, ...rest } = parsed.data;
  // exactOptionalPropertyTypes: zod types an absent key as `undefined`.
  return { ...rest, target: Object.fromEntries(Object.entries(target).filter(([, v]) => v !== undefined)) };
}

/** Locates an issue path in a module's text: the last key of the path written as `key:` (or `key(` for methods). */
function sourceLocator(file: string): Locator {
  const at = (p: readonly (string | number)[]): SourceLocation => {
    const key = [...p].reverse().find((k): k is string => typeof k === 'string');
    return key === undefined ? { file, line: 1, col: 1 } : locateText(file, [`${key}:`, `${key}(`]);
  };
  return { locate: at, locateKey: at };
}
