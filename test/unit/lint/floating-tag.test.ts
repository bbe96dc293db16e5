import { describe, expect, it } from 'vitest';
import { classifyImageRef, repositoryName, type ImageVerdict } from '../../../src/lint/floating-tag.js';
import { parseImageRef } from '../../../src/registry/image-ref.js';

const HEX = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);

// [reference, verdict, reason]; the first block is the incumbent's real references (Mobutoo/VPAI).
const TABLE: readonly (readonly [string, ImageVerdict, string?])[] = [
  ['hiett/serverless-redis-http:latest', 'floating', 'channel "latest": the image behind it moves'],
  ['ghcr.io/we-promise/sure:nightly', 'floating', 'channel "nightly": the image behind it moves'],
  ['redis:7-alpine', 'floating', 'floating major: 7 moves with every 7.x.y'],
  ['caddy:2.11.3-alpine', 'exact', 'version 2.11.3'],
  ['ghcr.io/berriai/litellm:v1.83.3-stable', 'floating', '-stable suffix: the image behind it moves'],
  ['ghcr.io/openclaw/openclaw:2026.5.27', 'exact', 'version 2026.5.27'],
  ['postgres:18.4-bookworm', 'exact', 'PostgreSQL 10+ releases are MAJOR.MINOR: 18.4 is one release'],
  ['alpine:3.21', 'floating', 'floating minor: 3.21 moves with every 3.21.x'],
  ['postgres:16-alpine', 'floating', 'floating major: 16 moves with every 16.x.y'],
  ['127.0.0.1:5000/tb/busybox:1', 'floating', 'floating major: 1 moves with every 1.x.y'],
  ['localhost:5000/app', 'floating', 'no tag (means :latest)'],
  [`x@sha256:${HEX}`, 'pinned'],
  [`x:latest@sha256:${HEX}`, 'pinned'],
  // no tag
  ['redis', 'floating', 'no tag (means :latest)'],
  ['ghcr.io/org/app', 'floating', 'no tag (means :latest)'],
  ['registry.example.com:443/team/app', 'floating', 'no tag (means :latest)'],
  // channels, whole or as the first part; case does not matter
  ['nginx:LATEST', 'floating', 'channel "LATEST": the image behind it moves'],
  ['app:main', 'floating', 'channel "main": the image behind it moves'],
  ['app:master', 'floating', 'channel "master": the image behind it moves'],
  ['alpine:edge', 'floating', 'channel "edge": the image behind it moves'],
  ['app:dev', 'floating', 'channel "dev": the image behind it moves'],
  ['app:develop', 'floating', 'channel "develop": the image behind it moves'],
  ['app:beta', 'floating', 'channel "beta": the image behind it moves'],
  ['app:alpha', 'floating', 'channel "alpha": the image behind it moves'],
  ['app:rc', 'floating', 'channel "rc": the image behind it moves'],
  ['app:canary', 'floating', 'channel "canary": the image behind it moves'],
  ['app:next', 'floating', 'channel "next": the image behind it moves'],
  ['app:test', 'floating', 'channel "test": the image behind it moves'],
  ['app:unstable', 'floating', 'channel "unstable": the image behind it moves'],
  ['app:stable', 'floating', 'channel "stable": the image behind it moves'],
  ['app:latest-alpine', 'floating', 'channel "latest-alpine": the image behind it moves'],
  ['app:stable-alpine', 'floating', 'channel "stable-alpine": the image behind it moves'],
  ['app:nightly-2', 'floating', 'channel "nightly-2": the image behind it moves'],
  // a channel followed by one release or one dated build names that build
  ['app:nightly-2026.5.27', 'exact', 'version 2026.5.27'],
  ['app:nightly-20260527', 'exact', 'date or build stamp 20260527'],
  ['ghcr.io/berriai/litellm:main-v1.83.3', 'exact', 'version v1.83.3'],
  // channel suffixes float; pre-release labels are versions of their own
  ['ghcr.io/berriai/litellm:main-v1.83.3-stable', 'floating', '-stable suffix: the image behind it moves'],
  ['ghcr.io/berriai/litellm:v1.74.3-stable.patch.1', 'floating', '-stable suffix: the image behind it moves'],
  ['app:1.2.3-latest', 'floating', '-latest suffix: the image behind it moves'],
  ['app:1.2.3-nightly', 'floating', '-nightly suffix: the image behind it moves'],
  ['app:1.2.3-alpine-edge', 'floating', '-edge suffix: the image behind it moves'],
  ['app:2.0.0-rc', 'exact', 'version 2.0.0'],
  ['app:1.2.3-beta.2', 'exact', 'version 1.2.3'],
  // floating majors and minors
  ['app:v2', 'floating', 'floating major: v2 moves with every v2.x.y'],
  ['redis:7', 'floating', 'floating major: 7 moves with every 7.x.y'],
  ['caddy:2.11-alpine', 'floating', 'floating minor: 2.11 moves with every 2.11.x'],
  ['python:3.12-slim-bookworm', 'floating', 'floating minor: 3.12 moves with every 3.12.x'],
  ['ubuntu:24.04', 'floating', 'floating minor: 24.04 moves with every 24.04.x'],
  ['homeassistant/home-assistant:2024.5', 'floating', 'floating minor: 2024.5 moves with every 2024.5.x'],
  ['postgres:9.6', 'floating', 'floating minor: 9.6 moves with every 9.6.x'],
  ['postgres:18', 'floating', 'floating major: 18 moves with every 18.x.y'],
  // the two-part table: postgres (any spelling of Docker Hub) and debian
  ['docker.io/library/postgres:17.2', 'exact', 'PostgreSQL 10+ releases are MAJOR.MINOR: 17.2 is one release'],
  ['library/postgres:16.6-alpine', 'exact', 'PostgreSQL 10+ releases are MAJOR.MINOR: 16.6 is one release'],
  ['debian:12.5-slim', 'exact', 'Debian point releases are MAJOR.POINT: 12.5 is one release'],
  ['ghcr.io/someone/postgres:16.6', 'floating', 'floating minor: 16.6 moves with every 16.6.x'],
  // no version at all
  ['debian:bookworm-slim', 'floating', 'no version in tag "bookworm-slim": it follows upstream'],
  ['node:lts-alpine', 'floating', 'no version in tag "lts-alpine": it follows upstream'],
  // exact
  ['nginx:1.29.2', 'exact', 'version 1.29.2'],
  ['ghcr.io/berriai/litellm:v1.83.3', 'exact', 'version v1.83.3'],
  ['bitnami/redis:7.2.4-debian-12-r0', 'exact', 'version 7.2.4'],
  ['eclipse-temurin:21.0.2_13-jdk', 'exact', 'version 21.0.2'],
  ['app:1.2.3.4', 'exact', 'version 1.2.3.4'],
  ['ubuntu:jammy-20240530', 'exact', 'date or build stamp 20240530'],
  ['app:2024-05-30', 'exact', 'date or build stamp 2024-05-30'],
  ['app:build-123456', 'exact', 'date or build stamp 123456'],
  ['ghcr.io/org/app:sha-1a2b3c4', 'exact', 'commit 1a2b3c4'],
  ['ghcr.io/org/app:main-0f3e9a1b2c', 'exact', 'commit 0f3e9a1b2c'],
  ['127.0.0.1:5000/tb/busybox:1.36.1', 'exact', 'version 1.36.1'],
  // pinned, whatever the tag says
  [`redis:7-alpine@sha256:${HEX}`, 'pinned'],
  [`127.0.0.1:5000/tb/busybox@sha256:${HEX}`, 'pinned'],
  // not references, or malformed
  [
    `x@sha256:${HEX.slice(1)}`,
    'floating',
    `malformed digest "sha256:${HEX.slice(1)}" (expected sha256:<64 lowercase hex>)`,
  ],
  [
    `x@sha256:${HEX.toUpperCase()}`,
    'floating',
    `malformed digest "sha256:${HEX.toUpperCase()}" (expected sha256:<64 lowercase hex>)`,
  ],
  ['', 'floating', 'not an image reference'],
  ['redis 7', 'floating', 'not an image reference'],
  ['redis:', 'floating', 'invalid tag ""'],
];

describe('classifyImageRef', () => {
  const rows = TABLE.map(([ref, verdict, reason]) => ({ ref, verdict, reason }));
  it.each(rows)('$ref → $verdict', ({ ref, verdict, reason }) => {
    expect(classifyImageRef(ref)).toEqual(reason === undefined ? { verdict } : { verdict, reason });
  });

  it('covers at least 40 references', () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(40);
  });
});

describe('repositoryName (over the one parser, src/registry/image-ref.ts)', () => {
  it('takes a registry port for a port, not a tag', () => {
    expect(repositoryName(parseImageRef('127.0.0.1:5000/tb/busybox:1'))).toBe('127.0.0.1:5000/tb/busybox');
    expect(repositoryName(parseImageRef('localhost:5000/app'))).toBe('localhost:5000/app');
  });

  it("names Docker Hub's official images the same whatever the spelling", () => {
    const spellings = [
      'docker.io/library/postgres',
      'index.docker.io/library/postgres',
      'library/postgres',
      'postgres',
    ];
    expect(spellings.map((r) => repositoryName(parseImageRef(r)))).toEqual([
      'postgres',
      'postgres',
      'postgres',
      'postgres',
    ]);
    expect(repositoryName(parseImageRef('ghcr.io/library/postgres'))).toBe('ghcr.io/library/postgres');
    expect(repositoryName(parseImageRef('bitnami/redis:7'))).toBe('bitnami/redis');
  });
});
