// Adapts the template layer's renderString to the variable resolver: `{{ other_var }}` inside variable values.
import type { Redactor } from '../../core/redact/redactor.js';
import { renderString } from '../../template/index.js';
import type { Interpolate } from './resolve-vars.js';

/** An Interpolate that renders with strict Handlebars and knows the run's secrets. */
export function interpolateString(redactor: Redactor): Interpolate {
  return (text, context, loc) => renderString(text, context, { redactor, loc });
}
