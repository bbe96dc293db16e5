// Token masking of Telegram errors: redactToken on text, redactedCause on undici's real error chains (which quote
// URLs).
import { describe, expect, it } from 'vitest';
import { apiFailureKind, redactToken, redactedCause } from '../../../src/telegram/telegram-error.js';
import { everythingShown } from '../../helpers/telegram/index.js';

const TOKEN = '8000002:AAF-error_test_token_value';
const SECRET_HALF = 'AAF-error_test_token_value';

async function fetchError(url: string): Promise<unknown> {
  return fetch(url).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('redactToken', () => {
  it.each([
    [`GET /bot${TOKEN}/getMe`, 'GET /bot***/getMe'],
    [`url=https://x/bot${encodeURIComponent(TOKEN)}/sendMessage`, 'url=https://x/bot***/sendMessage'],
    [`token ${TOKEN} in prose`, 'token *** in prose'],
    [`the secret half ${SECRET_HALF} alone`, 'the secret half *** alone'],
    ['another bot: /bot123:other-token/getMe?x=1', 'another bot: /bot***/getMe?x=1'],
    ['nothing to hide', 'nothing to hide'],
  ])('%s', (text, expected) => {
    expect(redactToken(text, TOKEN)).toBe(expected);
  });
});

describe('redactedCause on undici errors', () => {
  it('"Failed to parse URL from …" and its cause.input lose the token; code and name stay', async () => {
    const original = await fetchError(`http:// bad host/bot${TOKEN}/getMe`);
    expect(everythingShown(original)).toContain(TOKEN); // undici really quotes it: the copy must not
    const copy = redactedCause(original, TOKEN);
    expect(everythingShown(copy)).not.toContain(SECRET_HALF);
    expect(copy?.message).toBe('Failed to parse URL from http:// bad host/bot***/getMe');
    expect(copy?.cause).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_URL', message: 'Invalid URL' });
    expect(copy?.cause).not.toHaveProperty('input');
  });

  it('"Request cannot be constructed from a URL that includes credentials: …" loses the token', async () => {
    const original = await fetchError(`http://user:pw@127.0.0.1:9/bot${TOKEN}/getMe`);
    expect(everythingShown(original)).toContain(TOKEN);
    expect(everythingShown(redactedCause(original, TOKEN))).not.toContain(SECRET_HALF);
  });

  it('AggregateError members and socket fields are copied, masked', () => {
    const inner = Object.assign(new Error(`connect ECONNREFUSED for /bot${TOKEN}/getMe`), {
      code: 'ECONNREFUSED',
      port: 9,
      address: '::1',
    });
    const copy = redactedCause(new AggregateError([inner, 'not an error'], ''), TOKEN) as Error & { errors: Error[] };
    expect(copy.errors).toHaveLength(1);
    expect(copy.errors[0]).toMatchObject({
      message: 'connect ECONNREFUSED for /bot***/getMe',
      code: 'ECONNREFUSED',
      port: 9,
      address: '::1',
    });
    expect(everythingShown(copy)).not.toContain(SECRET_HALF);
  });
});

it('apiFailureKind maps error codes', () => {
  expect([401, 404, 400, 403, 409, 429, 502].map(apiFailureKind)).toEqual([
    'unauthorized',
    'not-found',
    'bad-request',
    'api-error',
    'api-error',
    'api-error',
    'api-error',
  ]);
});
