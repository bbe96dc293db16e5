// Why a repository module (a role, a smoke check, a file they import) did not load, as a diagnostic at file:line:col:
// an import that resolves nowhere, TypeScript that type stripping cannot erase, a syntax error, a throw at load time.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic, SourceLocation } from '../core/errors/diagnostic.js';
import { didYouMean } from '../core/suggest.js';
import { locateText } from './locate-text.js';
import { isProjectSource, ModuleImportError, RIG_API } from './module-hooks.js';

/** What role and check files may not contain, said once wherever Node refuses such syntax. */
const STRIP_ONLY =
  "roles and smoke checks load through Node's type stripping, which erases types only (no enum, namespace, " +
  'parameter property or import x = require(); for an enum use a union of literals or an `as const` object)';

/**
 * The diagnostic for `err`, thrown while importing `file` (the role or check rig asked for); `rigExports` (the names
 * `rig` exports) turn a misspelt import from rig into a suggestion.
 */
export function moduleLoadDiagnostic(err: unknown, file: string, rigExports: readonly string[] = []): Diagnostic {
  const error = (message: string, loc: SourceLocation): Diagnostic => ({ severity: 'error', message, loc });
  if (err instanceof ModuleImportError) {
    return error(importMessage(err), locateText(err.importer, [`'${err.specifier}'`, `"${err.specifier}"`]));
  }
  if (!(err instanceof Error)) return error(`cannot load this module: ${String(err)}`, { file, line: 1, col: 1 });
  const arrow = err instanceof SyntaxError ? arrowLocation(err.stack ?? '') : undefined;
  if (arrow !== undefined) return error(syntaxMessage(err, rigExports), arrow);
  const thrownAt = firstProjectFrame(err.stack ?? '');
  if (thrownAt !== undefined) return error(`${err.name}: ${err.message} (thrown while loading the module)`, thrownAt);
  return error(`cannot load this module: ${err.message}`, { file, line: 1, col: 1 });
}

/** Node's message, with what role code may not use, or the export of rig a misspelt import meant. */
function syntaxMessage(err: SyntaxError, rigExports: readonly string[]): string {
  if ((err as { code?: unknown }).code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') return `${err.message}: ${STRIP_ONLY}`;
  const missing = /^The requested module 'rig' does not provide an export named '(.+)'$/.exec(err.message)?.[1];
  return missing === undefined ? err.message : `${err.message}${didYouMean(missing, rigExports)}`;
}

function importMessage(err: ModuleImportError): string {
  const spec = err.specifier;
  const head = `cannot import "${spec}"`;
  const local = /^(\.\.?\/|\/|file:)/.test(spec);
  switch (err.code) {
    case 'ERR_MODULE_NOT_FOUND':
      if (local) return `${head}: no such file (${fileURLToPath(new URL(spec, pathToFileURL(err.importer)))})`;
      return (
        `${head}: no package of that name is installed for this repository (roles and smoke checks may import "rig", ` +
        "node: built-ins, the repository's own files, and packages installed in the repository with npm)"
      );
    case 'ERR_UNKNOWN_BUILTIN_MODULE':
      return `${head}: Node has no built-in module of that name`;
    case 'ERR_UNSUPPORTED_DIR_IMPORT':
      return `${head}: it is a directory; name the file (e.g. ${spec.replace(/\/$/, '')}/index.ts)`;
    case 'ERR_PACKAGE_PATH_NOT_EXPORTED':
      return `${head}: the package does not export that path`;
    default:
      return `${head}: ${err.code}`;
  }
}

/**
 * The location Node prints atop a SyntaxError's stack: `<file or file:// URL>:<line>`, the source line(s), then a line
 * of carets under the offending code (the column). Undefined when the stack does not start that way.
 */
export function arrowLocation(stack: string): SourceLocation | undefined {
  const lines = stack.split('\n');
  const head = /^(file:\/\/\S+|\/.*):(\d+)$/.exec(lines[0] ?? '');
  if (head?.[1] === undefined || head[2] === undefined) return undefined;
  const file = head[1].startsWith('file:') ? fileURLToPath(head[1]) : head[1];
  const carets = lines.slice(1, 6).find((l) => /^\s*\^+\s*$/.test(l));
  return { file, line: Number(head[2]), col: carets === undefined ? 1 : carets.indexOf('^') + 1 };
}

/** rig's own modules (src/ under vitest, dist/src/ built): a frame there is rig's, not the repository's. */
const RIG_DIR = `${path.dirname(fileURLToPath(RIG_API))}${path.sep}`;

/** The innermost stack frame in a TypeScript file of the repository (where a module threw while it loaded). */
export function firstProjectFrame(stack: string): SourceLocation | undefined {
  // file:// URLs from Node; plain paths from vite's module runner (tests)
  for (const m of stack.matchAll(/(file:\/\/[^\s()]+|\/[^\s():]+):(\d+):(\d+)/g)) {
    const [, where = '', line = '', col = ''] = m;
    const url = where.startsWith('file:') ? where : pathToFileURL(where).href;
    const file = url.startsWith('file:') ? fileURLToPath(url) : '';
    if (isProjectSource(url) && !file.startsWith(RIG_DIR)) return { file, line: Number(line), col: Number(col) };
  }
  return undefined;
}
