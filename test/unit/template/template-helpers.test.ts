// Each helper on real templates, `default` on missing variables, and the `sensitive` flag.
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DiagnosticsError, formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { compileTemplate, parseEnvFile, renderTemplate } from '../../../src/template/index.js';

const FILE = 'roles/r/templates/t.hbs';

function run(text: string, ctx: Record<string, unknown> = {}, redactor = new Redactor()) {
  return renderTemplate(compileTemplate({ file: FILE, text }), ctx, { redactor });
}
const render = (text: string, ctx: Record<string, unknown> = {}): string => run(text, ctx).text;

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    throw err;
  }
  throw new Error('expected a DiagnosticsError');
}

describe('env', () => {
  it('writes KEY=value lines in insertion order, quoted so dotenv reads them back', () => {
    const env = { Z_LAST: 'plain', A: "it's", B: 'a b #c', C: 'x\ny', D: 42, E: true, F: '' };
    const text = render('{{env e}}\n', { e: env });
    expect(text).toBe(`Z_LAST=plain\nA="it's"\nB='a b #c'\nC='x\ny'\nD=42\nE=true\nF=''\n`);
    expect(Object.fromEntries(parseEnvFile(text))).toEqual({
      Z_LAST: 'plain',
      A: "it's",
      B: 'a b #c',
      C: 'x\ny',
      D: '42',
      E: 'true',
      F: '',
    });
  });

  it('rejects bad names, non-scalars and unrepresentable values at the helper call, without echoing the value', () => {
    expect(errorOf(() => render('\n  {{env e}}', { e: { 'BAD-NAME': 'x' } }))).toBe(
      `${FILE}:2:3: env: invalid env variable name "BAD-NAME" (expected ^[A-Za-z_][A-Za-z0-9_]*$)`,
    );
    expect(errorOf(() => render('{{env e}}', { e: { K: { x: 1 } } }))).toBe(
      `${FILE}:1:1: env: value of "K" must be a string, number or boolean, not object`,
    );
    expect(errorOf(() => render('{{env e}}', { e: ['x'] }))).toBe(
      `${FILE}:1:1: env: argument must be a mapping, not a list`,
    );
    const msg = errorOf(() => render('{{env e}}', { e: { K: "pa$s'wd" } }));
    expect(msg).toBe(
      `${FILE}:1:1: env: value of "K" cannot be written to an env file that docker-compose v1, Compose v2 and dotenv all read back unchanged: no quoting keeps this combination intact for all three parsers: "'", "$"`,
    );
    expect(msg).not.toContain('pa$s');
  });
});

describe('yaml and json', () => {
  const obj = { name: 'svc', ports: [80, 443], env: { A: 'x: y', B: null } };

  it('yaml emits parseable YAML without a trailing newline; indent= sets the width', () => {
    const text = render('{{yaml o}}', { o: obj });
    expect(text).toBe('name: svc\nports:\n  - 80\n  - 443\nenv:\n  A: "x: y"\n  B: null');
    expect(parseYaml(text)).toEqual(obj);
    expect(render('{{yaml o indent=4}}', { o: { a: { b: 1 } } })).toBe('a:\n    b: 1');
  });

  it('json emits JSON.stringify(obj, null, 2) or the given indent', () => {
    expect(render('{{json o}}', { o: obj })).toBe(JSON.stringify(obj, null, 2));
    expect(render('{{json o indent=0}}', { o: obj })).toBe(JSON.stringify(obj));
    expect(errorOf(() => render('{{json o indent="x"}}', { o: 1 }))).toBe(
      `${FILE}:1:1: json indent must be an integer from 0 to 10`,
    );
  });
});

describe('default', () => {
  it('falls back for missing, undefined-by-path and null values, keeps falsy ones', () => {
    expect(render('{{default x "fb"}}')).toBe('fb');
    expect(render('{{default x "fb"}}', { x: null })).toBe('fb');
    expect(render('{{default x "fb"}}', { x: 0 })).toBe('0');
    expect(render('{{default x "fb"}}', { x: '' })).toBe('');
    expect(render('{{default x 5}}', { x: 'v' })).toBe('v');
  });

  it('falls back when an intermediate of a dotted path is missing, keeping scopes', () => {
    expect(render('{{default a.b.c "fb"}}')).toBe('fb');
    expect(render('{{default a.b.c "fb"}}', { a: { b: { c: 'deep' } } })).toBe('deep');
    expect(render('{{#each xs}}{{default this.port ../dflt}} {{/each}}', { xs: [{ port: 1 }, {}], dflt: 9 })).toBe(
      '1 9 ',
    );
    expect(render('{{#each xs as |x|}}{{default x.port 7}}{{/each}}', { xs: [{}] })).toBe('7');
    expect(render('{{default @root.cfg.port 3}}', {})).toBe('3');
  });

  it('works as a sub-expression; the fallback itself is strict', () => {
    expect(render('{{#if (default on false)}}y{{else}}n{{/if}}')).toBe('n');
    expect(errorOf(() => render('{{default x y}}'))).toBe(
      `${FILE}:1:13: missing variable "y" (not defined for this host)`,
    );
  });
});

describe('small helpers', () => {
  it('eq compares strictly', () => {
    expect(render('{{#if (eq a "x")}}yes{{else}}no{{/if}} {{eq n 1}} {{eq n "1"}}', { a: 'x', n: 1 })).toBe(
      'yes true false',
    );
  });

  it('join joins scalars with a separator (default none)', () => {
    expect(render('{{join xs ", "}}|{{join xs}}', { xs: ['a', 1, true] })).toBe('a, 1, true|a1true');
    expect(errorOf(() => render('{{join xs ","}}', { xs: 'abc' }))).toBe(
      `${FILE}:1:1: join: first argument must be a list, not string`,
    );
    expect(errorOf(() => render('{{join xs ","}}', { xs: [{}] }))).toBe(
      `${FILE}:1:1: join: expected a string, number or boolean, not a mapping`,
    );
  });

  it('indent indents non-empty lines, inline or as a block', () => {
    expect(render('x:\n{{indent 4 t}}', { t: 'a\n\nb' })).toBe('x:\n    a\n\n    b');
    expect(render('s:\n{{#indent 2}}\nk: {{v}}\nl: 1\n{{/indent}}', { v: 'q' })).toBe('s:\n  k: q\n  l: 1\n');
    expect(render('{{indent 2 (yaml o)}}', { o: { a: [1] } })).toBe('  a:\n    - 1');
    expect(errorOf(() => render('{{indent -1 "x"}}'))).toBe(
      `${FILE}:1:1: indent width must be an integer from 0 to 64`,
    );
  });

  it('quote single-quotes for POSIX sh', () => {
    expect(render('{{quote s}}', { s: "it's $HOME" })).toBe(`'it'\\''s $HOME'`);
    expect(render('{{quote 5}}')).toBe(`'5'`);
  });

  it('b64 encodes UTF-8', () => {
    expect(render('{{b64 s}}', { s: 'héllo' })).toBe(Buffer.from('héllo').toString('base64'));
  });
});

describe('Handlebars built-ins, wrapped with strict arguments', () => {
  it('each (lists, mappings, else), with, unless and lookup still work', () => {
    const ctx = { xs: [], m: { a: 1, b: 2 }, o: { k: 'v' }, off: false, key: 'k' };
    expect(render('{{#each xs}}x{{else}}none{{/each}} {{#each m}}{{@key}}={{this}};{{/each}}', ctx)).toBe(
      'none a=1;b=2;',
    );
    expect(render('{{#with o}}{{k}}{{/with}} {{#unless off}}u{{/unless}} {{lookup o key}}', ctx)).toBe('v u v');
  });

  it('reports a missing block argument as a missing variable', () => {
    expect(errorOf(() => render('{{#with cfg}}{{/with}}'))).toBe(
      `${FILE}:1:9: missing variable "cfg" (not defined for this host)`,
    );
  });
});

describe('sensitive', () => {
  const redactor = new Redactor(['s3cr3t-pw']);

  it('is false when no secret is used, true when one appears in the output', () => {
    expect(run('{{user}}', { user: 'bob', pw: 's3cr3t-pw' }, redactor).sensitive).toBe(false);
    expect(run('pw={{pw}}', { pw: 's3cr3t-pw' }, redactor)).toEqual({ text: 'pw=s3cr3t-pw', sensitive: true });
    expect(run('{{env e}}', { e: { PW: 's3cr3t-pw' } }, redactor).sensitive).toBe(true);
  });

  it('is true when a helper transformed a secret (and the redactor knows the encoded form too)', () => {
    const out = run('{{b64 pw}}', { pw: 's3cr3t-pw' }, redactor);
    expect(out.text).not.toContain('s3cr3t-pw');
    expect(redactor.touches(out.text)).toBe(true);
    expect(out.sensitive).toBe(true);
    expect(run('{{#if (eq pw "x")}}a{{/if}}', { pw: 's3cr3t-pw' }, redactor).sensitive).toBe(true);
    expect(run('{{json o}}', { o: { nested: ['s3cr3t-pw'] } }, redactor).sensitive).toBe(true);
  });

  it('keeps secrets out of error messages', () => {
    const r = new Redactor(["pa$s'wd"]);
    const msg = errorOf(() => run('{{env e}}', { e: { K: "pa$s'wd" } }, r));
    expect(msg).not.toContain("pa$s'wd");
  });
});
