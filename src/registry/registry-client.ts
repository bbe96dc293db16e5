// Registry HTTP API v2 client: resolves an image reference to its manifest digest with HEAD requests only.
import { createHash } from 'node:crypto';
import { parseImageRef, type ImageRef } from './image-ref.js';
import {
  bareMediaType,
  indexPlatforms,
  isIndexMediaType,
  MANIFEST_MEDIA_TYPES,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  type PlatformDigests,
} from './manifest-index.js';
import { RegistryAuth, type AuthTarget, type RegistryCredential } from './registry-auth.js';
import { RegistryError } from './registry-error.js';
import { discardBody, isLoopbackHost, readBody, sendRequest, type FetchSettings } from './registry-fetch.js';

export { RegistryError, type RegistryErrorKind } from './registry-error.js';
export type { RegistryCredentials, RegistryCredential, RegistryToken } from './registry-auth.js';
export type { PlatformDigests } from './manifest-index.js';

/** What a reference points at right now. */
export interface ResolvedImage {
  /** The reference as given. */
  ref: string;
  /** The API host (`registry-1.docker.io` for Docker Hub). */
  registry: string;
  /** `library/redis`. */
  repository: string;
  /** The tag asked for (`latest` when none was written). */
  tag: string;
  /** The manifest digest, as `docker push` prints it and `image@digest` pulls it. */
  digest: string;
  /** The manifest's media type (OCI index, Docker manifest list, OCI or Docker image manifest). */
  mediaType: string;
  /** For an index / manifest list: the image manifest digest of each platform it has. */
  platforms?: PlatformDigests;
}

export interface RegistryClientOptions {
  /**
   * Credentials per API host (`registry-1.docker.io`, `ghcr.io`, `127.0.0.1:5000`); asked only when a registry
   * challenges.
   */
  credentials?: (registry: string) => RegistryCredential | undefined;
  /** Base URL per API host; default `https://<registry>`, `http://` for localhost and 127.0.0.0/8 (as Docker does). */
  baseUrl?: (registry: string) => string;
  /** Deadline of each HTTP request, body included; default 10 s. */
  timeoutMs?: number;
  /** Injected `fetch` (tests count requests with it); default the global one. */
  fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;

/** One image reference being resolved: the parsed reference plus what failures must name. */
interface Lookup extends AuthTarget {
  readonly image: ImageRef;
}

/**
 * Resolves references against registries. The tag is only ever HEADed (a GET by tag counts as a pull on
 * Docker Hub's rate limit); an index is then fetched by its digest, and its bytes are checked against it.
 * Tokens are cached for the client's lifetime: keep one client per run.
 */
export class RegistryClient {
  private readonly settings: FetchSettings;
  private readonly auth: RegistryAuth;
  private readonly baseUrl: (registry: string) => string;

  constructor(options: RegistryClientOptions = {}) {
    this.settings = { fetch: options.fetch ?? fetch, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS };
    this.auth = new RegistryAuth(this.settings, options.credentials ?? (() => undefined));
    this.baseUrl = options.baseUrl ?? defaultBaseUrl;
  }

  /**
   * The digest (and per-platform digests for an index) that `ref` points at. Throws {@link RegistryError}, or
   * `ImageRefError` for a malformed `ref`.
   */
  async resolve(ref: string): Promise<ResolvedImage> {
    const image = parseImageRef(ref);
    const lookup: Lookup = {
      image,
      ref,
      registry: image.registry,
      domain: image.domain,
      scope: `repository:${image.repository}:pull`,
    };
    const { response: head } = await this.send(lookup, 'HEAD', image.digest ?? image.tag, MANIFEST_MEDIA_TYPES);
    const digest = head.headers.get('docker-content-digest') ?? image.digest;
    if (digest === undefined || !DIGEST.test(digest)) {
      throw this.error(
        lookup,
        'protocol',
        `the manifest HEAD answered without a usable Docker-Content-Digest (${JSON.stringify(digest ?? null)})`,
      );
    }
    if (image.digest !== undefined && digest !== image.digest) {
      throw this.error(lookup, 'protocol', `asked for ${image.digest}, the registry answered ${digest}`);
    }
    const mediaType = bareMediaType(head.headers.get('content-type') ?? '');
    if (!(MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      throw this.error(
        lookup,
        'protocol',
        `unsupported manifest media type ${JSON.stringify(mediaType)} (schema1 digests differ from what docker pulls)`,
      );
    }
    const resolved = { ref, registry: image.registry, repository: image.repository, tag: image.tag, digest, mediaType };
    if (!isIndexMediaType(mediaType)) return resolved;
    return { ...resolved, platforms: await this.platforms(lookup, digest) };
  }

  /** GETs the index by digest (never by tag), checks its bytes hash to `digest`, and reads the platforms. */
  private async platforms(lookup: Lookup, digest: string): Promise<PlatformDigests> {
    const { response, url } = await this.send(lookup, 'GET', digest, [OCI_INDEX, DOCKER_MANIFEST_LIST]);
    const body = await readBody(this.settings, lookup, url, response);
    const [algorithm = '', hex] = digest.split(':');
    const actual = createHash(algorithm).update(body).digest('hex');
    if (actual !== hex)
      throw this.error(lookup, 'protocol', `the index fetched by ${digest} hashes to ${algorithm}:${actual}`);
    const platforms = indexPlatforms(Buffer.from(body).toString('utf8'));
    if (platforms === undefined) throw this.error(lookup, 'protocol', `the body of ${digest} is not an image index`);
    return platforms;
  }

  /**
   * Sends a manifest request, answering one 401 challenge (or a stale cached token) and retrying once.
   * Returns a 2xx answer; any other becomes a {@link RegistryError}.
   */
  private async send(
    lookup: Lookup,
    method: 'HEAD' | 'GET',
    reference: string,
    accept: readonly string[],
  ): Promise<{ response: Response; url: URL }> {
    const url = new URL(
      `${this.baseUrl(lookup.registry).replace(/\/+$/, '')}/v2/${lookup.image.repository}/manifests/${reference}`,
    );
    let authorization = this.auth.cached(lookup);
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: accept.join(', ') };
      if (authorization !== undefined) headers['authorization'] = authorization;
      const response = await sendRequest(this.settings, lookup, url, { method, headers });
      if (response.ok) return { response, url };
      await discardBody(response);
      if (response.status !== 401 || attempt > 0) throw this.statusError(lookup, response, reference);
      authorization = await this.auth.authorize(lookup, response.headers.get('www-authenticate'));
    }
  }

  private statusError(lookup: Lookup, response: Response, reference: string): RegistryError {
    const status = `HTTP ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}`;
    if (response.status === 404)
      return this.error(
        lookup,
        'not-found',
        `manifest unknown: no ${reference} in ${lookup.image.repository} (${status})`,
      );
    if (response.status === 401 || response.status === 403) {
      return this.error(
        lookup,
        'unauthorized',
        `access to ${lookup.image.repository} denied (${status}): wrong credentials, no pull access, or no such repository`,
      );
    }
    if ([502, 503, 504].includes(response.status))
      return this.error(lookup, 'unreachable', `the registry is unavailable (${status})`);
    return this.error(lookup, 'protocol', `unexpected answer to the manifest request (${status})`);
  }

  private error(lookup: Lookup, kind: RegistryError['kind'], reason: string): RegistryError {
    return new RegistryError(kind, lookup.domain, lookup.ref, reason);
  }
}

function defaultBaseUrl(registry: string): string {
  return `${isLoopbackHost(registry) ? 'http' : 'https'}://${registry}`;
}
