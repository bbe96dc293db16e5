// Handlebars' compiled templates kept on disk between runs: a run from kept entries renders what a run that compiles
// renders (text, sensitivity, errors and their locations), the entries are what it runs, and a damaged entry is
// compiled again. Each "run" is a fresh copy of the template modules (vi.resetModules), as a new rig process is.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

/** Templates that reach every part of the compiler rig relies on, each with the context it renders with. */
const TEMPLATES: readonly [string, Record<string, unknown>][] = [
  ['port = {{port}}\nname = "{{app.name}}"\n', { port: 8080, app: { name: 'x & <y>' } }],
  [
    '{{#each keys}}\n{{@index}}: {{this.key}}={{upper}}{{#if @last}} (last){{/if}}\n{{/each}}',
    {
      keys: [
        { key: 'a', upper: 'A' },
        { key: 'b', upper: 'B' },
      ],
    },
  ],
  [
    '{{#if on}}\n  yes\n{{else}}\n  no\n{{/if}}\n{{#unless on}}off{{/unless}}{{~#with app~}} {{name}} {{~/with}}\n',
    { on: false, app: { name: 'n' } },
  ],
  ['{{default a.b.c "fallback"}} {{default x 3}} {{default app.name "-"}}\n', { app: { name: 'set' } }],
  [
    '{{env vars}}{{json obj indent=2}}\n{{yaml obj}}{{quote s}} {{b64 s}} {{join list ","}}\n',
    {
      vars: { A: "it's", B: 'x y' },
      obj: { k: [1, 'two'] },
      s: "o'k",
      list: ['p', 'q'],
    },
  ],
  [
    '{{#each m}}{{@key}}:{{.}};{{/each}} {{eq a b}} {{#indent 2}}\nl1\nl2\n{{/indent}}',
    { m: { x: 1, y: 2 }, a: 1, b: 1 },
  ],
  ['secret: {{pw}}\n', { pw: 's3cr3t-pw', port: 1, app: { name: 'n' } }],
  ['line 1\n  {{missing.value}}\n', {}],
];

/** Renders TEMPLATES as a new process would, its compiled templates kept in `dir` (undefined: none kept). */
async function run(dir: string | undefined): Promise<string[]> {
  vi.resetModules();
  const cache = await import('../../../src/template/compiled-cache.js');
  const { compileTemplate, renderTemplate } = await import('../../../src/template/index.js');
  const { DiagnosticsError, formatDiagnostic } = await import('../../../src/core/errors/diagnostic.js');
  const { Redactor } = await import('../../../src/core/redact/redactor.js');
  cache.configureTemplateCache(dir);
  return TEMPLATES.map(([text, ctx], i) => {
    try {
      const r = renderTemplate(compileTemplate({ file: `roles/r/templates/t${i}.hbs`, text }), ctx, {
        redactor: new Redactor(['s3cr3t-pw']),
      });
      return `${r.sensitive ? 'sensitive ' : ''}${r.text}`;
    } catch (err) {
      if (err instanceof DiagnosticsError) return `error ${err.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`;
      throw err;
    }
  });
}

describe('compiled templates kept between runs', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rig-templates-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const entries = (): string[] => readdirSync(dir).sort();

  it('a run from kept entries renders what a compiling run renders, errors and their locations included', async () => {
    const compiled = await run(undefined);
    expect(compiled.at(-1)).toMatch(/^error roles\/r\/templates\/t7\.hbs:2:5: .*missing/);
    expect(compiled.at(-2)).toBe('sensitive secret: s3cr3t-pw\n');
    expect(entries()).toEqual([]);
    expect(await run(dir)).toEqual(compiled); // compiles, keeps an entry per rendered template
    const kept = entries();
    expect(kept.length).toBe(TEMPLATES.length);
    expect(kept.every((n) => /^[0-9a-f]{64}\.js$/.test(n))).toBe(true);
    expect(await run(dir)).toEqual(compiled); // from the entries
    expect(entries()).toEqual(kept);
  });

  it('runs what an entry holds (the entries are code: a private directory only), and replaces a damaged one', async () => {
    const compiled = await run(dir);
    const byText = entries().map((n) => [n, readFileSync(path.join(dir, n), 'utf8')] as const);
    // entries found by the text they print: template 6's entry gets template 0's compiled form
    const port = byText.find(([, spec]) => spec.includes('"port = "'));
    const secret = byText.find(([, spec]) => spec.includes('"secret: "'));
    if (port === undefined || secret === undefined) throw new Error('entries not found by their text');
    writeFileSync(path.join(dir, secret[0]), port[1]);
    expect((await run(dir))[6]).toBe('port = 1\nname = "n"\n');
    // damaged (cut short, not JavaScript): compiled again, the entry replaced by the real one
    writeFileSync(path.join(dir, secret[0]), secret[1].slice(0, 40));
    expect(await run(dir)).toEqual(compiled);
    expect(readFileSync(path.join(dir, secret[0]), 'utf8')).toBe(secret[1]);
  });
});
