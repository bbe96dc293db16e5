// Image reference parsing and normalisation, table-driven; the expectations follow the docker CLI's.
import { describe, expect, it } from 'vitest';
import { formatImageRef, ImageRefError, parseImageRef, type ImageRef } from '../../../src/registry/image-ref.js';
import { UserError } from '../../../src/core/errors/errors.js';

const D = `sha256:${'a'.repeat(64)}`;
const HUB = { registry: 'registry-1.docker.io', domain: 'docker.io' };
const at = (registry: string): { registry: string; domain: string } => ({ registry, domain: registry });

describe('parseImageRef', () => {
  const cases: [string, ImageRef, string][] = [
    [
      'redis:7-alpine',
      { ...HUB, repository: 'library/redis', tag: '7-alpine', tagless: false },
      'docker.io/library/redis:7-alpine',
    ],
    ['redis', { ...HUB, repository: 'library/redis', tag: 'latest', tagless: true }, 'docker.io/library/redis:latest'],
    [
      'bitnami/redis:7.2',
      { ...HUB, repository: 'bitnami/redis', tag: '7.2', tagless: false },
      'docker.io/bitnami/redis:7.2',
    ],
    [
      'docker.io/redis',
      { ...HUB, repository: 'library/redis', tag: 'latest', tagless: true },
      'docker.io/library/redis:latest',
    ],
    ['docker.io/library/x:1', { ...HUB, repository: 'library/x', tag: '1', tagless: false }, 'docker.io/library/x:1'],
    [
      'index.docker.io/library/x:1',
      { ...HUB, repository: 'library/x', tag: '1', tagless: false },
      'docker.io/library/x:1',
    ],
    [
      'index.docker.io/x',
      { ...HUB, repository: 'library/x', tag: 'latest', tagless: true },
      'docker.io/library/x:latest',
    ],
    ['registry-1.docker.io/o/x:2', { ...HUB, repository: 'o/x', tag: '2', tagless: false }, 'docker.io/o/x:2'],
    ['Docker.IO/x', { ...HUB, repository: 'library/x', tag: 'latest', tagless: true }, 'docker.io/library/x:latest'],
    [
      'ghcr.io/openclaw/openclaw:2026.5.27',
      { ...at('ghcr.io'), repository: 'openclaw/openclaw', tag: '2026.5.27', tagless: false },
      'ghcr.io/openclaw/openclaw:2026.5.27',
    ],
    [
      'ghcr.io/a/b/c/d',
      { ...at('ghcr.io'), repository: 'a/b/c/d', tag: 'latest', tagless: true },
      'ghcr.io/a/b/c/d:latest',
    ],
    [
      '127.0.0.1:5000/tb/busybox:1',
      { ...at('127.0.0.1:5000'), repository: 'tb/busybox', tag: '1', tagless: false },
      '127.0.0.1:5000/tb/busybox:1',
    ],
    [
      'localhost:5000/x',
      { ...at('localhost:5000'), repository: 'x', tag: 'latest', tagless: true },
      'localhost:5000/x:latest',
    ],
    ['localhost/x:y', { ...at('localhost'), repository: 'x', tag: 'y', tagless: false }, 'localhost/x:y'],
    ['[::1]:5000/x:1', { ...at('[::1]:5000'), repository: 'x', tag: '1', tagless: false }, '[::1]:5000/x:1'],
    ['reg:443/x', { ...at('reg:443'), repository: 'x', tag: 'latest', tagless: true }, 'reg:443/x:latest'],
    [
      'a.b-c.example/x',
      { ...at('a.b-c.example'), repository: 'x', tag: 'latest', tagless: true },
      'a.b-c.example/x:latest',
    ],
    // No `.`, `:` or `localhost`: a Hub user, not a host.
    ['myhost/x', { ...HUB, repository: 'myhost/x', tag: 'latest', tagless: true }, 'docker.io/myhost/x:latest'],
    // Without a `/` the `:` is the tag separator, even for something that looks like a host.
    [
      'localhost:5000',
      { ...HUB, repository: 'library/localhost', tag: '5000', tagless: false },
      'docker.io/library/localhost:5000',
    ],
    [
      `redis@${D}`,
      { ...HUB, repository: 'library/redis', tag: 'latest', tagless: true, digest: D },
      `docker.io/library/redis@${D}`,
    ],
    [
      `redis:7@${D}`,
      { ...HUB, repository: 'library/redis', tag: '7', tagless: false, digest: D },
      `docker.io/library/redis:7@${D}`,
    ],
    [
      `127.0.0.1:5000/tb/x@${D}`,
      { ...at('127.0.0.1:5000'), repository: 'tb/x', tag: 'latest', tagless: true, digest: D },
      `127.0.0.1:5000/tb/x@${D}`,
    ],
    [
      `ghcr.io/o/n:t@sha512:${'0'.repeat(128)}`,
      { ...at('ghcr.io'), repository: 'o/n', tag: 't', tagless: false, digest: `sha512:${'0'.repeat(128)}` },
      `ghcr.io/o/n:t@sha512:${'0'.repeat(128)}`,
    ],
    [
      'a_b__c-d--e/f.g:T_a.g-1',
      { ...HUB, repository: 'a_b__c-d--e/f.g', tag: 'T_a.g-1', tagless: false },
      'docker.io/a_b__c-d--e/f.g:T_a.g-1',
    ],
    [
      `ghcr.io/${'a'.repeat(247)}:1`,
      { ...at('ghcr.io'), repository: 'a'.repeat(247), tag: '1', tagless: false },
      `ghcr.io/${'a'.repeat(247)}:1`,
    ],
    [
      `x:${'t'.repeat(128)}`,
      { ...HUB, repository: 'library/x', tag: 't'.repeat(128), tagless: false },
      `docker.io/library/x:${'t'.repeat(128)}`,
    ],
  ];

  it.each(cases)('%s', (input, expected, canonical) => {
    const parsed = parseImageRef(input);
    expect(parsed).toEqual(expected);
    expect(formatImageRef(parsed)).toBe(canonical);
  });

  it('is idempotent on its canonical form', () => {
    for (const [input] of cases) {
      const parsed = parseImageRef(input);
      expect(parseImageRef(formatImageRef(parsed))).toEqual({
        ...parsed,
        tagless: parsed.tagless && parsed.digest !== undefined,
      });
    }
  });
});

describe('parseImageRef rejects', () => {
  it.each([
    ['', 'empty'],
    [' redis', 'leading or trailing whitespace'],
    ['redis ', 'leading or trailing whitespace'],
    ['Redis', 'repository name must be lowercase ("Redis")'],
    ['ghcr.io/Org/x', 'repository name must be lowercase ("Org")'],
    ['redis:', 'invalid tag ""'],
    ['redis:-x', 'invalid tag "-x"'],
    [`redis:${'t'.repeat(129)}`, `invalid tag "${'t'.repeat(129)}"`],
    // The first component has a `:`, so it is taken for a host, as docker does.
    ['redis:a/b', 'invalid registry host "redis:a"'],
    ['ghcr.io/', 'missing repository name'],
    ['ghcr.io//x', 'empty path component'],
    ['a//b', 'empty path component'],
    ['x/', 'empty path component'],
    [':tag', 'missing repository name'],
    ['-x', 'invalid path component "-x"'],
    ['x_', 'invalid path component "x_"'],
    ['a___b', 'invalid path component "a___b"'],
    ['a..b', 'invalid path component "a..b"'],
    ['-bad.io/x', 'invalid registry host "-bad.io"'],
    ['bad_host.io/x', 'invalid registry host "bad_host.io"'],
    ['host:port/x', 'invalid registry host "host:port"'],
    ['redis@', 'unsupported digest "" (expected sha256:<64 hex>)'],
    ['redis@sha256:abc', 'invalid sha256 digest "sha256:abc"'],
    [`redis@sha256:${'A'.repeat(64)}`, `invalid sha256 digest "sha256:${'A'.repeat(64)}"`],
    [`redis@md5:${'a'.repeat(32)}`, `unsupported digest "md5:${'a'.repeat(32)}" (expected sha256:<64 hex>)`],
    [`redis@${D}@${D}`, `invalid sha256 digest "${D}@${D}"`],
    [`ghcr.io/${'a'.repeat(248)}`, 'name longer than 255 characters'],
  ])('%j: %s', (input, reason) => {
    const error = catchError(() => parseImageRef(input));
    expect(error).toBeInstanceOf(ImageRefError);
    expect(error).toBeInstanceOf(UserError);
    expect((error as ImageRefError).reason).toBe(reason);
    expect((error as ImageRefError).message).toBe(`invalid image reference ${JSON.stringify(input)}: ${reason}`);
    expect((error as ImageRefError).part).toBe(reason.includes('digest') ? 'digest' : 'name');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
