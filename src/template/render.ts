// Renders a compiled template against a host's variables; every failure becomes a located diagnostic.
import { DiagnosticsError } from '../core/errors/diagnostic.js';
import type { Redactor } from '../core/redact/redactor.js';
import type { CompiledTemplate, PreparedTemplate } from './compile.js';
import { withRenderState, type RenderState } from './helper-runtime.js';
import { fileLocator, type Locator } from './errors/locate.js';
import { renderErrorDiagnostic } from './errors/render-error.js';

/** A rendered template; `sensitive` asks the engine to mask the whole file in diffs and plans. */
export interface RenderedTemplate {
  readonly text: string;
  readonly sensitive: boolean;
}

/**
 * Renders `tpl` with `context`. `sensitive` is true when the output contains a secret the redactor knows, or when
 * any helper (including `if`/`each`) was handed a secret: `{{b64 secret}}` hides the plaintext from `touches` but
 * is as secret as the plaintext. Throws DiagnosticsError (`missing variable "x" ...` at file:line:col, helper misuse).
 */
export function renderTemplate(
  tpl: CompiledTemplate,
  context: Record<string, unknown>,
  opts: { redactor: Redactor },
): RenderedTemplate {
  return renderPrepared(tpl.prepared, context, opts.redactor, fileLocator(tpl.file));
}

/** renderTemplate's engine, with locations anchored by `locate`. */
export function renderPrepared(
  prepared: PreparedTemplate,
  context: Record<string, unknown>,
  redactor: Redactor,
  locate: Locator,
): RenderedTemplate {
  const state: RenderState = { sensitive: false, redactor, index: prepared.index, locate };
  let text: string;
  try {
    text = withRenderState(state, (helpers) => prepared.run(context, { helpers }));
  } catch (err) {
    throw asDiagnostics(err, state, redactor);
  }
  return { text, sensitive: state.sensitive || redactor.touches(text) };
}

/** Messages name variables, never values; redacting them anyway guards against a helper quoting its input. */
function asDiagnostics(err: unknown, state: RenderState, redactor: Redactor): unknown {
  if (err instanceof DiagnosticsError) {
    return new DiagnosticsError(err.diagnostics.map((d) => ({ ...d, message: redactor.redact(d.message) })));
  }
  const d = renderErrorDiagnostic(err, state.index, state.locate);
  return d ? new DiagnosticsError([{ ...d, message: redactor.redact(d.message) }]) : err;
}
