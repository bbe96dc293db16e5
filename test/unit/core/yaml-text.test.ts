// The YAML rig writes reads back as the value it was given, strings byte-exact: the whitespace-only lines and
// leading spaces the `yaml` package writes as lossy block scalars (a CI failure: ' \n' landed as '\n').
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { stringifyYaml, type YamlTextOptions } from '../../../src/core/yaml-text.js';

// The option sets rig writes with: the template helper's default, compose files, and a deeper indent.
const OPTION_SETS: YamlTextOptions[] = [
  {},
  { lineWidth: 0, aliasDuplicateObjects: false, compat: 'yaml-1.1' },
  { indent: 4 },
];
const text = fc.string({
  unit: fc.constantFrom(' ', '\t', '\n', 'a', 'b', '#', ':', '-', '>', '|', 'é'),
  maxLength: 30,
});

describe('stringifyYaml', () => {
  it('the package alone loses these (the cases this module exists for)', () => {
    expect(parse(stringify({ v: ' \n' }))).not.toEqual({ v: ' \n' });
    expect(() => parse(stringify(' a\nb')) as unknown).toThrow();
  });

  it.each([' \n', '\n \n', '  \n', ' a\nb', '  a\n  b', '\t\n', 'a\n \n'])(
    '%j reads back at the top, nested, in a list',
    (v) => {
      for (const options of OPTION_SETS) {
        expect(parse(stringifyYaml(v, options), options)).toBe(v);
        expect(parse(stringifyYaml({ a: { v, list: [v, { v }] } }, options), options)).toEqual({
          a: { v, list: [v, { v }] },
        });
      }
    },
  );

  it('any string reads back, wherever it stands', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(...OPTION_SETS), (v, options) => {
        expect(parse(stringifyYaml(v, options), options)).toBe(v);
        const doc = { k: v, list: [v], deep: { deeper: [{ v }] } };
        expect(parse(stringifyYaml(doc, options), options)).toEqual(doc);
      }),
      { numRuns: 2000 },
    );
  });

  it('what the package writes right is left as it writes it (no churn in rendered files)', () => {
    const doc = { services: { a: { command: ['sh', '-c', 'echo a\necho b\n'], env: { LONG: 'x '.repeat(60) } } } };
    for (const options of OPTION_SETS) expect(stringifyYaml(doc, options)).toBe(stringify(doc, options));
  });
});
