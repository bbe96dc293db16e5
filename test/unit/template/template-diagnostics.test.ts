// Exact diagnostic text for every way a template can be wrong: missing variable, syntax, helper, Jinja leftovers.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticsError, formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { compileTemplate, loadTemplateFile, renderTemplate } from '../../../src/template/index.js';

const FILE = 'roles/sample/templates/app.conf.hbs';
const redactor = new Redactor();

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d));
    throw err;
  }
  throw new Error('expected a DiagnosticsError');
}

const render = (text: string, ctx: Record<string, unknown> = {}): string =>
  renderTemplate(compileTemplate({ file: FILE, text }), ctx, { redactor }).text;

describe('missing variables', () => {
  it('names the variable, file, line and column (column of the path, 1-based)', () => {
    expect(errorsOf(() => render('a = 1\nb = 2\nport = {{sample_port}}\n'))).toEqual([
      `${FILE}:3:10: missing variable "sample_port" (not defined for this host)`,
    ]);
  });

  it('reports the whole dotted path, with spaces inside the mustache', () => {
    expect(errorsOf(() => render('x\n  {{ db.port }}', { db: {} }))).toEqual([
      `${FILE}:2:6: missing variable "db.port" (not defined for this host)`,
    ]);
  });

  it('traces a missing intermediate (a TypeError in Handlebars) to the path that reads it', () => {
    expect(errorsOf(() => render('ok\n{{#if on}}{{ db.conn.port }}{{/if}}', { on: true }))).toEqual([
      `${FILE}:2:14: missing variable "db.conn" ("db" is undefined)`,
    ]);
    expect(errorsOf(() => render('{{ db.port }}', { db: null }))).toEqual([
      `${FILE}:1:4: missing variable "db.port" ("db" is null)`,
    ]);
  });

  it('is strict inside #each, and for helper arguments (which Handlebars looks up leniently)', () => {
    expect(errorsOf(() => render('{{#each xs}}\n- {{name}}\n{{/each}}', { xs: [{ name: 'a' }, {}] }))).toEqual([
      `${FILE}:2:5: missing variable "name" (not defined for this host)`,
    ]);
    expect(errorsOf(() => render('v: {{join tags ","}}'))).toEqual([
      `${FILE}:1:11: missing variable "tags" (not defined for this host)`,
    ]);
    expect(errorsOf(() => render('{{#if enabled}}x{{/if}}'))).toEqual([
      `${FILE}:1:7: missing variable "enabled" (not defined for this host)`,
    ]);
    expect(errorsOf(() => render('{{yaml x indent=width}}', { x: 1 }))).toEqual([
      `${FILE}:1:17: missing variable "width" (not defined for this host)`,
    ]);
  });

  it('loads a template file and reports against its path', () => {
    const file = path.join(import.meta.dirname, '../../fixtures/templates/sample/app.conf.hbs');
    const tpl = compileTemplate(loadTemplateFile(file));
    expect(errorsOf(() => renderTemplate(tpl, { name: 'x' }, { redactor }))).toEqual([
      `${path.relative(process.cwd(), file)}:3:10: missing variable "sample_port" (not defined for this host)`,
    ]);
    expect(renderTemplate(tpl, { sample_port: 8080, name: 'a"b' }, { redactor }).text).toBe(
      '# sample app config\nlisten = 0.0.0.0\nport = 8080\nname = "a"b" & <ok>\n',
    );
  });

  it('reports a missing template file as a diagnostic', () => {
    expect(errorsOf(() => loadTemplateFile('/nonexistent/x.hbs'))).toEqual([
      'cannot read template /nonexistent/x.hbs (ENOENT)',
    ]);
  });
});

describe('compile errors', () => {
  it('points an unclosed block at its opening tag', () => {
    expect(errorsOf(() => compileTemplate({ file: FILE, text: 'a\n  {{#if x}}\nzz\n' }))).toEqual([
      `${FILE}:2:3: template syntax error: {{#if}} is never closed with {{/if}}`,
    ]);
  });

  it('reports a mismatched close with Handlebars location (0-based column made 1-based)', () => {
    expect(errorsOf(() => compileTemplate({ file: FILE, text: 'q\n{{#each a}}x{{/if}}' }))).toEqual([
      `${FILE}:2:4: template error: each doesn't match if`,
    ]);
  });

  it('reports a malformed mustache at the failing token', () => {
    expect(errorsOf(() => compileTemplate({ file: FILE, text: 'x\n  {{ x }' }))).toEqual([
      `${FILE}:2:8: template syntax error: expecting 'CLOSE_RAW_BLOCK', 'CLOSE', 'CLOSE_UNESCAPED', 'OPEN_SEXPR', 'CLOSE_SEXPR', 'ID', 'OPEN_BLOCK_PARAMS', 'STRING', 'NUMBER', 'BOOLEAN', 'UNDEFINED', 'NULL', 'DATA', 'SEP', got 'INVALID'`,
    ]);
    expect(errorsOf(() => compileTemplate({ file: FILE, text: 'a\n{{!-- never closed' }))).toEqual([
      `${FILE}:2:1: template syntax error: unrecognized text (an unterminated comment or mustache?)`,
    ]);
  });

  it('collects every unknown helper, arity error and partial at its position', () => {
    const text =
      'a {{nohelper x}}\n{{join}} {{join a b c}}\n{{yaml x foo=1}}\n{{> part}}\n{{#each (frob x)}}{{/each}}\n{{log vault_x}} {{log}}';
    expect(errorsOf(() => compileTemplate({ file: FILE, text }))).toEqual([
      `${FILE}:1:5: unknown helper "nohelper"`,
      `${FILE}:2:3: "join" is a helper and needs an argument; to print a variable named "join", write {{./join}}`,
      `${FILE}:2:12: helper "join" takes 1 or 2 arguments, got 3`,
      `${FILE}:3:3: helper "yaml" has no option "foo" (it has: indent)`,
      `${FILE}:4:1: partials are not supported in rig templates; render a value with a helper instead`,
      `${FILE}:5:10: unknown helper "frob"`,
      `${FILE}:6:3: the "log" helper is not supported: it prints past rig's secret masking (see values with rig inventory)`,
      `${FILE}:6:19: the "log" helper is not supported: it prints past rig's secret masking (see values with rig inventory)`,
    ]);
  });

  it('rejects Jinja filters with a hint, at the pipe, but not pipes in strings or block params', () => {
    const text = 'a: {{ x | default("y") }}\nb: {{ y|upper }}\nc: {{join xs " | "}}\n{{#each xs as |v|}}{{v}}{{/each}}';
    expect(errorsOf(() => compileTemplate({ file: FILE, text }))).toEqual([
      `${FILE}:1:9: Jinja filters are not supported; use Handlebars helpers, e.g. {{default x "y"}}`,
      `${FILE}:2:8: Jinja filters are not supported; use Handlebars helpers, e.g. {{default x "y"}}`,
    ]);
    expect(render(text.split('\n').slice(2).join('\n'), { xs: ['p', 'q'] })).toBe('c: p | q\npq');
  });
});

describe('output', () => {
  it('does not HTML-escape (config files, not HTML) and keeps whitespace control', () => {
    expect(render('{{v}}\n{{#if on}}\n  on\n{{/if}}\n', { v: `<a href="x">&'`, on: true })).toBe(
      `<a href="x">&'\n  on\n`,
    );
  });

  it('a helper name can still be used as a variable via ./', () => {
    expect(render('{{./env}}', { env: 'prod' })).toBe('prod');
  });
});
