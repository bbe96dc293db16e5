// Renders a variable's string value that references other variables, Ansible style (`db_url: "{{ vault_db_url }}"`).
import { DiagnosticsError, type SourceLocation } from '../core/errors/diagnostic.js';
import type { Redactor } from '../core/redact/redactor.js';
import type { PathNode } from './errors/ast.js';
import { prepareTemplate } from './compile.js';
import { touchesSecret } from './helper-runtime.js';
import { stringLocator, type Locator } from './errors/locate.js';
import { renderPrepared } from './render.js';
import { missingVariable } from './errors/render-error.js';

/** A rendered variable: a string, or when the text was exactly one `{{path}}`, the referenced value itself. */
export interface RenderedValue {
  readonly value: unknown;
  readonly sensitive: boolean;
}

/**
 * Renders `text` against `context`. When the whole text is one `{{ path }}` the referenced value is returned
 * unchanged (a number stays a number, a mapping a mapping), as Ansible's native types do; otherwise the result is
 * a string. `opts.loc` is where the text's first character sits (for a quoted YAML scalar, just after the quote);
 * diagnostics on the first line are offset to the exact column. `sensitive` as in renderTemplate.
 */
export function renderString(
  text: string,
  context: Record<string, unknown>,
  opts: { redactor: Redactor; loc: SourceLocation },
): RenderedValue {
  if (!text.includes('{{')) return { value: text, sensitive: opts.redactor.touches(text) };
  const locate = stringLocator(opts.loc);
  const prepared = prepareTemplate(text, opts.loc.file, locate);
  const sole = prepared.soleVariable;
  if (sole && !sole.data && sole.depth === 0) {
    const value = lookupPath(sole, context, locate);
    return { value, sensitive: touchesSecret(value, opts.redactor) };
  }
  const { text: out, sensitive } = renderPrepared(prepared, context, opts.redactor, locate);
  return { value: out, sensitive };
}

/** Walks own properties only, like Handlebars' default (no prototype access). */
function lookupPath(path: PathNode, context: Record<string, unknown>, locate: Locator): unknown {
  let value: unknown = context;
  for (const [i, part] of path.parts.entries()) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) {
      const { line, column } = path.loc.start;
      throw new DiagnosticsError([missingVariable(path.parts.slice(0, i + 1).join('.'), locate(line, column + 1))]);
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
