// The template layer's public API: strict Handlebars for role templates and variable strings, env-file formatting.
export { compileTemplate, type CompiledTemplate } from './compile.js';
export { renderTemplate, type RenderedTemplate } from './render.js';
export { renderString, type RenderedValue } from './render-string.js';
export { loadTemplateFile } from './load.js';
export { formatEnvFile, formatEnvLine, parseEnvFile, EnvFileError, type EnvScalar } from './env/env-file.js';
export { HELPERS, type HelperSpec } from './helpers.js';
export { JINJA_FILTER_MESSAGE } from './jinja-check.js';
