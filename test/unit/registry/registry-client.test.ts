// RegistryClient's answers that a real registry will not give on demand (bad digests, schema1, 5xx), with a fake fetch:
// nothing leaves the process, no name is resolved.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../../../src/registry/registry-client.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const D = `sha256:${'a'.repeat(64)}`;

type Answer = (method: string, url: URL, accept: string) => Response;

const urlOf = (input: string | URL | Request): string => (input instanceof Request ? input.url : input.toString());

function clientWith(answer: Answer) {
  const seen: string[] = [];
  const fakeFetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(urlOf(input));
    const method = init?.method ?? 'GET';
    seen.push(`${method} ${url.toString()}`);
    return Promise.resolve(answer(method, url, new Headers(init?.headers).get('accept') ?? ''));
  };
  return { client: new RegistryClient({ fetch: fakeFetch }), seen };
}

const head = (headers: Record<string, string>, status = 200): Response => new Response(null, { status, headers });

async function failure(promise: Promise<unknown>): Promise<[string, string]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return [(error as RegistryError).kind, (error as RegistryError).message];
}

describe('RegistryClient', () => {
  it('talks https to Docker Hub and other registries, http to loopback, and asks for all four manifest types', async () => {
    const accepts: string[] = [];
    const { client, seen } = clientWith(
      (_m, _u, accept) => (accepts.push(accept), head({ 'docker-content-digest': D, 'content-type': DOCKER_V2 })),
    );
    expect(await client.resolve('redis:7')).toEqual({
      ref: 'redis:7',
      registry: 'registry-1.docker.io',
      repository: 'library/redis',
      tag: '7',
      digest: D,
      mediaType: DOCKER_V2,
    });
    await client.resolve('ghcr.io/o/n');
    await client.resolve('localhost:5000/x:1');
    expect(seen).toEqual([
      'HEAD https://registry-1.docker.io/v2/library/redis/manifests/7',
      'HEAD https://ghcr.io/v2/o/n/manifests/latest',
      'HEAD http://localhost:5000/v2/x/manifests/1',
    ]);
    expect(accepts[0]).toBe(
      'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    );
  });

  it('uses an injected base URL', async () => {
    const seen: string[] = [];
    const client = new RegistryClient({
      baseUrl: (registry) => `http://127.0.0.1:9/${registry}/`,
      fetch: (input) => (
        seen.push(urlOf(input)),
        Promise.resolve(head({ 'docker-content-digest': D, 'content-type': DOCKER_V2 }))
      ),
    });
    await client.resolve('ghcr.io/o/n:1');
    expect(seen).toEqual(['http://127.0.0.1:9/ghcr.io/v2/o/n/manifests/1']);
  });

  it('refuses answers it cannot trust', async () => {
    const noDigest = clientWith(() => head({ 'content-type': DOCKER_V2 })).client.resolve('ghcr.io/o/n:1');
    expect(await failure(noDigest)).toEqual([
      'protocol',
      'ghcr.io: ghcr.io/o/n:1: the manifest HEAD answered without a usable Docker-Content-Digest (null)',
    ]);
    const schema1 = clientWith(() =>
      head({ 'docker-content-digest': D, 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' }),
    );
    expect((await failure(schema1.client.resolve('ghcr.io/o/n:1')))[1]).toContain(
      'unsupported manifest media type "application/vnd.docker.distribution.manifest.v1+prettyjws"',
    );
    const other = `sha256:${'b'.repeat(64)}`;
    const moved = clientWith(() => head({ 'docker-content-digest': other, 'content-type': DOCKER_V2 }));
    expect(await failure(moved.client.resolve(`ghcr.io/o/n@${D}`))).toEqual([
      'protocol',
      `ghcr.io: ghcr.io/o/n@${D}: asked for ${D}, the registry answered ${other}`,
    ]);
  });

  it('checks the index body against its digest, and GETs it by digest only', async () => {
    const body = JSON.stringify({ manifests: [{ digest: D, platform: { os: 'linux', architecture: 'amd64' } }] });
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const good = clientWith((method) =>
      method === 'HEAD' ? head({ 'docker-content-digest': digest, 'content-type': OCI_INDEX }) : new Response(body),
    );
    expect((await good.client.resolve('ghcr.io/o/n:1')).platforms).toEqual({ 'linux/amd64': D });
    expect(good.seen).toEqual([
      'HEAD https://ghcr.io/v2/o/n/manifests/1',
      `GET https://ghcr.io/v2/o/n/manifests/${digest}`,
    ]);
    const tampered = clientWith((method) =>
      method === 'HEAD'
        ? head({ 'docker-content-digest': digest, 'content-type': OCI_INDEX })
        : new Response(`${body} `),
    );
    const [kind, message] = await failure(tampered.client.resolve('ghcr.io/o/n:1'));
    expect([
      kind,
      message.startsWith(`ghcr.io: ghcr.io/o/n:1: the index fetched by ${digest} hashes to sha256:`),
    ]).toEqual(['protocol', true]);
  });

  it('maps statuses to kinds', async () => {
    const status = (code: number) => clientWith(() => head({}, code)).client.resolve('ghcr.io/o/n:1');
    expect((await failure(status(404)))[0]).toBe('not-found');
    expect((await failure(status(403)))[0]).toBe('unauthorized');
    expect(await failure(status(503))).toEqual([
      'unreachable',
      'ghcr.io: ghcr.io/o/n:1: the registry is unavailable (HTTP 503)',
    ]);
    expect(await failure(status(429))).toEqual([
      'protocol',
      'ghcr.io: ghcr.io/o/n:1: unexpected answer to the manifest request (HTTP 429)',
    ]);
  });

  it('retries once with the answered challenge, then reports unauthorized', async () => {
    const anonymous = clientWith(() => head({ 'www-authenticate': 'Basic realm="r"' }, 401));
    expect((await failure(anonymous.client.resolve('ghcr.io/o/n:1')))[0]).toBe('unauthorized');
    expect(anonymous.seen).toEqual(['HEAD https://ghcr.io/v2/o/n/manifests/1']);

    const secret = 'correct-horse-battery';
    const seen: string[] = [];
    const withCreds = new RegistryClient({
      credentials: () => ({ username: 'u', password: secret }),
      fetch: (input, init) => {
        seen.push(`${init?.method} ${urlOf(input)} ${new Headers(init?.headers).has('authorization')}`);
        return Promise.resolve(head({ 'www-authenticate': 'Basic realm="r"' }, 401));
      },
    });
    const [kind, message] = await failure(withCreds.resolve('ghcr.io/o/n:1'));
    expect(kind).toBe('unauthorized');
    expect(message).not.toContain(secret);
    expect(seen).toEqual([
      'HEAD https://ghcr.io/v2/o/n/manifests/1 false',
      'HEAD https://ghcr.io/v2/o/n/manifests/1 true',
    ]);
  });
});
