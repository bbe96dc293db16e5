// The scanner that finds known secrets in a command's argv, plain env values and redirection paths (M4).
import { describe, expect, it } from 'vitest';
import { and, exec, mergeStderr, not, pipe, secret, seq, sh, toFile, withEnv } from '../../../../src/core/cmd/cmd.js';
import { secretsInClear } from '../../../../src/core/cmd/secrets.js';
import { Redactor } from '../../../../src/core/redact/redactor.js';

const SECRET = 'tok"en-4f9a2c77e1';
const redactor = new Redactor([SECRET]);
const touches = (t: string): boolean => redactor.touches(t);

describe('secretsInClear', () => {
  it.each([
    ['a clean command', exec(['curl', '-fsS', 'https://example.test/']), []],
    ['an argument', exec(['curl', '-H', `Authorization: Bearer ${SECRET}`]), ['argument 2 of curl']],
    [
      'a positional parameter of sh',
      sh('curl -H "$1" "$2"', `X-Token: ${SECRET}`, 'https://x'),
      ['argument 4 of /bin/sh'],
    ],
    ['the script text itself', sh(`echo ${SECRET} > /tmp/t`), ['argument 2 of /bin/sh']],
    ['the program name', exec([`/opt/${SECRET}/bin/x`]), ['the program name']],
    ['a plain env value', exec(['app'], { TOKEN: SECRET, MODE: 'prod' }), ['plain environment value TOKEN of app']],
    ['a redirection path', toFile(exec(['echo', 'x']), `/tmp/${SECRET}`), ['a redirection path']],
    [
      'nested in and/pipe/not',
      and(exec(['true']), pipe(exec(['cat']), not(exec(['grep', SECRET])))),
      ['argument 1 of grep'],
    ],
    [
      'several places',
      seq(exec(['a', SECRET]), mergeStderr(exec(['b'], { K: SECRET }))),
      ['argument 1 of a', 'plain environment value K of b'],
    ],
  ])('%s', (_what, cmd, places) => {
    expect(secretsInClear(cmd, touches)).toEqual(places);
  });

  it('finds the secret in its encoded forms (JSON-escaped, URL-encoded, base64 of a Basic header)', () => {
    const forms = [
      JSON.stringify(SECRET),
      encodeURIComponent(SECRET),
      Buffer.from(`deploy:${SECRET}`).toString('base64'),
    ];
    for (const f of forms) expect(secretsInClear(exec(['curl', '-d', f]), touches), f).toEqual(['argument 2 of curl']);
  });

  it('a secret() env value is the way: nothing reported', () => {
    expect(
      secretsInClear(
        withEnv(sh('curl -H "Authorization: Bearer $TOKEN" "$1"', 'https://x'), { TOKEN: secret(SECRET) }),
        touches,
      ),
    ).toEqual([]);
  });
});
