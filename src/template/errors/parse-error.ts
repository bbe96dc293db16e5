// Turns Handlebars parse failures into diagnostics at the template's file:line:col.
import Handlebars from 'handlebars';
import type { Diagnostic } from '../../core/errors/diagnostic.js';

interface LexerLocation {
  first_line: number;
  first_column: number;
}

/**
 * Handlebars throws two kinds of parse errors:
 * - its own `Exception` (e.g. `each doesn't match if`) with `lineNumber` (1-based) and `column` (0-based);
 * - the Jison parser's plain `Error("Parse error on line N: ...")` with no location fields. For those the
 *   shared Jison lexer still holds the failing token's `yylloc` (line 1-based, column 0-based). Parsing is
 *   synchronous, so right after the throw it belongs to this parse.
 */
export function parseErrorDiagnostic(err: unknown, source: { file: string; text: string }): Diagnostic {
  const { file } = source;
  const e = err instanceof Error ? err : new Error(String(err));
  const fields = e as Error & { lineNumber?: unknown; column?: unknown };
  if (typeof fields.lineNumber === 'number' && typeof fields.column === 'number') {
    const message = e.message.replace(/ - \d+:\d+$/, '');
    return {
      severity: 'error',
      message: `template error: ${message}`,
      loc: { file, line: fields.lineNumber, col: fields.column + 1 },
    };
  }
  const opener = /got 'EOF'/.test(e.message) ? unclosedBlock(source.text) : undefined;
  if (opener) {
    return {
      severity: 'error',
      message: `template syntax error: {{#${opener.name}}} is never closed with {{/${opener.name}}}`,
      loc: { file, ...opener.at },
    };
  }
  const at = lexerLocation();
  const line = at?.first_line ?? Number(/on line (\d+)/.exec(e.message)?.[1] ?? 1);
  const col = at ? at.first_column + 1 : 1;
  return { severity: 'error', message: describeParseError(e.message), loc: { file, line, col } };
}

/** The innermost `{{#name}}` without its `{{/name}}`, found by a scan that skips comments; undefined if none. */
function unclosedBlock(text: string): { name: string; at: { line: number; col: number } } | undefined {
  const tag = /\{\{!--[\s\S]*?--\}\}|\{\{![\s\S]*?\}\}|\{\{~?\s*([#^/])\s*[*>]?\s*([^\s}~]+)/g;
  const open: { name: string; index: number }[] = [];
  for (const m of text.matchAll(tag)) {
    const [, kind, name] = m;
    if (kind === undefined || name === undefined) continue;
    if (kind !== '/') open.push({ name, index: m.index });
    else if (open.at(-1)?.name === name) open.pop();
  }
  const last = open.at(-1);
  return last ? { name: last.name, at: positionOf(text, last.index) } : undefined;
}

/** 1-based line and column of a string index. */
export function positionOf(text: string, index: number): { line: number; col: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, col: index - before.lastIndexOf('\n') };
}

/** Keeps Handlebars' "expecting X, got Y" line and says in words what an unexpected end of input means. */
function describeParseError(message: string): string {
  if (message.startsWith('Lexical error'))
    return 'template syntax error: unrecognized text (an unterminated comment or mustache?)';
  const expecting = message.split('\n').find((l) => l.startsWith('Expecting ')) ?? message.split('\n')[0] ?? message;
  const hint = /got 'EOF'/.test(expecting) ? ' (a block {{#...}} is not closed?)' : '';
  return `template syntax error: ${expecting.replace(/^Expecting/, 'expecting')}${hint}`;
}

function lexerLocation(): LexerLocation | undefined {
  const parser = (Handlebars as unknown as { Parser?: { lexer?: { yylloc?: unknown } } }).Parser;
  const loc = parser?.lexer?.yylloc;
  if (typeof loc !== 'object' || loc === null) return undefined;
  const { first_line, first_column } = loc as Record<string, unknown>;
  return typeof first_line === 'number' && typeof first_column === 'number' ? { first_line, first_column } : undefined;
}
