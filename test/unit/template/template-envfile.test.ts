// formatEnvFile/parseEnvFile: exact read-back through npm dotenv, table-driven and property-based.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvFileError, formatEnvFile, parseEnvFile } from '../../../src/template/index.js';

/** Characters every env parser treats specially, plus UTF-8 beyond the BMP and Unicode line/space separators. */
const ENV_ALPHABET = [...'ab Z09_\'"$\\{}#=:-\n\r\t`', 'é', '漢', '😀', '\u2028', '\u00a0', '\u0085'];
const envValue = fc.array(fc.constantFrom(...ENV_ALPHABET), { maxLength: 14 }).map((cs) => cs.join(''));

/** The value dotenv reads back for KEY, or the EnvFileError message when formatEnvFile refuses it. */
function roundTrip(value: string): string {
  try {
    return parseEnvFile(formatEnvFile({ KEY: value })).get('KEY') ?? '<absent>';
  } catch (err) {
    if (err instanceof EnvFileError) return `refused: ${err.message}`;
    throw err;
  }
}

describe('formatEnvFile', () => {
  it.each([
    ['plain', 'KEY=plain'],
    ['8080', 'KEY=8080'],
    ['http://x:1/p?a=b', "KEY='http://x:1/p?a=b'"],
    ['', "KEY=''"],
    ['with space', "KEY='with space'"],
    ['a "quoted" word', `KEY='a "quoted" word'`],
    ['$HOME and $$', "KEY='$HOME and $$'"],
    ['#not-a-comment', "KEY='#not-a-comment'"],
    ['back\\slash', "KEY='back\\slash'"],
    ['line1\nline2', "KEY='line1\nline2'"],
    ["it's", `KEY="it's"`],
    ["it's\nmulti", `KEY="it's\\nmulti"`],
    ['cr\r\nlf', `KEY="cr\\r\\nlf"`],
    [`it's "both"`, `KEY=it's "both"`],
    ['a=b=c', 'KEY=a=b=c'],
    ['ünï 漢字 😀', "KEY='ünï 漢字 😀'"],
    ['  padded  ', "KEY='  padded  '"],
  ])('writes %j as %j and dotenv reads it back', (value, line) => {
    const text = formatEnvFile({ KEY: value });
    expect(text).toBe(`${line}\n`);
    expect(parseEnvFile(text).get('KEY')).toBe(value);
  });

  it('writes numbers and booleans with String(), keys in insertion order', () => {
    const text = formatEnvFile({ Z: 1, A: false, M: 1.5 });
    expect(text).toBe('Z=1\nA=false\nM=1.5\n');
    expect([...parseEnvFile(text).keys()]).toEqual(['Z', 'A', 'M']);
  });

  it.each([
    ['${X}', 'contains "${...}", which docker-compose v1 always expands in env files (no escape exists)'],
    ['a${X:-d}b', 'contains "${...}", which docker-compose v1 always expands in env files (no escape exists)'],
    ["$it's", `no quoting keeps this combination intact for all three parsers: "'", "$"`],
    [`it's "x"\n`, `no quoting keeps this combination intact for all three parsers: "'", '"', a newline`],
    ['nul\0', 'contains a NUL character, which no environment variable can hold'],
  ])('refuses %j rather than write something read back differently', (value, reason) => {
    expect(() => formatEnvFile({ SECRET: value })).toThrow(
      `value of "SECRET" cannot be written to an env file that docker-compose v1, Compose v2 and dotenv all read back unchanged: ${reason}`,
    );
  });

  it('accepts ${ without a closing brace and ${a:b} (not python-dotenv variables)', () => {
    expect(roundTrip('${X')).toBe('${X');
    expect(roundTrip('${a:b}')).toBe('${a:b}');
  });

  it('validates keys as env names', () => {
    expect(() => formatEnvFile({ '1X': 'v' })).toThrow('invalid env variable name "1X"');
    expect(() => formatEnvFile({ 'A.B': 'v' })).toThrow('invalid env variable name "A.B"');
  });

  it('a quote after U+2028 is not read as a new quoted value (found by the property test)', () => {
    for (const v of ["a\"\u2028''", 'a\'\u2028""', "a\u2028'\"'"]) {
      const back = roundTrip(v);
      expect(back.startsWith('refused: ') ? 'refused' : back).toBe('refused'); // dotenv would cut it short
    }
  });

  it('property: every value is either read back exactly by dotenv or refused', () => {
    let written = 0;
    fc.assert(
      fc.property(envValue, (value) => {
        const back = roundTrip(value);
        if (back.startsWith('refused: ')) return;
        written++;
        expect(back).toBe(value);
      }),
      { numRuns: 3000 },
    );
    // The property must not pass by refusing everything.
    expect(written).toBeGreaterThan(1500);
  });

  it('property: a whole file of such values reads back key by key', () => {
    fc.assert(
      fc.property(fc.array(envValue, { maxLength: 8 }), (values) => {
        const ok = values.filter((v) => !roundTrip(v).startsWith('refused: '));
        const entries = Object.fromEntries(ok.map((v, i) => [`K${i}`, v]));
        expect(Object.fromEntries(parseEnvFile(formatEnvFile(entries)))).toEqual(entries);
      }),
      { numRuns: 500 },
    );
  });
});
