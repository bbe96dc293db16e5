// RegistryClient against real distribution 2.8 registries: digests as docker and skopeo see them, an OCI index,
// moved and deleted tags, a registry down, htpasswd and bearer-token auth; HEAD-only, checked in the access logs.
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import {
  RegistryClient,
  RegistryError,
  type RegistryClientOptions,
  type RegistryCredential,
} from '../../../src/registry/registry-client.js';
import { requireDocker } from '../../helpers/testbed/index.js';
import { imageId, waitFor } from '../../helpers/docker/index.js';
import {
  BED_USER,
  deleteManifest,
  manifestRequests,
  pushImage,
  pushMultiArchIndex,
  registryBedProblem,
  startRegistryBed,
  startTestRegistry,
  type AccessEntry,
  type RegistryBed,
  type TestRegistry,
} from '../../helpers/registry/index.js';

async function imagesProblem(): Promise<string | undefined> {
  for (const image of ['local/busybox:1', 'local/rig-svc:1']) {
    if ((await imageId(image)) === undefined) return `${image} missing (scripts/build-images.sh)`;
  }
  return undefined;
}

const skipReason = (await requireDocker()) ?? (await registryBedProblem()) ?? (await imagesProblem());
if (skipReason !== undefined) console.warn(`[registry-client] skipping: ${skipReason}`);

const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** A client whose fetch records every request it makes: method, path and whether it carried an Authorization. */
function countingClient(options: Omit<RegistryClientOptions, 'fetch'> = {}) {
  const sent: { method: string; host: string; path: string; authorized: boolean }[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    sent.push({
      method: init?.method ?? 'GET',
      host: url.host,
      path: url.pathname,
      authorized: new Headers(init?.headers).has('authorization'),
    });
    return fetch(input, init);
  };
  return { client: new RegistryClient({ ...options, fetch: recording }), sent };
}

async function rejection(promise: Promise<unknown>, ...secrets: string[]): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  const text = `${(error as Error).stack} ${JSON.stringify(error)} ${String((error as Error).cause)}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
  return error as RegistryError;
}

describe.skipIf(skipReason !== undefined)('RegistryClient against docker-registry 2.8', () => {
  const repo = `rigreg${Math.random().toString(36).slice(2, 8)}`;
  let bed: RegistryBed;
  let busybox = '';
  /** Manifest GETs by tag that skopeo, not RegistryClient, made on the open registry. */
  const notOurs: string[] = [];
  /** Per registry and repository: how much of the access log earlier checks consumed. */
  const marks = new Map<string, number>();

  /**
   * The manifest requests of `repository` that `registry` logged since the last call, as `METHOD reference status`,
   * once `until` holds for them (the access log is written after the answer is sent).
   */
  const logged = async (
    registry: TestRegistry,
    repository: string,
    until: (lines: string[]) => boolean,
  ): Promise<string[]> => {
    const key = `${registry.host} ${repository}`;
    const from = marks.get(key) ?? 0;
    const lines = (all: AccessEntry[]) =>
      manifestRequests(all.slice(from), repository).map((e) => `${e.method} ${e.reference} ${e.status}`);
    const all = await waitFor(
      `manifest requests of ${repository} in ${registry.host}'s access log`,
      async () => {
        const entries = await registry.requests();
        return until(lines(entries)) ? entries : undefined;
      },
      5_000,
    );
    marks.set(key, all.length);
    return lines(all);
  };
  const atLeast = (n: number) => (lines: string[]) => lines.length >= n;

  beforeAll(async () => {
    bed = await startRegistryBed();
    busybox = await pushImage('local/busybox:1', bed.open.host, `${repo}/busybox:1`);
    await logged(bed.open, `${repo}/busybox`, (lines) => lines.includes('PUT 1 201'));
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    for (const registry of bed.all)
      console.error(`--- ${registry.host}\n${(await registry.appLog()).split('\n').slice(-15).join('\n')}`);
  });

  it('resolves a pushed image to the digest docker printed and skopeo hashes, with one HEAD', async () => {
    const { client, sent } = countingClient();
    const ref = `${bed.open.host}/${repo}/busybox:1`;
    const resolved = await client.resolve(ref);
    expect(resolved).toEqual({
      ref,
      registry: bed.open.host,
      repository: `${repo}/busybox`,
      tag: '1',
      digest: busybox,
      mediaType: DOCKER_V2,
    });
    expect(sent).toEqual([
      { method: 'HEAD', host: bed.open.host, path: `/v2/${repo}/busybox/manifests/1`, authorized: false },
    ]);
    expect(await logged(bed.open, `${repo}/busybox`, atLeast(1))).toEqual(['HEAD 1 200']);

    const skopeo = await execa('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${ref}`]).pipe(
      'sha256sum',
    );
    expect(`sha256:${skopeo.stdout.split(' ')[0]}`).toBe(busybox);
    // skopeo's own GET by tag, not ours: step over it, and let the last test allow exactly this one.
    expect(await logged(bed.open, `${repo}/busybox`, atLeast(1))).toEqual(['GET 1 200']);
    notOurs.push(`${repo}/busybox:1`);
  });

  it('resolves an OCI index to its digest and both platform digests, GETting the index only by digest', async () => {
    const pushed = await pushMultiArchIndex(bed.open.url, `${repo}/multi`, 'v1');
    await logged(bed.open, `${repo}/multi`, (lines) => lines.includes('PUT v1 201'));
    const { client, sent } = countingClient();
    const resolved = await client.resolve(`${bed.open.host}/${repo}/multi:v1`);
    expect(resolved.digest).toBe(pushed.index);
    expect(resolved.mediaType).toBe(OCI_INDEX);
    expect(resolved.platforms).toEqual({ 'linux/amd64': pushed.amd64, 'linux/arm64': pushed.arm64 });
    expect(sent.map((s) => `${s.method} ${s.path}`)).toEqual([
      `HEAD /v2/${repo}/multi/manifests/v1`,
      `GET /v2/${repo}/multi/manifests/${pushed.index}`,
    ]);
    expect(await logged(bed.open, `${repo}/multi`, atLeast(2))).toEqual(['HEAD v1 200', `GET ${pushed.index} 200`]);
    // A digest reference resolves the same way and checks the digest.
    const pinned = await client.resolve(`${bed.open.host}/${repo}/multi@${pushed.index}`);
    expect([pinned.digest, pinned.tag, pinned.platforms]).toEqual([pushed.index, 'latest', resolved.platforms]);
    expect(await logged(bed.open, `${repo}/multi`, atLeast(2))).toEqual([
      `HEAD ${pushed.index} 200`,
      `GET ${pushed.index} 200`,
    ]);
  });

  it('follows a moved tag, and calls a deleted tag and an unknown repository not-found', async () => {
    const { client } = countingClient();
    const ref = `${bed.open.host}/${repo}/moving:1`;
    const first = await pushImage('local/busybox:1', bed.open.host, `${repo}/moving:1`);
    expect((await client.resolve(ref)).digest).toBe(first);
    const second = await pushImage('local/rig-svc:1', bed.open.host, `${repo}/moving:1`);
    expect(second).not.toBe(first);
    expect((await client.resolve(ref)).digest).toBe(second);

    await deleteManifest(bed.open.url, `${repo}/moving`, second);
    const deleted = await rejection(client.resolve(ref));
    expect([deleted.kind, deleted.registry, deleted.ref]).toEqual(['not-found', bed.open.host, ref]);
    expect(deleted.message).toBe(
      `${bed.open.host}: ${ref}: manifest unknown: no 1 in ${repo}/moving (HTTP 404 Not Found)`,
    );
    const unknown = await rejection(client.resolve(`${bed.open.host}/${repo}/nothing-here`));
    expect(unknown.kind).toBe('not-found');
    const log = await logged(bed.open, `${repo}/moving`, (lines) => lines.includes('HEAD 1 404'));
    expect(log.filter((line) => line.startsWith('HEAD 1 ') || line.startsWith('GET 1 '))).toEqual([
      'HEAD 1 200',
      'HEAD 1 200',
      'HEAD 1 404',
    ]);
    expect(log).toContain(`DELETE ${second} 202`);
  });

  it('calls a stopped registry and one that never answers unreachable, naming registry and ref', async () => {
    const down = await startTestRegistry({ storage: bed.storage });
    await down.stop();
    const { client } = countingClient();
    const ref = `${down.host}/${repo}/busybox:1`;
    const refused = await rejection(client.resolve(ref));
    expect([refused.kind, refused.message]).toEqual([
      'unreachable',
      `${down.host}: ${ref}: cannot reach http://${down.host}: connection refused`,
    ]);

    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const address = silent.address();
      const host = `127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
      const slow = await rejection(new RegistryClient({ timeoutMs: 300 }).resolve(`${host}/x:1`));
      expect([slow.kind, slow.message]).toEqual([
        'unreachable',
        `${host}: ${host}/x:1: cannot reach http://${host}: no answer within 300 ms`,
      ]);
    } finally {
      silent.close();
    }
  });

  it('htpasswd: refuses without or with wrong credentials, resolves with them, and reuses the Basic answer', async () => {
    const ref = `${bed.basic.host}/${repo}/busybox:1`;
    const none = await rejection(countingClient().client.resolve(ref));
    expect([none.kind, none.message]).toEqual([
      'unauthorized',
      `${bed.basic.host}: ${ref}: the registry asks for a user name and password, and none are configured`,
    ]);
    const wrongPassword = `${bed.password}-wrong`;
    const wrong = await rejection(
      countingClient({ credentials: () => ({ username: BED_USER, password: wrongPassword }) }).client.resolve(ref),
      wrongPassword,
    );
    expect(wrong.kind).toBe('unauthorized');

    const asked: string[] = [];
    const credentials = (registry: string): RegistryCredential => (
      asked.push(registry),
      { username: BED_USER, password: bed.password }
    );
    const { client, sent } = countingClient({ credentials });
    expect((await client.resolve(ref)).digest).toBe(busybox);
    expect((await client.resolve(ref)).digest).toBe(busybox);
    expect(asked).toEqual([bed.basic.host]);
    expect(sent.map((s) => `${s.method} ${s.authorized}`)).toEqual(['HEAD false', 'HEAD true', 'HEAD true']);
    expect(await logged(bed.basic, `${repo}/busybox`, atLeast(6))).toEqual([
      'HEAD 1 401',
      'HEAD 1 401',
      'HEAD 1 401',
      'HEAD 1 401',
      'HEAD 1 200',
      'HEAD 1 200',
    ]);
  });

  it('bearer: an anonymous token for the repository scope, cached across resolves and the index GET', async () => {
    const pushed = await pushMultiArchIndex(bed.open.url, `${repo}/multi2`, 'v1');
    await logged(bed.open, `${repo}/multi2`, (lines) => lines.includes('PUT v1 201'));
    const { client, sent } = countingClient();
    const before = bed.anonymousTokens.requests.length;
    const ref = `${bed.bearer.host}/${repo}/busybox:1`;
    expect((await client.resolve(ref)).digest).toBe(busybox);
    expect((await client.resolve(ref)).digest).toBe(busybox);
    const multi = await client.resolve(`${bed.bearer.host}/${repo}/multi2:v1`);
    expect([multi.digest, multi.platforms]).toEqual([
      pushed.index,
      { 'linux/amd64': pushed.amd64, 'linux/arm64': pushed.arm64 },
    ]);
    expect(bed.anonymousTokens.requests.slice(before)).toEqual([
      {
        service: 'rig-test-registry',
        scope: `repository:${repo}/busybox:pull`,
        account: null,
        user: undefined,
        status: 200,
      },
      {
        service: 'rig-test-registry',
        scope: `repository:${repo}/multi2:pull`,
        account: null,
        user: undefined,
        status: 200,
      },
    ]);
    const tokenHost = new URL(bed.anonymousTokens.realm).host;
    expect(
      sent.map(
        (s) => `${s.method} ${s.host === tokenHost ? 'token' : s.path.replace(/^.*\/manifests\//, '')} ${s.authorized}`,
      ),
    ).toEqual([
      'HEAD 1 false',
      'GET token false',
      'HEAD 1 true',
      'HEAD 1 true',
      'HEAD v1 false',
      'GET token false',
      'HEAD v1 true',
      `GET ${pushed.index} true`,
    ]);
    expect(await logged(bed.bearer, `${repo}/busybox`, atLeast(3))).toEqual(['HEAD 1 401', 'HEAD 1 200', 'HEAD 1 200']);
    expect(await logged(bed.bearer, `${repo}/multi2`, atLeast(3))).toEqual([
      'HEAD v1 401',
      'HEAD v1 200',
      `GET ${pushed.index} 200`,
    ]);
  });

  it('bearer with users: the token server wants credentials (access_token field); a bad token is unauthorized', async () => {
    const ref = `${bed.bearerWithUsers.host}/${repo}/busybox:1`;
    const anonymous = await rejection(countingClient().client.resolve(ref));
    expect([anonymous.kind, anonymous.message]).toEqual([
      'unauthorized',
      `${bed.bearerWithUsers.host}: ${ref}: the token server ${new URL(bed.userTokens.realm).origin} refused an anonymous token (HTTP 401)`,
    ]);
    const wrongPassword = `${bed.password}-nope`;
    const wrong = await rejection(
      countingClient({ credentials: () => ({ username: BED_USER, password: wrongPassword }) }).client.resolve(ref),
      wrongPassword,
    );
    expect(wrong.message).toContain('refused the configured credentials (HTTP 401)');
    const forged = 'forged.token.value';
    const bad = await rejection(countingClient({ credentials: () => ({ token: forged }) }).client.resolve(ref), forged);
    expect([bad.kind, bad.message]).toEqual([
      'unauthorized',
      `${bed.bearerWithUsers.host}: ${ref}: access to ${repo}/busybox denied (HTTP 401 Unauthorized): wrong credentials, no pull access, or no such repository`,
    ]);

    const { client } = countingClient({ credentials: () => ({ username: BED_USER, password: bed.password }) });
    expect((await client.resolve(ref)).digest).toBe(busybox);
    expect(bed.userTokens.requests.at(-1)).toEqual({
      service: 'rig-test-registry',
      scope: `repository:${repo}/busybox:pull`,
      account: BED_USER,
      user: BED_USER,
      status: 200,
    });
  });

  it('never GETs a manifest by tag on any registry (access logs of the whole run)', async () => {
    for (const registry of bed.all) {
      const byTag = manifestRequests(await registry.requests()).filter(
        (e) => e.method === 'GET' && !e.reference.startsWith('sha256:'),
      );
      // skopeo's GET in the first test is the only one, on the open registry.
      const expected = registry === bed.open ? notOurs : [];
      expect(
        byTag.map((e) => `${e.repository}:${e.reference}`),
        registry.host,
      ).toEqual(expected);
    }
  });
});
