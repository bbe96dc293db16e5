// Parses and normalises image references (`redis:7-alpine`, `ghcr.io/o/n:t@sha256:…`) the way the docker CLI does.
import { UserError } from '../core/errors/errors.js';

/** An image reference split into what the Registry HTTP API needs. */
export interface ImageRef {
  /** Host (and port) serving the Registry API: `registry-1.docker.io` for Docker Hub, else as written. */
  readonly registry: string;
  /** The registry as people write it: `docker.io` for Docker Hub, else the same as `registry`. */
  readonly domain: string;
  /** Path in the registry: `library/redis` for `redis`. */
  readonly repository: string;
  /** The tag written, or `latest` when none was (see `tagless`). */
  readonly tag: string;
  /** True when no tag was written; `tag` is then the implied `latest`. */
  readonly tagless: boolean;
  /** `sha256:<64 hex>` when pinned; a digest is what the reference means, the tag is then informational. */
  readonly digest?: string;
}

/**
 * A string that is not a valid image reference; names the string and what is wrong with it. A user error: exit 1 with
 * the message.
 */
export class ImageRefError extends UserError {
  constructor(
    readonly ref: string,
    readonly reason: string,
    /** Which part is wrong: the digest after `@`, or the name and tag before it. */
    readonly part: 'name' | 'digest' = 'name',
  ) {
    super(`invalid image reference ${JSON.stringify(ref)}: ${reason}`);
  }
}

/** What Docker Hub is called in references; all three name the same registry. */
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const HUB_DOMAIN = 'docker.io';
const HUB_REGISTRY = 'registry-1.docker.io';

// The grammar of github.com/distribution/reference (reference/regexp.go).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };
const NAME_MAX_LENGTH = 255;

/**
 * Parses `ref` (`[domain/]path[:tag][@digest]`). The first path component is a registry host when it
 * contains `.` or `:` or is `localhost`; otherwise the image is on Docker Hub, where a one-component
 * path gets the `library/` prefix. Throws {@link ImageRefError} for anything docker would refuse.
 */
export function parseImageRef(ref: string): ImageRef {
  const fail = (reason: string): never => {
    throw new ImageRefError(ref, reason);
  };
  if (ref === '') fail('empty');
  if (ref.trim() !== ref) fail('leading or trailing whitespace');
  const at = ref.indexOf('@');
  const named = at === -1 ? ref : ref.slice(0, at);
  const digest =
    at === -1
      ? undefined
      : checkDigest(ref.slice(at + 1), (reason) => {
          throw new ImageRefError(ref, reason, 'digest');
        });
  const { domain, remainder } = splitDomain(named);
  if (domain !== undefined && !DOMAIN.test(domain)) fail(`invalid registry host "${domain}"`);
  const colon = remainder.lastIndexOf(':');
  const path = colon === -1 ? remainder : remainder.slice(0, colon);
  const tag = colon === -1 ? undefined : remainder.slice(colon + 1);
  if (tag !== undefined && !TAG.test(tag)) fail(`invalid tag "${tag}"`);
  checkPath(path, fail);
  if (
    remainder.length - (tag === undefined ? 0 : tag.length + 1) + (domain === undefined ? 0 : domain.length + 1) >
    NAME_MAX_LENGTH
  ) {
    fail(`name longer than ${NAME_MAX_LENGTH} characters`);
  }
  const hub = domain === undefined || HUB_ALIASES.has(domain.toLowerCase());
  const repository = hub && !path.includes('/') ? `library/${path}` : path;
  const registry = hub ? HUB_REGISTRY : (domain ?? HUB_REGISTRY);
  const base = {
    registry,
    domain: hub ? HUB_DOMAIN : registry,
    repository,
    tag: tag ?? 'latest',
    tagless: tag === undefined,
  };
  return digest === undefined ? base : { ...base, digest };
}

/** The canonical, fully qualified form: `docker.io/library/redis:7-alpine`, with `@digest` when pinned. */
export function formatImageRef(ref: ImageRef): string {
  const name = `${ref.domain}/${ref.repository}`;
  const tagged = ref.tagless && ref.digest !== undefined ? name : `${name}:${ref.tag}`;
  return ref.digest === undefined ? tagged : `${tagged}@${ref.digest}`;
}

function splitDomain(named: string): { domain: string | undefined; remainder: string } {
  const slash = named.indexOf('/');
  if (slash === -1) return { domain: undefined, remainder: named };
  const first = named.slice(0, slash);
  const isHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return isHost ? { domain: first, remainder: named.slice(slash + 1) } : { domain: undefined, remainder: named };
}

function checkPath(path: string, fail: (reason: string) => never): void {
  if (path === '') fail('missing repository name');
  for (const component of path.split('/')) {
    if (component === '') fail('empty path component');
    if (PATH_COMPONENT.test(component)) continue;
    if (PATH_COMPONENT.test(component.toLowerCase())) fail(`repository name must be lowercase ("${component}")`);
    fail(`invalid path component "${component}"`);
  }
}

function checkDigest(digest: string, fail: (reason: string) => never): string {
  const colon = digest.indexOf(':');
  const algorithm = colon === -1 ? '' : digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) fail(`unsupported digest "${digest}" (expected sha256:<64 hex>)`);
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) fail(`invalid ${algorithm} digest "${digest}"`);
  return digest;
}
