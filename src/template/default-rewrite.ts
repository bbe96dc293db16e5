// Lets `{{default a.b.c "x"}}` fall back when `a` itself is missing, which strict Handlebars cannot do alone.
import { isCall, isPath, walk, type PathNode } from './errors/ast.js';

/** The internal helper that walks `base` through `keys`, yielding undefined at the first missing step. */
export const SAFE_GET = '__rig_get';

/**
 * Helper arguments are looked up non-strictly by Handlebars, so `{{default x "y"}}` already works for a missing
 * `x`. A dotted path is different: `a.b` with `a` missing throws a TypeError before any helper runs. So the
 * first argument of every `default` call, when a dotted path, becomes `(__rig_get a "b" "c")`, which keeps
 * the first segment's scope (`this.`, `../`, `@root`, block params) and walks the rest safely. Mutates `program`.
 */
export function rewriteDefaults(program: hbs.AST.Program): void {
  walk(program, (n) => {
    if (!isCall(n) || !isPath(n.path) || n.path.original !== 'default') return;
    const first = n.params[0];
    if (isPath(first) && first.parts.length > 1) n.params[0] = safeGet(first);
  });
}

/** The runtime half: `{{__rig_get base "k1" "k2"}}`. */
export function safeGetHelper(...args: unknown[]): unknown {
  const keys = args.slice(1, -1);
  let value = args[0];
  for (const key of keys) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, String(key))) return undefined;
    value = (value as Record<string, unknown>)[String(key)];
  }
  return value;
}

function safeGet(path: PathNode): hbs.AST.SubExpression {
  const [head = '', ...rest] = path.parts;
  const prefix = /^(?:@|(?:\.\.\/)+|this[./]|\.\/)?/.exec(path.original)?.[0] ?? '';
  const base: PathNode = { ...path, parts: [head], original: prefix + head };
  const helper: PathNode = {
    type: 'PathExpression',
    data: false,
    depth: 0,
    parts: [SAFE_GET],
    original: SAFE_GET,
    loc: path.loc,
  };
  const keys = rest.map((key): hbs.AST.StringLiteral => ({
    type: 'StringLiteral',
    value: key,
    original: key,
    loc: path.loc,
  }));
  return {
    type: 'SubExpression',
    path: helper,
    params: [base, ...keys],
    loc: path.loc,
  } as unknown as hbs.AST.SubExpression;
}
