// Remote commands as data: an argv tree with shell operators as nodes, built by pure functions and rendered once.

/**
 * A secret value. It is never an argv element (argv is `readonly string[]`, so passing one is a type
 * error). It can only be an environment value of an `exec` node: the renderer sends the value over the
 * channel's stdin and the script `read`s it into a shell variable, so it appears in no command line.
 */
export interface Secret {
  readonly secret: string;
}

/** An environment value: plain text is rendered inline (quoted), a secret travels over stdin. */
export type EnvValue = string | Secret;

/** One program invocation: `NAME=value … argv[0] argv[1] …`. */
export interface ExecNode {
  readonly kind: 'exec';
  readonly argv: readonly string[];
  readonly env?: Readonly<Record<string, EnvValue>>;
}

/** `a && b && …`, `a || b || …`, `a; b; …`, `a | b | …`. */
export interface ListNode {
  readonly kind: 'and' | 'or' | 'seq' | 'pipe';
  readonly parts: readonly Cmd[];
}

/** `! cmd`: inverts the exit status. */
export interface NotNode {
  readonly kind: 'not';
  readonly cmd: Cmd;
}

/** A redirection of file descriptor `fd`: to/from a file, or duplicated onto another descriptor (`2>&1`). */
export type Redirection =
  | { readonly fd: number; readonly op: '>' | '>>' | '<'; readonly path: string }
  | { readonly fd: number; readonly op: '>&'; readonly toFd: number };

/** `cmd` with redirections applied to it as a whole (compound commands are grouped in `{ …; }`). */
export interface RedirectNode {
  readonly kind: 'redirect';
  readonly cmd: Cmd;
  readonly redirections: readonly Redirection[];
}

/** A command tree. Build it with the functions below; render it with `render`/`display` (render.ts). */
export type Cmd = ExecNode | ListNode | NotNode | RedirectNode;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Marks a value as secret: it will be shown as `***` and sent over stdin, never on a command line. */
export function secret(value: string): Secret {
  return { secret: value };
}

/** True for a `Secret` (as opposed to a plain string). */
export function isSecret(v: EnvValue): v is Secret {
  return typeof v === 'object';
}

/** A program invocation from an argv array; `env` sets variables for that program only. */
export function exec(argv: readonly string[], env?: Readonly<Record<string, EnvValue>>): ExecNode {
  if (argv.length === 0) throw new Error('exec: argv must not be empty');
  if (env === undefined) return { kind: 'exec', argv: [...argv] };
  for (const name of Object.keys(env)) {
    if (!ENV_NAME.test(name)) throw new Error(`exec: invalid environment variable name ${JSON.stringify(name)}`);
  }
  return { kind: 'exec', argv: [...argv], env: { ...env } };
}

/** Adds environment variables to an exec node (later values win). */
export function withEnv(node: ExecNode, env: Readonly<Record<string, EnvValue>>): ExecNode {
  return exec(node.argv, { ...node.env, ...env });
}

/**
 * `/bin/sh -c 'script' sh "$1" …`: a small script whose inputs are positional parameters, never
 * interpolated into its text. In the script refer to them as `"$1"`, `"$2"`, or `"$@"`.
 */
export function sh(script: string, ...args: readonly string[]): ExecNode {
  return exec(['/bin/sh', '-c', script, 'sh', ...args]);
}

/** An `sh` node taken apart (its script, `$0` and arguments), or undefined for any other command. */
export function shScriptOf(node: Cmd): { script: string; name: string; args: readonly string[] } | undefined {
  if (node.kind !== 'exec' || node.env !== undefined || node.argv[0] !== '/bin/sh' || node.argv[1] !== '-c')
    return undefined;
  const [, , script, name, ...args] = node.argv;
  return script === undefined || name === undefined ? undefined : { script, name, args };
}

function list(kind: ListNode['kind'], parts: readonly Cmd[]): Cmd {
  if (parts.length === 0) throw new Error(`${kind}: needs at least one command`);
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  // Flatten nested lists of the same operator: (a && b) && c is a && b && c.
  const flat = parts.flatMap((p) => (p.kind === kind ? p.parts : [p]));
  return { kind, parts: flat };
}

/** `a && b && …`: runs each command while the previous succeeded. */
export function and(...parts: readonly Cmd[]): Cmd {
  return list('and', parts);
}

/** `a || b || …`: runs each command while the previous failed. */
export function or(...parts: readonly Cmd[]): Cmd {
  return list('or', parts);
}

/** `a; b; …`: runs all commands; the status is the last one's. */
export function seq(...parts: readonly Cmd[]): Cmd {
  return list('seq', parts);
}

/** `a | b | …`: pipes stdout into the next command's stdin; the status is the last one's. */
export function pipe(...parts: readonly Cmd[]): Cmd {
  return list('pipe', parts);
}

/** `! cmd`. */
export function not(cmd: Cmd): NotNode {
  return { kind: 'not', cmd };
}

/** Applies redirections to `cmd`, e.g. `redirect(c, { fd: 1, op: '>', path: '/tmp/out' })`. */
export function redirect(cmd: Cmd, ...redirections: readonly Redirection[]): RedirectNode {
  if (cmd.kind === 'redirect')
    return { kind: 'redirect', cmd: cmd.cmd, redirections: [...cmd.redirections, ...redirections] };
  return { kind: 'redirect', cmd, redirections };
}

/** `cmd > path` (or `>> path` with `append`). */
export function toFile(cmd: Cmd, path: string, opts: { append?: boolean } = {}): RedirectNode {
  return redirect(cmd, { fd: 1, op: opts.append === true ? '>>' : '>', path });
}

/** `cmd < path`. */
export function fromFile(cmd: Cmd, path: string): RedirectNode {
  return redirect(cmd, { fd: 0, op: '<', path });
}

/** `cmd 2>&1`: stderr goes where stdout goes. */
export function mergeStderr(cmd: Cmd): RedirectNode {
  return redirect(cmd, { fd: 2, op: '>&', toFd: 1 });
}
