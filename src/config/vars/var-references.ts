// Finds which variables a `{{ … }}` string refers to, from Handlebars' own parser (no regex guessing).
import Handlebars from 'handlebars';

type Node = { type: string; [k: string]: unknown };

/** Root names of every path expression in `text` (`{{ a.b }}` → a; `{{default c "x"}}` → default, c). */
export function referencedNames(text: string): Set<string> {
  const names = new Set<string>();
  let ast: Node;
  try {
    ast = Handlebars.parse(text) as unknown as Node;
  } catch {
    return names; // the renderer reports syntax errors with their location
  }
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'PathExpression' && Array.isArray(n['parts'])) {
      // `@root.x` (data, under root) names variable x as surely as `x` does; other @data (`@index`) names none
      const parts = n['parts'] as unknown[];
      const head = n['data'] === true ? (parts[0] === 'root' ? parts[1] : undefined) : parts[0];
      if (typeof head === 'string' && head !== '') names.add(head);
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'loc') visit(v);
  };
  visit(ast);
  return names;
}

/** Whether a value (or any string inside it) contains a `{{` expression. */
export function hasExpression(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some(hasExpression);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
  return false;
}
