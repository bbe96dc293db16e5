// The one POSIX renderer: turns a Cmd tree into sh syntax (for running) or a masked one-liner (for people).
import { isSecret, type Cmd, type ExecNode, type Redirection, type Secret } from './cmd.js';
import { MASK } from '../redact/redactor.js';
import { quote, quoteCommandName } from './shell-quote.js';

/** Binding strength of each node: a child binding more loosely than its parent is grouped in `{ …; }`. */
// `!` applies to a whole pipeline, so it binds more loosely than `|` and more tightly than `&&`.
const PRECEDENCE: Record<Cmd['kind'], number> = { seq: 1, and: 2, or: 2, not: 2.5, pipe: 3, redirect: 5, exec: 5 };
const OPERATOR = { and: ' && ', or: ' || ', seq: '; ', pipe: ' | ' } as const;

/** How a secret environment value is written: a variable reference when running, `***` when displaying. */
type SecretText = (s: Secret) => string;

/** Prefix of the shell variables that hold secrets read from stdin (see remote.ts). */
export const SECRET_VAR_PREFIX = '__rig_secret_';

/** Renders runnable sh syntax; the n-th secret (in tree order) becomes `"$__rig_secret_n"`, never its value. */
export function render(node: Cmd): string {
  let n = 0;
  return renderNode(node, () => `"$${SECRET_VAR_PREFIX}${n++}"`);
}

/** Renders for humans (logs, errors, plans): the same text as `render` but each secret shows as `***`. */
export function display(node: Cmd): string {
  return renderNode(node, () => MASK);
}

/** The secrets of a tree, in the order `render` numbers them. */
export function secretsOf(node: Cmd): readonly Secret[] {
  switch (node.kind) {
    case 'exec':
      return Object.values(node.env ?? {}).filter(isSecret);
    case 'not':
    case 'redirect':
      return secretsOf(node.cmd);
    case 'and':
    case 'or':
    case 'seq':
    case 'pipe':
      return node.parts.flatMap(secretsOf);
  }
}

function renderNode(node: Cmd, secretText: SecretText): string {
  switch (node.kind) {
    case 'exec':
      return renderExec(node, secretText);
    case 'not':
      return `! ${renderChild(node.cmd, node, secretText)}`;
    case 'redirect':
      return [renderChild(node.cmd, node, secretText), ...node.redirections.map(renderRedirection)].join(' ');
    case 'and':
    case 'or':
    case 'seq':
    case 'pipe':
      return node.parts.map((p) => renderChild(p, node, secretText)).join(OPERATOR[node.kind]);
  }
}

/** Groups a child in `{ …; }` when it binds more loosely than its parent, or is a different list at the same level. */
function renderChild(child: Cmd, parent: Cmd, secretText: SecretText): string {
  const text = renderNode(child, secretText);
  const pc = PRECEDENCE[child.kind];
  const pp = PRECEDENCE[parent.kind];
  const needsGroup =
    pc < pp ||
    (pc === pp && child.kind !== parent.kind && child.kind !== 'exec') ||
    (parent.kind === 'redirect' && child.kind !== 'exec');
  return needsGroup ? `{ ${text}; }` : text;
}

function renderExec(node: ExecNode, secretText: SecretText): string {
  const env = Object.entries(node.env ?? {}).map(([k, v]) => `${k}=${isSecret(v) ? secretText(v) : quote(v)}`);
  const [name, ...args] = node.argv;
  if (name === undefined) throw new Error('exec: argv must not be empty');
  return [...env, quoteCommandName(name), ...args.map(quote)].join(' ');
}

function renderRedirection(r: Redirection): string {
  const fd = (r.op === '<' && r.fd === 0) || (r.op !== '<' && r.fd === 1) ? '' : String(r.fd);
  return r.op === '>&' ? `${fd}>&${r.toFd}` : `${fd}${r.op} ${quote(r.path)}`;
}
