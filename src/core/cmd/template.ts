// The `cmd` tagged template: literal text splits into words on whitespace, each `${}` is one argument.
import { exec, type ExecNode } from './cmd.js';

/** Characters that would mean shell syntax in literal text; operators are nodes (and, pipe, …), not text. */
const SHELL_SYNTAX = /['"`$\\;&|<>(){}*?[\]~#]/;

/** A value accepted in `${}`: exactly one argument. Secrets are not accepted (they never ride argv). */
export type TemplateValue = string | number;

/**
 * Builds an exec node: `cmd\`mkdir -p ${dir}\`` is `exec(['mkdir', '-p', dir])` whatever `dir` holds.
 * A `${}` adjacent to literal text joins that word (`--name=${n}` is one argument); an empty value is an
 * empty argument. Literal text must not contain shell syntax (quotes, `$`, `;`, `|`, …): it throws,
 * because such text would be passed literally, not interpreted; use the operator builders instead.
 */
export function cmd(strings: TemplateStringsArray, ...values: readonly TemplateValue[]): ExecNode {
  const words: string[] = [];
  let current: string | undefined;
  strings.forEach((literal, i) => {
    if (SHELL_SYNTAX.test(literal)) {
      throw new Error(
        `cmd: literal text ${JSON.stringify(literal)} contains shell syntax; pass it as a \${} value or use an operator`,
      );
    }
    const pieces = literal.split(/\s+/);
    pieces.forEach((piece, j) => {
      if (j > 0 && current !== undefined) {
        words.push(current);
        current = undefined;
      }
      if (piece !== '') current = (current ?? '') + piece;
    });
    if (i < values.length) current = (current ?? '') + String(values[i]);
  });
  if (current !== undefined) words.push(current);
  return exec(words);
}
