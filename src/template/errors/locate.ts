// Maps positions inside a template's text to locations in the user's files (a template file, or a YAML value).
import type { Diagnostic, SourceLocation } from '../../core/errors/diagnostic.js';

/** Turns a 1-based line and column inside the template text into a location in a file. */
export type Locator = (line: number, col: number) => SourceLocation;

/** Positions in a template file are positions in that file. */
export function fileLocator(file: string): Locator {
  return (line, col) => ({ file, line, col });
}

/**
 * Positions in a string that sits at `loc` (its first character) in a YAML file. On the string's first line the
 * column is offset exactly; later lines of a multi-line scalar depend on YAML folding, so they map to `loc` itself.
 */
export function stringLocator(loc: SourceLocation): Locator {
  return (line, col) => (line === 1 ? { file: loc.file, line: loc.line, col: loc.col + col - 1 } : loc);
}

/** Re-anchors a diagnostic whose `loc` is relative to the template text. */
export function relocate(d: Diagnostic, locate: Locator): Diagnostic {
  return d.loc ? { ...d, loc: locate(d.loc.line, d.loc.col) } : d;
}
