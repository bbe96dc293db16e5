// Classifies an image reference as pinned (digest), exact (names one release) or floating (the image behind it moves).
import { ImageRefError, parseImageRef, type ImageRef } from '../registry/image-ref.js';

/** What a reference promises: the same bytes (`pinned`), the same release (`exact`), or nothing (`floating`). */
export type ImageVerdict = 'pinned' | 'exact' | 'floating';

export interface ImageClassification {
  readonly verdict: ImageVerdict;
  /** Why, in words fit for a diagnostic: always set for `floating` and `exact`. */
  readonly reason?: string;
}

/**
 * Tags that name a release channel, not a release (as the whole tag or its first `-` part: `latest`, `stable-alpine`).
 */
const CHANNELS = new Set([
  'latest',
  'nightly',
  'stable',
  'main',
  'master',
  'edge',
  'dev',
  'develop',
  'beta',
  'alpha',
  'rc',
  'canary',
  'next',
  'test',
  'unstable',
]);

/**
 * Channels that also float as a later part (`v1.83.3-stable`: LiteLLM re-points it). Pre-release labels stay out:
 * `1.2.3-beta` and `2.0.0-rc` are semver versions of their own, one release each.
 */
const SUFFIX_CHANNELS = new Set([
  'latest',
  'nightly',
  'stable',
  'main',
  'master',
  'edge',
  'dev',
  'develop',
  'canary',
  'next',
  'unstable',
]);

/**
 * Projects whose releases are MAJOR.MINOR, so a 2-part tag there names one release (`postgres:18.4`), while
 * everywhere else it names a line of releases (`alpine:3.21` moves with 3.21.x). A short table beats an
 * allow-list entry in every repository that runs Postgres; an unknown 2-part project errs on the safe side
 * (floating) and can be allow-listed. `sinceMajor`: older majors were 3-part (Postgres 9.6.24).
 */
const TWO_PART_RELEASES: ReadonlyMap<string, { sinceMajor: number; why: string }> = new Map([
  ['postgres', { sinceMajor: 10, why: 'PostgreSQL 10+ releases are MAJOR.MINOR' }],
  ['debian', { sinceMajor: 7, why: 'Debian point releases are MAJOR.POINT' }],
]);

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const VERSION = /^(v?)(\d+(?:\.\d+)*)/i;
const COMMIT = /^g?(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}$/;
const DATE_DASHED = /(?:^|-)(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:-|$)/;

/** `postgres` for any spelling of Docker Hub's official image, else the registry and path (`ghcr.io/o/postgres`). */
export function repositoryName(ref: ImageRef): string {
  return ref.domain === 'docker.io' ? ref.repository.replace(/^library\//, '') : `${ref.domain}/${ref.repository}`;
}

/**
 * Pure: what `ref` promises. `pinned` = a sha256 digest (a tag beside it is informative only); `exact` = the tag
 * names one release (a version with 3+ numeric parts, a date or build stamp, a commit, a MAJOR.MINOR release of a
 * project in TWO_PART_RELEASES); `floating` = everything else, with the reason.
 */
export function classifyImageRef(ref: string): ImageClassification {
  const text = ref.trim();
  if (text === '' || /\s/.test(text)) return floating('not an image reference');
  let parsed: ImageRef;
  try {
    parsed = parseImageRef(text);
  } catch (err) {
    if (!(err instanceof ImageRefError)) throw err;
    return err.part === 'digest' ? malformedDigest(text.slice(text.indexOf('@') + 1)) : floating(err.reason);
  }
  if (parsed.digest !== undefined)
    return DIGEST.test(parsed.digest) ? { verdict: 'pinned' } : malformedDigest(parsed.digest);
  if (parsed.tagless) return floating('no tag (means :latest)');
  return classifyTag(parsed.tag, repositoryName(parsed));
}

function malformedDigest(digest: string): ImageClassification {
  return floating(`malformed digest "${digest}" (expected sha256:<64 lowercase hex>)`);
}

function classifyTag(tag: string, repository: string): ImageClassification {
  const parts = tag.toLowerCase().split('-');
  const stamp = parts.find((p) => /^\d{6,}$/.test(p)) ?? DATE_DASHED.exec(tag.toLowerCase())?.[0].replace(/^-|-$/g, '');
  if (stamp !== undefined) return exact(`date or build stamp ${stamp}`);
  const suffix = parts.slice(1).find((p) => SUFFIX_CHANNELS.has(firstWord(p)));
  if (suffix !== undefined) return floating(`-${firstWord(suffix)} suffix: the image behind it moves`);
  const commit = parts.find((p) => COMMIT.test(p));
  if (commit !== undefined) return exact(`commit ${commit}`);
  if (CHANNELS.has(firstWord(parts[0] ?? ''))) {
    // `nightly-2026.5.27` names one build of the channel; `latest-alpine` or `nightly-2` still moves.
    const build = classifyVersion(parts.slice(1).join('-'), repository);
    return build.verdict === 'exact' ? build : floating(`channel "${tag}": the image behind it moves`);
  }
  return classifyVersion(tag, repository);
}

function classifyVersion(tag: string, repository: string): ImageClassification {
  const match = tag
    .split('-')
    .map((p) => VERSION.exec(p))
    .find((m) => m !== null);
  if (!match) return floating(`no version in tag "${tag}": it follows upstream`);
  const written = match[0];
  const numbers = (match[2] ?? '').split('.').map(Number);
  const major = numbers[0] ?? 0;
  if (numbers.length >= 3) return exact(`version ${written}`);
  if (numbers.length === 1) return floating(`floating major: ${written} moves with every ${written}.x.y`);
  const twoPart = TWO_PART_RELEASES.get(repository);
  if (twoPart && major >= twoPart.sinceMajor) return exact(`${twoPart.why}: ${written} is one release`);
  return floating(`floating minor: ${written} moves with every ${written}.x`);
}

/** `stable.patch.1` → `stable`: a channel word followed by dotted qualifiers is still that channel. */
function firstWord(part: string): string {
  return part.split(/[._]/)[0] ?? '';
}

function floating(reason: string): ImageClassification {
  return { verdict: 'floating', reason };
}

function exact(reason: string): ImageClassification {
  return { verdict: 'exact', reason };
}
