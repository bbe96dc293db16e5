// Spots Jinja filter syntax (`{{ x | default('y') }}`) left over from Ansible templates, before Handlebars misreads it.
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { positionOf } from './errors/parse-error.js';

export const JINJA_FILTER_MESSAGE = 'Jinja filters are not supported; use Handlebars helpers, e.g. {{default x "y"}}';

/** Comments first so that a `|` inside `{{!-- ... --}}` is skipped; group 1 is a mustache's inside. */
const MUSTACHE = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|\{\{([\s\S]*?)\}\}/g;
/** String literals and `as |a b|` block parameters, the two legitimate places for `|`. */
const NOT_A_FILTER = /"[^"]*"|'[^']*'|\bas\s+\|[^|]*\|/g;

/**
 * One diagnostic per mustache holding a `|` outside string literals and block parameters, located at that `|`.
 * Handlebars would otherwise report a baffling parse error about block params, or none at all.
 */
export function findJinjaFilters(text: string, file: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const m of text.matchAll(MUSTACHE)) {
    const inside = m[1];
    if (inside === undefined) continue;
    const blanked = inside.replace(NOT_A_FILTER, (s) => ' '.repeat(s.length));
    const pipe = blanked.indexOf('|');
    if (pipe < 0) continue;
    const at = positionOf(text, m.index + 2 + pipe);
    found.push({ severity: 'error', message: JINJA_FILTER_MESSAGE, loc: { file, ...at } });
  }
  return found;
}
