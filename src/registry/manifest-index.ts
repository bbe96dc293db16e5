// Manifest media types, and the pure reading of an OCI index / Docker manifest list into per-platform digests.
import { z } from 'zod';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * What rig accepts, multi-platform first. Without this Accept, distribution 2.8 converts to schema1 (another digest).
 */
export const MANIFEST_MEDIA_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST] as const;

/** The platforms rig deploys to, and the digest of each one's image manifest. */
export interface PlatformDigests {
  'linux/amd64'?: string;
  'linux/arm64'?: string;
}

/** True for the media types that list per-platform manifests instead of being an image. */
export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_MANIFEST_LIST;
}

/** `application/vnd.oci.image.index.v1+json; charset=utf-8` → the bare, lower-case media type. */
export function bareMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

const INDEX = z.object({
  manifests: z.array(
    z.object({
      digest: z.string(),
      platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional(),
    }),
  ),
});

/**
 * The linux/amd64 and linux/arm64 entries of an index body (the first of each; arm64 with no variant or
 * `v8`). Entries for other platforms and attestations (`unknown/unknown`) are ignored.
 * Returns `undefined` when the body is not an index.
 */
export function indexPlatforms(body: string): PlatformDigests | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const index = INDEX.safeParse(json);
  if (!index.success) return undefined;
  const platforms: PlatformDigests = {};
  for (const { digest, platform } of index.data.manifests) {
    if (platform?.os !== 'linux') continue;
    if (platform.architecture === 'amd64') platforms['linux/amd64'] ??= digest;
    if (platform.architecture === 'arm64' && (platform.variant ?? 'v8') === 'v8') platforms['linux/arm64'] ??= digest;
  }
  return platforms;
}
