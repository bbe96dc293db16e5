// The WWW-Authenticate parser on real registries' headers, and the challenge answers with a recorded fake fetch (no
// network).
import { describe, expect, it } from 'vitest';
import {
  parseWwwAuthenticate,
  RegistryAuth,
  type AuthTarget,
  type RegistryCredential,
} from '../../../src/registry/registry-auth.js';
import { isLoopbackHost } from '../../../src/registry/registry-fetch.js';
import { RegistryError } from '../../../src/registry/registry-error.js';

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/redis:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="http://127.0.0.1:1/token",service="svc",scope="repository:tb/x:pull",error="insufficient_scope"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'http://127.0.0.1:1/token',
            service: 'svc',
            scope: 'repository:tb/x:pull',
            error: 'insufficient_scope',
          },
        },
      ],
    ],
    [
      'Bearer scope="repository:a:pull,push repository:b:pull"',
      [{ scheme: 'bearer', params: { scope: 'repository:a:pull,push repository:b:pull' } }],
    ],
    ['Basic realm="say \\"hi\\", twice"', [{ scheme: 'basic', params: { realm: 'say "hi", twice' } }]],
    [
      'Basic realm="a, b", Bearer realm="c",service=s',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'c', service: 's' } },
      ],
    ],
    ['BEARER Realm = "x" , Service=y', [{ scheme: 'bearer', params: { realm: 'x', service: 'y' } }]],
    ['Bearer', [{ scheme: 'bearer', params: {} }]],
    ['', []],
    ['Bearer realm="unterminated', [{ scheme: 'bearer', params: { realm: 'unterminated' } }]],
    [
      'Negotiate abc==, Basic realm=r',
      [
        { scheme: 'negotiate', params: { abc: '' } },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
  ])('%s', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });

  it('never throws on junk', () => {
    for (const junk of ['=', '"', ',,,', '="x"', 'a=b=c', '\\', 'Bearer ="', 'Bearer realm=']) {
      expect(() => parseWwwAuthenticate(junk)).not.toThrow();
    }
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['localhost:5000', true],
    ['[::1]:5000', true],
    ['ghcr.io', false],
    ['127.0.0.1.example.com', false],
    ['10.0.0.1:5000', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

const PASSWORD = 'pa55-w0rd-never-shown';
const TOKEN = 'tok-secret-never-shown';
const TARGET: AuthTarget = {
  registry: 'reg.example',
  domain: 'reg.example',
  ref: 'reg.example/a/b:1',
  scope: 'repository:a/b:pull',
};

/** A RegistryAuth whose fetch answers from `answer` and records each request; nothing leaves the process. */
function authWith(answer: (url: URL) => Response, credential?: RegistryCredential) {
  const requests: { url: URL; authorization: string | undefined }[] = [];
  const fakeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    requests.push({ url, authorization: new Headers(init?.headers).get('authorization') ?? undefined });
    return Promise.resolve(answer(url));
  };
  const auth = new RegistryAuth({ fetch: fakeFetch, timeoutMs: 1000 }, () => credential);
  return { auth, requests };
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  const text = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(Buffer.from(`u:${PASSWORD}`).toString('base64'));
  return error as RegistryError;
}

describe('RegistryAuth', () => {
  const bearer = 'Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull"';

  it('fetches an anonymous token with service and scope, takes access_token, and caches it', async () => {
    const { auth, requests } = authWith(() => Response.json({ access_token: TOKEN }));
    expect(await auth.authorize(TARGET, bearer)).toBe(`Bearer ${TOKEN}`);
    expect(requests.map((r) => [r.url.toString(), r.authorization])).toEqual([
      ['https://auth.example/token?service=reg&scope=repository%3Aa%2Fb%3Apull', undefined],
    ]);
    expect(auth.cached(TARGET)).toBe(`Bearer ${TOKEN}`);
    expect(auth.cached({ ...TARGET, scope: 'repository:other:pull' })).toBeUndefined();
  });

  it('sends basic credentials and the account to the realm', async () => {
    const { auth, requests } = authWith(() => Response.json({ token: TOKEN, access_token: 'other' }), {
      username: 'u',
      password: PASSWORD,
      tokenRealmHosts: ['auth.example'],
    });
    expect(await auth.authorize(TARGET, bearer)).toBe(`Bearer ${TOKEN}`);
    expect(requests[0]?.url.searchParams.get('account')).toBe('u');
    expect(requests[0]?.authorization).toBe(`Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`);
  });

  it('uses a configured token as it is, without asking the realm', async () => {
    const { auth, requests } = authWith(() => Response.json({}), { token: TOKEN });
    expect(await auth.authorize(TARGET, bearer)).toBe(`Bearer ${TOKEN}`);
    expect(requests).toEqual([]);
  });

  it('answers Basic with the credentials, and refuses without them', async () => {
    const withCreds = authWith(() => Response.json({}), { username: 'u', password: PASSWORD });
    expect(await withCreds.auth.authorize(TARGET, 'Basic realm="Registry Realm"')).toBe(
      `Basic ${Buffer.from(`u:${PASSWORD}`).toString('base64')}`,
    );
    const error = await rejection(
      authWith(() => Response.json({})).auth.authorize(TARGET, 'Basic realm="Registry Realm"'),
    );
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toBe(
      'reg.example: reg.example/a/b:1: the registry asks for a user name and password, and none are configured',
    );
  });

  it('maps token server failures without leaking the credentials', async () => {
    const creds = { username: 'u', password: PASSWORD, tokenRealmHosts: ['auth.example'] };
    const refused = await rejection(
      authWith(() => new Response('no', { status: 401 }), creds).auth.authorize(TARGET, bearer),
    );
    expect([refused.kind, refused.message]).toEqual([
      'unauthorized',
      'reg.example: reg.example/a/b:1: the token server https://auth.example refused the configured credentials (HTTP 401)',
    ]);
    const noToken = await rejection(authWith(() => Response.json({ token: '' }), creds).auth.authorize(TARGET, bearer));
    expect([noToken.kind, noToken.message]).toEqual([
      'protocol',
      'reg.example: reg.example/a/b:1: the token server https://auth.example answered without a token',
    ]);
    const plain = await rejection(
      authWith(() => Response.json({ token: TOKEN }), creds).auth.authorize(
        TARGET,
        'Bearer realm="http://auth.example/token"',
      ),
    );
    expect([plain.kind, plain.message]).toEqual([
      'unauthorized',
      'reg.example: reg.example/a/b:1: refusing to send credentials to the token server http://auth.example over plain HTTP',
    ]);
  });

  it('calls a challenge it cannot answer a protocol error', async () => {
    const error = await rejection(authWith(() => Response.json({})).auth.authorize(TARGET, 'Negotiate x'));
    expect(error.kind).toBe('protocol');
    const noRealm = await rejection(authWith(() => Response.json({})).auth.authorize(TARGET, 'Bearer service="x"'));
    expect(noRealm.message).toBe('reg.example: reg.example/a/b:1: Bearer challenge without a usable realm: ""');
  });
});
