// Turns what a strict Handlebars render throws into a diagnostic naming the variable and its file:line:col.
import Handlebars from 'handlebars';
import type { Diagnostic, SourceLocation } from '../../core/errors/diagnostic.js';
import { posKey, type TemplateIndex } from './ast.js';
import type { Locator } from './locate.js';

/** The diagnostic for a variable the context lacks. */
export function missingVariable(name: string, loc: SourceLocation, detail = 'not defined for this host'): Diagnostic {
  return { severity: 'error', message: `missing variable "${name}" (${detail})`, loc };
}

/**
 * Handlebars' strict lookups throw an Exception carrying `lineNumber` (1-based) and `column` (0-based) of the path,
 * with only its last segment in the message; the index gives the whole path. A missing intermediate
 * (`a.b` with `a` undefined) instead surfaces as a bare V8 TypeError without location: it is traced back to the
 * first path in the template that reads that property. Anything else returns undefined (a bug, rethrown as is).
 */
export function renderErrorDiagnostic(err: unknown, index: TemplateIndex, locate: Locator): Diagnostic | undefined {
  if (err instanceof Handlebars.Exception) {
    const {
      message,
      lineNumber: line,
      column,
    } = err as unknown as { message: string; lineNumber?: unknown; column?: unknown };
    if (typeof line !== 'number' || typeof column !== 'number') return { severity: 'error', message };
    const loc = locate(line, column + 1);
    const missing = /^"(.*)" not defined in (.*?)(?: - \d+:\d+)?$/.exec(message);
    if (!missing) return { severity: 'error', message: message.replace(/ - \d+:\d+$/, ''), loc };
    const path = index.paths.get(posKey(line, column));
    const parent = path && path.parts.length > 1 ? path.parts.slice(0, -1).join('.') : undefined;
    const parentIs = missing[2] === 'undefined' || missing[2] === 'null' ? missing[2] : undefined;
    const detail = parent !== undefined && parentIs !== undefined ? `"${parent}" is ${parentIs}` : undefined;
    return missingVariable(path?.original ?? missing[1] ?? '?', loc, detail);
  }
  if (err instanceof TypeError) return traceTypeError(err, index, locate);
  return undefined;
}

function traceTypeError(err: TypeError, index: TemplateIndex, locate: Locator): Diagnostic | undefined {
  const m = /^Cannot read properties of (undefined|null) \(reading '(.*)'\)$/.exec(err.message);
  if (!m) return undefined;
  const [, what = 'undefined', prop] = m;
  for (const path of index.pathList) {
    const i = path.parts.indexOf(prop ?? '');
    if (i < 1) continue;
    const { line, column } = path.loc.start;
    const parent = path.parts.slice(0, i).join('.');
    return missingVariable(path.parts.slice(0, i + 1).join('.'), locate(line, column + 1), `"${parent}" is ${what}`);
  }
  return undefined;
}
