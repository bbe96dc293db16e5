// Registry credentials stay with the registry: a token realm on a foreign host is refused before anything is sent,
// and a redirect is followed without the Authorization (real HTTP servers on loopback speaking the registry protocol).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../../../src/registry/registry-client.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const PASSWORD = 'realm-pw-7d41c9';

interface Seen {
  readonly server: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}
const seen: Seen[] = [];
const servers: Server[] = [];

/** A loopback HTTP server recording every request; `handle` answers it. */
async function serve(
  name: string,
  handle: (path: string, headers: IncomingHttpHeaders) => [number, Record<string, string>],
): Promise<string> {
  const server = createServer((req, res) => {
    seen.push({ server: name, path: req.url ?? '', headers: req.headers });
    const [status, headers] = handle(req.url ?? '', req.headers);
    res.writeHead(status, headers).end(status === 200 && req.url?.startsWith('/token') ? '{"token":"tok-1"}' : '');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A registry that asks for a bearer token from `realm` and wants `Bearer tok-1` on its manifests. */
function registry(realm: () => string, manifest: (path: string) => [number, Record<string, string>]) {
  return (path: string, headers: IncomingHttpHeaders): [number, Record<string, string>] => {
    if (headers.authorization !== 'Bearer tok-1' && !path.startsWith('/elsewhere')) {
      return [401, { 'www-authenticate': `Bearer realm="${realm()}",service="reg",scope="repository:app:pull"` }];
    }
    return manifest(path);
  };
}

const found: [number, Record<string, string>] = [200, { 'docker-content-digest': DIGEST, 'content-type': MANIFEST }];
let foreign = '';
let local = '';
let moved = '';

beforeAll(async () => {
  // a token server on another host: `localhost` and 127.0.0.1 are different hosts to a URL
  const tokens = await serve('tokens', () => [200, { 'content-type': 'application/json' }]);
  foreign = await serve(
    'foreign',
    registry(
      () => `http://localhost:${tokens.split(':')[1]}/token`,
      () => found,
    ),
  );
  local = await serve(
    'local',
    registry(
      () => `http://${tokens}/token`,
      () => found,
    ),
  );
  // a redirect on the same origin: fetch itself would keep the Authorization there
  moved = await serve(
    'moved',
    registry(
      () => `http://${tokens}/token`,
      (path) => (path.startsWith('/elsewhere') ? found : [307, { location: '/elsewhere/app' }]),
    ),
  );
});
afterAll(() => servers.forEach((s) => s.close()));

const client = (registryHost: string, extra: Record<string, unknown> = {}) =>
  new RegistryClient({
    credentials: (r) => (r === registryHost ? { username: 'ci', password: PASSWORD, ...extra } : undefined),
  });
const authorizations = (server: string) =>
  seen.filter((s) => s.server === server && s.headers.authorization !== undefined);

describe('registry credentials and token realms', () => {
  it('a realm on another host gets no credentials: refused, naming it and token_realm_hosts', async () => {
    const error = await client(foreign)
      .resolve(`${foreign}/app:1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).kind).toBe('unauthorized');
    expect((error as Error).message).toMatch(
      /refusing to send the credentials for 127\.0\.0\.1:\d+ to the token server http:\/\/localhost:\d+/,
    );
    expect((error as Error).message).toContain('token_realm_hosts');
    expect(seen.filter((s) => s.server === 'tokens')).toEqual([]);
  });

  it('the same realm listed in token_realm_hosts, or on the registry host, gets them', async () => {
    const allowed = client(foreign, { tokenRealmHosts: ['localhost'] });
    expect((await allowed.resolve(`${foreign}/app:1`)).digest).toBe(DIGEST);
    expect((await client(local).resolve(`${local}/app:1`)).digest).toBe(DIGEST);
    const basic = `Basic ${Buffer.from(`ci:${PASSWORD}`).toString('base64')}`;
    expect(authorizations('tokens').map((s) => s.headers.authorization)).toEqual([basic, basic]);
  });

  it('a redirect is followed without the Authorization, even on the same origin', async () => {
    expect((await client(moved).resolve(`${moved}/app:1`)).digest).toBe(DIGEST);
    const redirected = seen.filter((s) => s.server === 'moved' && s.path.startsWith('/elsewhere'));
    expect(redirected.map((s) => [s.path, s.headers.authorization])).toEqual([['/elsewhere/app', undefined]]);
  });
});
