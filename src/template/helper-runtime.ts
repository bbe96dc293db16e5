// Binds the helpers to one render: strict arguments (a missing variable is an error), error locations, secret tracking.
import Handlebars from 'handlebars';
import { DiagnosticsError, type SourceLocation } from '../core/errors/diagnostic.js';
import type { Redactor } from '../core/redact/redactor.js';
import { hashPairs, isPath, posKey, type CallNode, type TemplateIndex } from './errors/ast.js';
import { SAFE_GET, safeGetHelper } from './default-rewrite.js';
import { HELPERS, HelperError } from './helpers.js';
import type { Locator } from './errors/locate.js';
import { missingVariable } from './errors/render-error.js';
import { BUILTIN_HELPERS } from './template-check.js';

/** Mutable state of one render. */
export interface RenderState {
  /** Set when any helper received a secret, even if its output (e.g. base64) no longer contains it. */
  sensitive: boolean;
  readonly redactor: Redactor;
  readonly index: TemplateIndex;
  readonly locate: Locator;
}

type Helper = (this: unknown, ...args: unknown[]) => unknown;
interface Options {
  readonly hash: Record<string, unknown>;
  readonly fn?: (context: unknown) => string;
  readonly loc?: { start: { line: number; column: number } };
}

const builtins = Handlebars.create().helpers as Record<string, Helper>;

/**
 * Runs `render` with `state` as the render in progress and hands it the helpers to pass to the template run
 * (`{ helpers }` runtime option). The helpers are built once: they read the state of the render in progress, which
 * is set only while `render` runs (Handlebars calls helpers synchronously, within the run). A render started inside
 * a render (no helper does today) would get its own state and give the outer one back.
 */
export function withRenderState<T>(state: RenderState, render: (helpers: Record<string, Helper>) => T): T {
  const outer = current;
  current = state;
  try {
    return render(bound);
  } finally {
    current = outer;
  }
}

let current: RenderState | undefined;

function renderState(): RenderState {
  if (current === undefined) throw new Error('a template helper ran outside a render');
  return current;
}

function buildHelpers(): Record<string, Helper> {
  const out: Record<string, Helper> = { [SAFE_GET]: safeGetHelper };
  for (const [name, spec] of Object.entries(HELPERS)) {
    out[name] = bind(spec.lenientFirstArg, function (this: unknown, args, options) {
      const fn = options.fn;
      return spec.run({ args, hash: options.hash, block: fn ? () => fn(this) : undefined });
    });
  }
  for (const name of BUILTIN_HELPERS) {
    const original = builtins[name];
    if (original)
      out[name] = bind(false, function (this: unknown, args, options) {
        return original.apply(this, [...args, options]);
      });
  }
  return out;
}

/**
 * Handlebars looks helper arguments up non-strictly (a missing one arrives as undefined), so strictness is restored
 * here: an undefined argument written as a path is reported as a missing variable at that path's position.
 */
function bind(lenientFirstArg: boolean, run: (this: unknown, args: unknown[], options: Options) => unknown): Helper {
  return function (this: unknown, ...raw: unknown[]) {
    const state = renderState();
    const options = raw.pop() as Options;
    const call = options.loc
      ? state.index.calls.get(posKey(options.loc.start.line, options.loc.start.column))
      : undefined;
    checkArguments(raw, options, call, lenientFirstArg, state);
    if (!state.sensitive && (touchesSecret(raw, state.redactor) || touchesSecret(options.hash, state.redactor)))
      state.sensitive = true;
    try {
      return run.call(this, raw, options);
    } catch (err) {
      if (!(err instanceof HelperError)) throw err;
      throw new DiagnosticsError([{ severity: 'error', message: err.message, loc: callLocation(options, state) }]);
    }
  };
}

const bound = buildHelpers();

function checkArguments(
  args: readonly unknown[],
  options: Options,
  call: CallNode | undefined,
  lenientFirstArg: boolean,
  state: RenderState,
): void {
  if (call === undefined) return;
  const suspects = [
    ...call.params.map((p, i) => ({ node: p, value: i === 0 && lenientFirstArg ? null : args[i] })),
    ...hashPairs(call).map((p) => ({ node: p.value, value: options.hash[p.key] })),
  ];
  for (const { node, value } of suspects) {
    if (value !== undefined || !isPath(node)) continue;
    const { line, column } = node.loc.start;
    throw new DiagnosticsError([missingVariable(node.original, state.locate(line, column + 1))]);
  }
}

function callLocation(options: Options, state: RenderState): SourceLocation | undefined {
  return options.loc ? state.locate(options.loc.start.line, options.loc.start.column + 1) : undefined;
}

/** True when `value` is or contains (in strings, numbers, lists and mappings) a secret the redactor knows. */
export function touchesSecret(value: unknown, redactor: Redactor, depth = 0): boolean {
  if (redactor.size === 0 || depth > 32) return false;
  if (typeof value === 'string') return redactor.touches(value);
  if (typeof value === 'number' || typeof value === 'bigint') return redactor.touches(String(value));
  if (typeof value !== 'object' || value === null) return false;
  const items = Array.isArray(value) ? value : Object.entries(value).flat();
  return items.some((item) => touchesSecret(item, redactor, depth + 1));
}
