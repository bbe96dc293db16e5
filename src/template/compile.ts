// Compiles template text once (strict Handlebars, no HTML escaping) after checking it; compiled forms are cached by
// text.
import Handlebars from 'handlebars';
import { DiagnosticsError, type Diagnostic } from '../core/errors/diagnostic.js';
import { indexTemplate, isPath, type PathNode, type TemplateIndex } from './errors/ast.js';
import { rewriteDefaults } from './default-rewrite.js';
import { findJinjaFilters } from './jinja-check.js';
import { fileLocator, relocate, type Locator } from './errors/locate.js';
import { parseErrorDiagnostic } from './errors/parse-error.js';
import { checkTemplate } from './template-check.js';

/** A template checked and compiled, ready for `renderTemplate`. */
export interface CompiledTemplate {
  readonly file: string;
  readonly text: string;
  readonly prepared: PreparedTemplate;
}

/** The file-independent part, shared by every template with the same text. */
export interface PreparedTemplate {
  readonly index: TemplateIndex;
  /** Set when the whole text is one `{{path}}`: renderString then returns the value itself. */
  readonly soleVariable: PathNode | undefined;
  readonly run: HandlebarsTemplateDelegate;
}

/** Isolated from the global Handlebars instance: nothing registered here leaks to other users of the library. */
const handlebars = Handlebars.create();
const cache = new Map<string, PreparedTemplate>();
const CACHE_LIMIT = 2000;

/**
 * Checks and compiles a template file's text; throws DiagnosticsError (every problem found, each at file:line:col)
 * for Jinja filters, syntax errors, unknown helpers, wrong helper arity and partials.
 */
export function compileTemplate(source: { file: string; text: string }): CompiledTemplate {
  return {
    file: source.file,
    text: source.text,
    prepared: prepareTemplate(source.text, source.file, fileLocator(source.file)),
  };
}

/** compileTemplate's engine, with diagnostics anchored by `locate` (a template file, or a string inside YAML). */
export function prepareTemplate(text: string, file: string, locate: Locator): PreparedTemplate {
  const hit = cache.get(text);
  if (hit) return hit;
  const fail = (ds: readonly Diagnostic[]): never => {
    throw new DiagnosticsError(ds.map((d) => relocate(d, locate)));
  };
  const jinja = findJinjaFilters(text, file);
  if (jinja.length > 0) fail(jinja);
  let ast: hbs.AST.Program;
  try {
    ast = handlebars.parseWithoutProcessing(text);
  } catch (err) {
    return fail([parseErrorDiagnostic(err, { file, text })]);
  }
  const problems = checkTemplate(ast, file);
  if (problems.length > 0) fail(problems);
  const prepared = { index: indexTemplate(ast), soleVariable: soleVariable(ast), run: compileAst(ast) };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(text, prepared);
  return prepared;
}

/**
 * `strict: true` makes a missing variable an error instead of an empty string (a config file with a silently
 * empty port is worse than no file). `noEscape: true` because these are config files, not HTML: `&`, `<` and
 * quotes must reach the file as written; each output format escapes through its own helper (env, yaml, json, quote).
 */
function compileAst(ast: hbs.AST.Program): HandlebarsTemplateDelegate {
  rewriteDefaults(ast);
  return handlebars.compile(ast, { strict: true, noEscape: true });
}

function soleVariable(ast: hbs.AST.Program): PathNode | undefined {
  const [only, ...more] = ast.body;
  if (only?.type !== 'MustacheStatement' || more.length > 0) return undefined;
  const m = only as hbs.AST.MustacheStatement;
  return isPath(m.path) && m.params.length === 0 && (m.hash?.pairs.length ?? 0) === 0 ? m.path : undefined;
}
