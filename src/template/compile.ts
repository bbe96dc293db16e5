// Compiles template text once (strict Handlebars, no HTML escaping) after checking it; compiled forms are cached by
// text, and kept on disk between runs when the CLI gives a place for them (compiled-cache.ts).
import { runInThisContext } from 'node:vm';
import Handlebars from 'handlebars';
import { DiagnosticsError, type Diagnostic } from '../core/errors/diagnostic.js';
import { indexTemplate, isPath, type PathNode, type TemplateIndex } from './errors/ast.js';
import { rewriteDefaults } from './default-rewrite.js';
import { findJinjaFilters } from './jinja-check.js';
import { fileLocator, relocate, type Locator } from './errors/locate.js';
import { parseErrorDiagnostic } from './errors/parse-error.js';
import { checkTemplate } from './template-check.js';
import { readCompiled, templateCacheEnabled, templateKey, writeCompiled } from './compiled-cache.js';

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
  if (!templateCacheEnabled()) return handlebars.compile(ast, { ...COMPILE_OPTIONS });
  // compiled on its first render, as handlebars.compile does: a template never rendered costs no compile
  let run: HandlebarsTemplateDelegate | undefined;
  return (context, options) => (run ??= compiledOnce(ast))(context, options);
}

const COMPILE_OPTIONS = { strict: true, noEscape: true } as const;

/**
 * The template kept on disk when there (compiled-cache.ts), else compiled by Handlebars' `precompile` and kept: the
 * same code `compile` builds, as source. Handlebars applies its whitespace control to the tree as it compiles; the
 * key is taken before, from the tree rig handed over.
 */
function compiledOnce(ast: hbs.AST.Program): HandlebarsTemplateDelegate {
  const key = templateKey(handlebars.VERSION, COMPILE_OPTIONS, ast);
  const kept = readCompiled(key);
  if (kept !== undefined) {
    try {
      return handlebars.template(specOf(kept));
    } catch {
      // a damaged entry: compiled again and replaced below
    }
  }
  // typed as the spec object, precompile returns its source text
  const spec = handlebars.precompile(ast, { ...COMPILE_OPTIONS }) as unknown as string;
  writeCompiled(key, spec);
  return handlebars.template(specOf(spec));
}

/** Evaluates precompiled template source (the kept entry, or what precompile just wrote) into Handlebars' spec. */
function specOf(spec: string): TemplateSpecification {
  return runInThisContext(`(${spec})`, { filename: 'rig-compiled-template.js' }) as TemplateSpecification;
}

function soleVariable(ast: hbs.AST.Program): PathNode | undefined {
  const [only, ...more] = ast.body;
  if (only?.type !== 'MustacheStatement' || more.length > 0) return undefined;
  const m = only as hbs.AST.MustacheStatement;
  return isPath(m.path) && m.params.length === 0 && (m.hash?.pairs.length ?? 0) === 0 ? m.path : undefined;
}
