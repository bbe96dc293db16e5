// Where a piece of text first occurs in a module of the repository, as a location for a diagnostic.
import { readFileSync } from 'node:fs';
import type { SourceLocation } from '../core/errors/diagnostic.js';

/**
 * The first place any of `needles` occurs in `file` not right after an identifier character (so `key:` does not match
 * `other_key:`), or 1:1 when none does or the file cannot be read.
 */
export function locateText(file: string, needles: readonly string[]): SourceLocation {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { file, line: 1, col: 1 };
  }
  const patterns = needles.map((n) => new RegExp(`(?<![\\w$])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g'));
  for (const [i, line] of text.split('\n').entries()) {
    const cols = patterns.flatMap((p) => [...line.matchAll(p)].map((m) => m.index));
    if (cols.length > 0) return { file, line: i + 1, col: Math.min(...cols) + 1 };
  }
  return { file, line: 1, col: 1 };
}
