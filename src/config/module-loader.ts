// Imports the repository's TypeScript modules (roles/, smoke-tests/) as they are: Node strips their types when it
// loads them (no compile step, no cache to keep fresh), and the resolve hook gives them the running rig as `rig`
// wherever the repository is. Under vitest rig itself runs from source and vite loads these modules (alias `rig`).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticsError } from '../core/errors/diagnostic.js';
import { moduleLoadDiagnostic } from './module-error.js';
import { registerProjectModuleHooks, RIG_API } from './module-hooks.js';

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');
/**
 * True when Node itself loads the project's modules (rig built, as it runs for users): their types are stripped in
 * place, so a stack frame's line and column are the file's own. From source (vitest), vite transforms them and only
 * the formatted stack, mapped back through its source maps, has their lines.
 */
export const PROJECT_MODULES_LOADED_BY_NODE = !RUNNING_FROM_SOURCE;

/**
 * Imports `<root>/<rel>` (a .ts path such as `roles/sample/role.ts`). A module that does not load (an import that
 * resolves nowhere, an enum, a syntax error, a throw while loading) is a DiagnosticsError at its file:line:col.
 */
export async function importProjectModule(root: string, rel: string): Promise<unknown> {
  const file = path.join(root, rel);
  if (!RUNNING_FROM_SOURCE) registerProjectModuleHooks();
  try {
    return (await import(pathToFileURL(file).href)) as unknown;
  } catch (err) {
    const rig = (await import(RIG_API)) as Record<string, unknown>;
    throw new DiagnosticsError([moduleLoadDiagnostic(err, file, Object.keys(rig))]);
  }
}
