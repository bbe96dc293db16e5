// The redactor: secrets in clear and encoded (JSON, URL, base64 at any offset, shell-quoted), and values masked before
// serialisation.
import { describe, expect, it } from 'vitest';
import { encodedForms } from '../../../../src/core/redact/secret-encodings.js';
import { Redactor } from '../../../../src/core/redact/redactor.js';
import { referencedNames } from '../../../../src/config/vars/var-references.js';
import { registerSecret } from '../../../../src/config/vars/vars-file.js';

const SECRET = `p@ss w"rd\\é/+'x`;

describe('encoded secrets', () => {
  const r = new Redactor([SECRET]);
  it.each([
    ['JSON', JSON.stringify({ token: SECRET })],
    ['URL component', `https://api/?key=${encodeURIComponent(SECRET)}&x=1`],
    ['URL form', `key=${encodeURIComponent(SECRET).replace(/%20/g, '+')}`],
    ['shell-quoted', `TOKEN='${SECRET.replaceAll("'", "'\\''")}'`],
    ...['', 'a', 'ab', 'user:'].flatMap((prefix) => [
      [
        `base64 after ${JSON.stringify(prefix)}`,
        `Authorization: Basic ${Buffer.from(`${prefix}${SECRET}!`).toString('base64')}`,
      ],
      [`base64url after ${JSON.stringify(prefix)}`, Buffer.from(`${prefix}${SECRET}`).toString('base64url')],
    ]),
  ])('%s: seen by touches, masked by redact', (_, text) => {
    expect(r.touches(text)).toBe(true);
    expect(r.redact(text)).toContain('***');
    for (const f of [SECRET, ...encodedForms(SECRET)]) expect(r.redact(text)).not.toContain(f);
  });

  it('leaves short fragments alone: a 3-letter secret is masked in clear only', () => {
    expect(encodedForms('a b')).toEqual([]);
    expect(new Redactor(['abc']).redact('YWJj abc')).toBe('YWJj ***');
  });
});

describe('redactValue', () => {
  it('masks strings and keys before serialisation, so JSON escaping cannot hide a secret', () => {
    const r = new Redactor([SECRET]);
    const out = JSON.stringify(r.redactValue({ [SECRET]: [SECRET, { deep: `x${SECRET}y` }], n: 1, at: new Date(0) }));
    expect(out).toBe('{"***":["***",{"deep":"x***y"}],"n":1,"at":"1970-01-01T00:00:00.000Z"}');
  });
});

describe('derived and nested secrets', () => {
  it('registerSecret masks every string and number inside a mapping or list', () => {
    const r = new Redactor();
    registerSecret({ db: { url: 'postgres://u:pw-123456@db/app', port: 5432123 }, keys: ['k-abcdef'] }, r);
    expect(r.redact('postgres://u:pw-123456@db/app 5432123 k-abcdef')).toBe('*** *** ***');
  });

  it('`@root.x` refers to x (so a value built from it is secret when x is)', () => {
    expect([...referencedNames('{{b64 @root.vault_x}} {{@root.a.b}} {{#each l}}{{@index}}{{/each}}')].sort()).toEqual([
      'a',
      'b64',
      'each',
      'l',
      'vault_x',
    ]);
  });
});
