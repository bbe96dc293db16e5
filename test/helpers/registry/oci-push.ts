// Writes content through the Registry API (blob upload, manifest PUT/DELETE) to build what docker push cannot: an OCI
// index.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** A piece of content and how an OCI descriptor names it. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

const digestOf = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Uploads `bytes` as a blob (POST an upload, PUT it whole with `?digest=`). */
export async function putBlob(
  registryUrl: string,
  repository: string,
  mediaType: string,
  bytes: Uint8Array,
): Promise<Descriptor> {
  const digest = digestOf(bytes);
  const start = await expectStatus(
    fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' }),
    202,
    'start blob upload',
  );
  const location = new URL(start.headers.get('location') ?? '', registryUrl);
  location.searchParams.set('digest', digest);
  await expectStatus(
    fetch(location, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes }),
    201,
    `put blob ${digest}`,
  );
  return { mediaType, digest, size: bytes.length };
}

/** PUTs a manifest under `reference` (a tag, or its digest); returns its descriptor. */
export async function putManifest(
  registryUrl: string,
  repository: string,
  reference: string | undefined,
  mediaType: string,
  manifest: object,
): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = digestOf(bytes);
  const url = `${registryUrl}/v2/${repository}/manifests/${reference ?? digest}`;
  const res = await expectStatus(
    fetch(url, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes }),
    201,
    `put manifest ${reference ?? digest}`,
  );
  const answered = res.headers.get('docker-content-digest');
  if (answered !== digest) throw new Error(`registry stored ${reference ?? digest} as ${answered}, expected ${digest}`);
  return { mediaType, digest, size: bytes.length };
}

/** DELETEs a manifest by digest (needs `storage: delete: enabled: true`); its tags go with it. */
export async function deleteManifest(registryUrl: string, repository: string, digest: string): Promise<void> {
  await expectStatus(
    fetch(`${registryUrl}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' }),
    202,
    `delete manifest ${digest}`,
  );
}

/** What {@link pushMultiArchIndex} stored. */
export interface MultiArch {
  readonly index: string;
  readonly amd64: string;
  readonly arm64: string;
}

/**
 * Stores a two-platform OCI index under `tag`: one empty layer, a config per architecture, an image
 * manifest per platform (pushed by digest), and the index, which starts with an attestation-like
 * `unknown/unknown` entry that resolvers must skip.
 */
export async function pushMultiArchIndex(registryUrl: string, repository: string, tag: string): Promise<MultiArch> {
  const tar = new Uint8Array(1024);
  const layer = await putBlob(registryUrl, repository, OCI_LAYER, gzipSync(tar));
  const image = async (architecture: string, variant?: string): Promise<Descriptor> => {
    const config = {
      architecture,
      os: 'linux',
      ...(variant === undefined ? {} : { variant }),
      rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
      config: {},
    };
    const configBlob = await putBlob(registryUrl, repository, OCI_CONFIG, Buffer.from(JSON.stringify(config)));
    return putManifest(registryUrl, repository, undefined, OCI_MANIFEST, {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: configBlob,
      layers: [layer],
    });
  };
  const amd64 = await image('amd64');
  const arm64 = await image('arm64', 'v8');
  const index = await putManifest(registryUrl, repository, tag, OCI_INDEX, {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      { ...amd64, platform: { os: 'unknown', architecture: 'unknown' } },
      { ...amd64, platform: { os: 'linux', architecture: 'amd64' } },
      { ...arm64, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  });
  return { index: index.digest, amd64: amd64.digest, arm64: arm64.digest };
}

async function expectStatus(pending: Promise<Response>, status: number, what: string): Promise<Response> {
  const res = await pending;
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} (expected ${status}): ${await res.text()}`);
  await res.body?.cancel();
  return res;
}
