// Reading per-platform digests out of an OCI index / Docker manifest list body, and media type normalisation.
import { describe, expect, it } from 'vitest';
import { bareMediaType, indexPlatforms, isIndexMediaType } from '../../../src/registry/manifest-index.js';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const entry = (digest: string, os: string, architecture: string, variant?: string): object => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest,
  size: 1,
  platform: variant === undefined ? { os, architecture } : { os, architecture, variant },
});

describe('indexPlatforms', () => {
  it('takes the first linux/amd64 and linux/arm64 (v8 or no variant), skipping attestations and others', () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      manifests: [
        entry(d('0'), 'unknown', 'unknown'),
        entry(d('1'), 'linux', 'arm', 'v7'),
        entry(d('2'), 'linux', 'amd64'),
        entry(d('3'), 'linux', 'arm64', 'v8'),
        entry(d('4'), 'linux', 'amd64'),
        entry(d('5'), 'windows', 'amd64'),
      ],
    });
    expect(indexPlatforms(body)).toEqual({ 'linux/amd64': d('2'), 'linux/arm64': d('3') });
  });

  it('accepts arm64 without a variant and an index with neither platform', () => {
    expect(indexPlatforms(JSON.stringify({ manifests: [entry(d('a'), 'linux', 'arm64')] }))).toEqual({
      'linux/arm64': d('a'),
    });
    expect(indexPlatforms(JSON.stringify({ manifests: [{ digest: d('b') }] }))).toEqual({});
    expect(indexPlatforms(JSON.stringify({ manifests: [entry(d('c'), 'linux', 'arm64', 'v9')] }))).toEqual({});
  });

  it('says undefined for a body that is not an index', () => {
    expect(indexPlatforms('not json')).toBeUndefined();
    expect(indexPlatforms('{"layers":[]}')).toBeUndefined();
    expect(indexPlatforms('{"manifests":[{"size":1}]}')).toBeUndefined();
  });
});

describe('media types', () => {
  it('strips parameters and case', () => {
    expect(bareMediaType('Application/VND.oci.image.index.v1+json; charset=utf-8')).toBe(
      'application/vnd.oci.image.index.v1+json',
    );
    expect(bareMediaType('')).toBe('');
  });

  it('knows the index types', () => {
    expect(isIndexMediaType('application/vnd.oci.image.index.v1+json')).toBe(true);
    expect(isIndexMediaType('application/vnd.docker.distribution.manifest.list.v2+json')).toBe(true);
    expect(isIndexMediaType('application/vnd.docker.distribution.manifest.v2+json')).toBe(false);
  });
});
