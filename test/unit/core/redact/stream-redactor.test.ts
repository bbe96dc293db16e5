// StreamRedactor: secrets masked in output that arrives in chunks, whatever the cut; nothing held that cannot be one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../../src/core/redact/redactor.js';
import { StreamRedactor } from '../../../../src/core/redact/stream-redactor.js';

const through = (secrets: string[], chunks: Buffer[]): string => {
  const r = new StreamRedactor(secrets);
  return Buffer.concat([...chunks.map((c) => r.push(c)), r.end()]).toString('utf8');
};

describe('StreamRedactor', () => {
  it('masks a secret cut across chunks, holds back only what may begin one', () => {
    const r = new StreamRedactor(['s3cr€t-token']);
    expect(r.push(Buffer.from('key=s3c')).toString()).toBe('key=');
    expect(r.holding).toBe(true);
    const euro = Buffer.from('r€t');
    expect(r.push(euro.subarray(0, 2)).toString('latin1')).toBe('');
    expect(r.push(Buffer.concat([euro.subarray(2), Buffer.from('-token done\n')])).toString()).toBe('*** done\n');
    expect(r.holding).toBe(false);
    expect(r.push(Buffer.from('s3x')).toString()).toBe('s3x');
    expect(r.push(Buffer.from('end s')).toString()).toBe('end ');
    expect(r.end().toString()).toBe('s');
  });

  it('without secrets every chunk goes through as it is', () => {
    const chunk = Buffer.from([0, 255, 10]);
    expect(new StreamRedactor([]).push(chunk)).toBe(chunk);
  });

  it('any cut of any text: the same as masking the whole text at once', () => {
    const secrets = ['alpha-secret', 'alp', 'zz€z'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('alpha-secret', 'alp', 'zz€z', 'al', 'z', 'x', '€', '\n', 'alpha-'), {
          maxLength: 30,
        }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (words, cuts) => {
          const bytes = Buffer.from(words.join(''));
          const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks = [0, ...at].map((from, i) => bytes.subarray(from, at[i] ?? bytes.length));
          expect(through(secrets, chunks)).toBe(new Redactor(secrets).redact(bytes.toString('utf8')));
        },
      ),
      { numRuns: 500 },
    );
  });
});
