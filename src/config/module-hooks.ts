// How Node resolves the deploy repository's modules (roles/, smoke-tests/), wherever the repository is on disk:
// `rig` is the running rig, a `.ts` file of the repository is an ES module whose types Node strips, `./x.js` names
// `./x.ts` when only that exists, and an import that resolves nowhere becomes a ModuleImportError naming the file.
import { existsSync } from 'node:fs';
import { isBuiltin, registerHooks, type ResolveFnOutput, type ResolveHookContext } from 'node:module';
import { fileURLToPath } from 'node:url';

/** `true` in dist/bundle/ (scripts/build-bundle.mjs defines it), where every module is a sibling of index.js. */
declare const RIG_BUNDLED: boolean | undefined;

/** The API role modules import as `rig`: this rig's own index module, never another copy of rig on disk. */
export const RIG_API =
  typeof RIG_BUNDLED !== 'undefined' && RIG_BUNDLED
    ? new URL('./index.js', import.meta.url).href
    : new URL(`../index.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url).href;

type NextResolve = (specifier: string, context?: Partial<ResolveHookContext>) => ResolveFnOutput;

/** An import of a repository module that resolves nowhere (a typo, a package the repository does not have). */
export class ModuleImportError extends Error {
  override readonly name = 'ModuleImportError';
  constructor(
    /** As written in the import. */
    readonly specifier: string,
    /** The repository file that imports it. */
    readonly importer: string,
    /** Node's reason (its error code). */
    readonly code: string,
  ) {
    super(`cannot import "${specifier}" from ${importer} (${code})`);
  }
}

let registered = false;

/** Registers the resolve hook once per process (Node ≥ 22.15; synchronous, in this thread). */
export function registerProjectModuleHooks(): void {
  if (registered) return;
  registered = true;
  registerHooks({ resolve: resolveProjectModule });
}

/** The resolve hook; exported for its tests. */
export function resolveProjectModule(
  specifier: string,
  context: ResolveHookContext,
  next: NextResolve,
): ResolveFnOutput {
  if (specifier === 'rig') return { url: RIG_API, format: 'module', shortCircuit: true };
  const fromProject = context.parentURL !== undefined && isProjectSource(context.parentURL);
  const resolved = fromProject ? resolveFromProject(specifier, context, next) : next(specifier, context);
  // Always ESM, whatever a package.json "type" around the repository says: roles and checks are written as modules.
  return isProjectSource(resolved.url) ? { ...resolved, format: 'module-typescript' } : resolved;
}

function resolveFromProject(specifier: string, context: ResolveHookContext, next: NextResolve): ResolveFnOutput {
  try {
    const resolved = next(specifier, context);
    // Node resolves any `node:` name and fails only when loading it, without saying which file asked
    if (resolved.url.startsWith('node:') && !isBuiltin(resolved.url)) {
      throw Object.assign(new Error(resolved.url), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
    }
    return resolved;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_')) throw err;
    const ts = tsTwin(specifier, context.parentURL ?? '');
    if (ts !== undefined) return next(ts, context);
    throw new ModuleImportError(specifier, fileURLToPath(context.parentURL ?? ''), code);
  }
}

/** `./x.ts` for `./x.js` when only the .ts file exists (TypeScript's NodeNext spelling of the same import). */
function tsTwin(specifier: string, parentURL: string): string | undefined {
  if (!/^\.\.?\//.test(specifier) || !specifier.endsWith('.js')) return undefined;
  const ts = `${specifier.slice(0, -3)}.ts`;
  return existsSync(fileURLToPath(new URL(ts, parentURL))) ? ts : undefined;
}

/** A TypeScript source file of the repository (Node refuses to strip types under node_modules anyway). */
export function isProjectSource(url: string): boolean {
  return url.startsWith('file:') && url.endsWith('.ts') && !url.endsWith('.d.ts') && !url.includes('/node_modules/');
}
