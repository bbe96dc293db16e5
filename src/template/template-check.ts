// Checks a parsed template before it runs: unknown helpers, wrong argument counts, partials. Collects every problem.
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { hashPairs, isCall, isPath, walk, type AstNode, type CallNode } from './errors/ast.js';
import { helperSpec, type HelperSpec } from './helpers.js';

/**
 * Handlebars' own helpers, still available (with strict arguments, see helper-runtime.ts). Not `log`: it writes to the
 * console directly, past the redactor every line rig prints goes through, so `{{log vault_x}}` would print a secret.
 */
export const BUILTIN_HELPERS: readonly string[] = ['if', 'unless', 'each', 'with', 'lookup'];

const LOG_MESSAGE =
  'the "log" helper is not supported: it prints past rig\'s secret masking (see values with rig inventory)';

/** Every problem of `program`, located in `file` (positions relative to the template text). */
export function checkTemplate(program: hbs.AST.Program, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  walk(program, (n) => {
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
      out.push(problem('partials are not supported in rig templates; render a value with a helper instead', n, file));
    } else if (n.type === 'Decorator' || n.type === 'DecoratorBlock') {
      out.push(problem('decorators are not supported in rig templates', n, file));
    } else if (isCall(n)) {
      const p = checkCall(n);
      if (p !== undefined) out.push(problem(p, n.path, file));
    }
  });
  return out;
}

function checkCall(n: CallNode): string | undefined {
  const pairs = hashPairs(n);
  const callsHelper = n.type === 'SubExpression' || n.params.length > 0 || pairs.length > 0;
  const name = simpleName(n.path);
  const spec = name === undefined ? undefined : helperSpec(name);
  if (name === 'log') return LOG_MESSAGE;
  if (!callsHelper) {
    if (name === undefined || spec === undefined || spec.minArgs === 0) return undefined;
    return `"${name}" is a helper and needs an argument; to print a variable named "${name}", write {{./${name}}}`;
  }
  if (name === undefined || (spec === undefined && !BUILTIN_HELPERS.includes(name))) {
    return `unknown helper "${label(n.path)}"`;
  }
  return spec === undefined ? undefined : checkArity(name, spec, n.params.length, pairs);
}

function checkArity(
  name: string,
  spec: HelperSpec,
  count: number,
  pairs: readonly hbs.AST.HashPair[],
): string | undefined {
  if (count < spec.minArgs || count > spec.maxArgs) {
    const range = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} or ${spec.maxArgs}`;
    return `helper "${name}" takes ${range} argument${spec.maxArgs === 1 ? '' : 's'}, got ${count}`;
  }
  const unknown = pairs.find((p) => !spec.hash.includes(p.key));
  if (unknown === undefined) return undefined;
  const allowed = spec.hash.length > 0 ? ` (it has: ${spec.hash.join(', ')})` : '';
  return `helper "${name}" has no option "${unknown.key}"${allowed}`;
}

/** The name of a plain one-segment path (`env`), or undefined for `a.b`, `./x`, `@x`, `../x` and literals. */
function simpleName(path: AstNode): string | undefined {
  if (!isPath(path) || path.data || path.depth !== 0 || path.parts.length !== 1) return undefined;
  return path.original === path.parts[0] ? path.original : undefined;
}

function label(path: AstNode): string {
  if (isPath(path)) return path.original;
  return String((path as AstNode & { original?: unknown }).original);
}

function problem(message: string, node: AstNode, file: string): Diagnostic {
  const start = (node.loc as hbs.AST.SourceLocation | undefined)?.start;
  return { severity: 'error', message, loc: { file, line: start?.line ?? 1, col: (start?.column ?? 0) + 1 } };
}
