// Walks a Handlebars AST and indexes it by source position, so runtime errors can name the exact variable.
// The AST types live in the global `hbs` namespace that Handlebars' typings declare.
import type {} from 'handlebars';

export type AstNode = hbs.AST.Node;
export type PathNode = hbs.AST.PathExpression;
/** A node that may call a helper: `{{name ...}}`, `{{#name ...}}`, `(name ...)`. */
export type CallNode = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

/** Positions inside the template text (line 1-based, column 0-based, as Handlebars reports them). */
export interface TemplateIndex {
  /** Every path expression by the position where it starts. */
  readonly paths: ReadonlyMap<string, PathNode>;
  /** Every call by the position where it starts (what Handlebars hands helpers as `options.loc`). */
  readonly calls: ReadonlyMap<string, CallNode>;
  /** Path expressions in document order. */
  readonly pathList: readonly PathNode[];
}

/** The map key for a Handlebars position. */
export function posKey(line: number, column: number): string {
  return `${line}:${column}`;
}

/** Visits `node` and its descendants in document order. */
export function walk(node: AstNode, visit: (n: AstNode) => void): void {
  visit(node);
  for (const child of childrenOf(node)) walk(child, visit);
}

/** Builds the position index of a parsed template. */
export function indexTemplate(program: hbs.AST.Program): TemplateIndex {
  const paths = new Map<string, PathNode>();
  const calls = new Map<string, CallNode>();
  const pathList: PathNode[] = [];
  walk(program, (n) => {
    const at = n.loc as hbs.AST.SourceLocation | undefined;
    if (at === undefined) return;
    if (isPath(n)) {
      paths.set(posKey(at.start.line, at.start.column), n);
      pathList.push(n);
    } else if (isCall(n)) {
      calls.set(posKey(at.start.line, at.start.column), n);
    }
  });
  return { paths, calls, pathList };
}

export function isPath(n: AstNode | undefined): n is PathNode {
  return n?.type === 'PathExpression';
}

export function isCall(n: AstNode): n is CallNode {
  return n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression';
}

/** The `key=value` pairs of a call; Handlebars leaves `hash` undefined when there are none. */
export function hashPairs(n: { hash?: hbs.AST.Hash | undefined }): readonly hbs.AST.HashPair[] {
  return n.hash?.pairs ?? [];
}

function childrenOf(n: AstNode): AstNode[] {
  const node = n as AstNode &
    Partial<Record<'body' | 'params', AstNode[]>> &
    Partial<Record<'path' | 'name' | 'program' | 'inverse', AstNode>>;
  const out: AstNode[] = [];
  if (node.body) out.push(...node.body);
  if (node.path) out.push(node.path);
  if (node.name) out.push(node.name);
  if (node.params) out.push(...node.params);
  out.push(...hashPairs(node as { hash?: hbs.AST.Hash }).map((p) => p.value));
  if (node.program) out.push(node.program);
  if (node.inverse) out.push(node.inverse);
  return out;
}
