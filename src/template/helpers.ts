// The template helpers roles use to emit config formats from data (env, yaml, json) and small text transforms.
import { stringifyYaml } from '../core/yaml-text.js';
import { EnvFileError, formatEnvLine } from './env/env-file.js';

/** A helper's arguments, its `key=value` hash, and for block use the rendered block body. */
export interface HelperCall {
  readonly args: readonly unknown[];
  readonly hash: Readonly<Record<string, unknown>>;
  readonly block?: (() => string) | undefined;
}

/** What a helper accepts (checked when the template is compiled) and what it does (pure). */
export interface HelperSpec {
  readonly minArgs: number;
  readonly maxArgs: number;
  readonly hash: readonly string[];
  /** True only for `default`: its first argument may legitimately be a missing variable (the others may not). */
  readonly lenientFirstArg: boolean;
  readonly run: (call: HelperCall) => unknown;
}

/** A helper was called with arguments it cannot use; the runtime adds the call's file:line:col. */
export class HelperError extends Error {
  override readonly name = 'HelperError';
}

/** The rig helpers, by name. */
export const HELPERS: Readonly<Record<string, HelperSpec>> = {
  env: spec(1, 1, [], ({ args }) => renderEnv(args[0])),
  yaml: spec(1, 1, ['indent'], ({ args, hash }) => renderYaml(args[0], hash.indent)),
  json: spec(1, 1, ['indent'], ({ args, hash }) => renderJson(args[0], hash.indent)),
  default: {
    ...spec(2, 2, [], ({ args }) => (args[0] === undefined || args[0] === null ? args[1] : args[0])),
    lenientFirstArg: true,
  },
  eq: spec(2, 2, [], ({ args }) => args[0] === args[1]),
  join: spec(1, 2, [], ({ args }) => renderJoin(args[0], args[1] ?? '')),
  indent: spec(1, 2, [], ({ args, block }) => renderIndent(args[0], block ? block() : args[1], block !== undefined)),
  quote: spec(1, 1, [], ({ args }) => `'${scalar(args[0], 'quote').replace(/'/g, "'\\''")}'`),
  b64: spec(1, 1, [], ({ args }) => Buffer.from(scalar(args[0], 'b64'), 'utf8').toString('base64')),
};

function spec(minArgs: number, maxArgs: number, hash: readonly string[], run: HelperSpec['run']): HelperSpec {
  return { minArgs, maxArgs, hash, lenientFirstArg: false, run };
}

/** `KEY=value` lines in insertion order, no trailing newline: the template's own line end closes the file. */
function renderEnv(value: unknown): string {
  const entries = plainObject(value, 'env');
  try {
    return Object.entries(entries)
      .map(([k, v]) => formatEnvLine(k, v))
      .join('\n');
  } catch (err) {
    if (err instanceof EnvFileError) throw new HelperError(`env: ${err.message}`);
    throw err;
  }
}

/**
 * YAML from the `yaml` package (strings read back byte-exact: core/yaml-text.ts), without the final newline (the
 * template supplies it).
 */
function renderYaml(value: unknown, indent: unknown): string {
  const width = indent === undefined ? 2 : integer(indent, 'yaml indent', 1, 16);
  return stringifyYaml(value, { indent: width }).replace(/\n$/, '');
}

function renderJson(value: unknown, indent: unknown): string {
  const width = indent === undefined ? 2 : integer(indent, 'json indent', 0, 10);
  const text = JSON.stringify(value, null, width) as string | undefined;
  if (text === undefined) throw new HelperError('json: the value has no JSON form');
  return text;
}

function renderJoin(list: unknown, separator: unknown): string {
  if (!Array.isArray(list)) throw new HelperError(`join: first argument must be a list, not ${kindOf(list)}`);
  return list.map((item) => scalar(item, 'join')).join(scalar(separator, 'join separator'));
}

/** Indents every non-empty line by `count` spaces (empty lines stay empty: no trailing whitespace). */
function renderIndent(count: unknown, text: unknown, isBlock: boolean): string {
  const width = integer(count, 'indent width', 0, 64);
  if (!isBlock && text === undefined)
    throw new HelperError('indent: expected {{indent N text}} or {{#indent N}}...{{/indent}}');
  const pad = ' '.repeat(width);
  return scalar(text, 'indent')
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

function plainObject(value: unknown, helper: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HelperError(`${helper}: argument must be a mapping, not ${kindOf(value)}`);
  }
  return value as Record<string, unknown>;
}

function scalar(value: unknown, what: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HelperError(`${what}: expected a string, number or boolean, not ${kindOf(value)}`);
}

function integer(value: unknown, what: string, min: number, max: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new HelperError(`${what} must be an integer from ${min} to ${max}`);
}

/** Describes a value's type for messages; never its content, which may be a secret. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** The spec of a rig helper, or undefined (own keys only: `constructor` is not a helper). */
export function helperSpec(name: string): HelperSpec | undefined {
  return Object.hasOwn(HELPERS, name) ? HELPERS[name] : undefined;
}
