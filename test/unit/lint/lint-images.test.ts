import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { lintImages, lintImageValues, loadImageAllowList, templateImages } from '../../../src/lint/lint-images.js';

let root: string;

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const render = (ds: readonly Parameters<typeof formatDiagnostic>[0][]): string[] =>
  ds.map((d) => formatDiagnostic(d, root));
const PIN = 'pin an exact version (and run make pin)';

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'rig-lint-images-'));
  write('inventory/prod/hosts.yml', 'all:\n  hosts:\n    a: {}\n');
  write(
    'inventory/prod/versions.yml',
    [
      '# one var per image',
      'caddy_image: caddy:2.11.3-alpine',
      'litellm_image: "ghcr.io/berriai/litellm:v1.83.3-stable"',
      'redis_image: redis:7-alpine',
      'openclaw_image: ghcr.io/openclaw/openclaw:2026.5.27',
      'postgres_image: postgres:18.4-bookworm',
      "sandbox_image: '{{ openclaw_image }}-sandbox'",
      'image_note: alpine:3.21',
      '',
    ].join('\n'),
  );
  write(
    'inventory/prod/group_vars/all/main.yml',
    'litellm:\n  image: alpine:3.21\nimages:\n  cache: redis\n  db: postgres:16-alpine\nother: redis:7\n',
  );
  write('inventory/prod/group_vars/all/secrets.yml', '$ANSIBLE_VAULT;1.1;AES256\n6162\n');
  write('inventory/local/hosts.yml', 'all:\n  hosts:\n    b: {}\n');
  write('inventory/local/host_vars/b.yml', 'images:\n  - app:latest\n  - app:1.0.0\n');
  write(
    'roles/opencut/templates/compose.yml.hbs',
    [
      'services:',
      '  redis:',
      '    image: hiett/serverless-redis-http:latest',
      '  web:',
      '    image: "{{ opencut_image }}"',
      '  app:',
      "    image: 'ghcr.io/we-promise/sure:nightly'  # moves nightly",
      '  # image: redis:7',
      '',
    ].join('\n'),
  );
  write(
    'roles/opencut/defaults.yml',
    'opencut_image: ghcr.io/x/opencut:1.2.3\nopencut_cache_image: localhost:5000/cache\n',
  );
  write('roles/opencut/files/compose.yaml', 'services:\n  - image: 127.0.0.1:5000/tb/busybox:1\n');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('lintImages', () => {
  it('reports every floating reference at the value, across vars files, role defaults and templates', () => {
    const { diagnostics, checked } = lintImages({ root });
    expect(render(diagnostics)).toEqual([
      `inventory/local/host_vars/b.yml:2:5: floating image tag "app:latest": channel "latest": the image behind it moves; ${PIN}`,
      `inventory/prod/versions.yml:3:16: floating image tag "ghcr.io/berriai/litellm:v1.83.3-stable": -stable suffix: the image behind it moves; ${PIN}`,
      `inventory/prod/versions.yml:4:14: floating image tag "redis:7-alpine": floating major: 7 moves with every 7.x.y; ${PIN}`,
      `inventory/prod/group_vars/all/main.yml:2:10: floating image tag "alpine:3.21": floating minor: 3.21 moves with every 3.21.x; ${PIN}`,
      `inventory/prod/group_vars/all/main.yml:4:10: floating image tag "redis": no tag (means :latest); ${PIN}`,
      `inventory/prod/group_vars/all/main.yml:5:7: floating image tag "postgres:16-alpine": floating major: 16 moves with every 16.x.y; ${PIN}`,
      `roles/opencut/defaults.yml:2:22: floating image tag "localhost:5000/cache": no tag (means :latest); ${PIN}`,
      `roles/opencut/files/compose.yaml:2:12: floating image tag "127.0.0.1:5000/tb/busybox:1": floating major: 1 moves with every 1.x.y; ${PIN}`,
      `roles/opencut/templates/compose.yml.hbs:3:12: floating image tag "hiett/serverless-redis-http:latest": channel "latest": the image behind it moves; ${PIN}`,
      `roles/opencut/templates/compose.yml.hbs:7:12: floating image tag "ghcr.io/we-promise/sure:nightly": channel "nightly": the image behind it moves; ${PIN}`,
    ]);
    // 2 (local) + 5 (versions.yml, the {{ }} one skipped) + 3 (main.yml) + 2 (defaults) + 1 + 2 (templates)
    expect(checked).toBe(15);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('lints one environment (and the roles) when env is given', () => {
    const { diagnostics, checked } = lintImages({ root, env: 'local' });
    expect(render(diagnostics).map((l) => l.split(': ')[0])).toEqual([
      'inventory/local/host_vars/b.yml:2:5',
      'roles/opencut/defaults.yml:2:22',
      'roles/opencut/files/compose.yaml:2:12',
      'roles/opencut/templates/compose.yml.hbs:3:12',
      'roles/opencut/templates/compose.yml.hbs:7:12',
    ]);
    expect(checked).toBe(7);
  });

  it('honours allow-list entries with a reason and reports those without one', () => {
    write(
      'lint.yml',
      [
        'images:',
        '  - image: hiett/serverless-redis-http',
        '    reason: opencut dev shim, not deployed by rig',
        '  - image: docker.io/library/redis:7-alpine',
        '    reason: tracked in OPS-12',
        '  - image: alpine:3.21',
        '    reason: "  "',
        '  - image: ghcr.io/we-promise/sure:nightly',
        '',
      ].join('\n'),
    );
    const lines = render(lintImages({ root, env: 'prod' }).diagnostics);
    expect(lines.filter((l) => l.startsWith('lint.yml'))).toEqual([
      'lint.yml:7:13: allow-list entry "alpine:3.21" has no reason: say why this image may float',
      'lint.yml:8:5: allow-list entry "ghcr.io/we-promise/sure:nightly" has no reason: say why this image may float',
    ]);
    const flagged = lines.filter((l) => !l.startsWith('lint.yml')).map((l) => /"([^"]+)"/.exec(l)?.[1]);
    // a repository entry allows every tag; a reference entry that one only (redis, tagless, still reported);
    // entries without a reason allow nothing (alpine, sure still reported)
    expect(flagged).toEqual([
      'ghcr.io/berriai/litellm:v1.83.3-stable',
      'alpine:3.21',
      'redis',
      'postgres:16-alpine',
      'localhost:5000/cache',
      '127.0.0.1:5000/tb/busybox:1',
      'ghcr.io/we-promise/sure:nightly',
    ]);
  });

  it('reports an unknown environment, without a location', () => {
    expect(render(lintImages({ root, env: 'staging' }).diagnostics)[0]).toBe(
      'unknown environment "staging": no inventory/staging/',
    );
  });

  it('reports YAML syntax errors of a vars file instead of skipping it silently', () => {
    write('inventory/prod/versions.yml', 'a: 1\na: 2\n');
    expect(render(lintImages({ root, env: 'prod' }).diagnostics)[0]).toBe(
      'inventory/prod/versions.yml:2:1: duplicate key (YAML map keys must be unique)',
    );
  });
});

describe('loadImageAllowList', () => {
  it('rejects unknown keys and entries without an image, at their location', () => {
    write('lint.yml', 'images:\n  - image: redis\n    reasn: typo\n  - reason: no image\n');
    expect(render(loadImageAllowList(root).diagnostics)).toEqual([
      'lint.yml:3:5: unknown key "reasn" (did you mean "reason"?)',
      'lint.yml:4:5: images.1.image: expected string, got nothing',
    ]);
    write('lint.yml', 'imgs: []\n');
    expect(render(loadImageAllowList(root).diagnostics)).toEqual([
      'lint.yml:1:1: unknown key "imgs" (did you mean "images"?)',
    ]);
  });

  it("reports an entry that is no image reference at its image, with the parser's reason, and keeps the others", () => {
    write('lint.yml', 'images:\n  - image: Redis:7\n    reason: caps\n  - image: redis\n    reason: fine\n');
    const got = loadImageAllowList(root);
    expect(render(got.diagnostics)).toEqual([
      'lint.yml:2:12: allow-list entry "Redis:7" is not an image reference: repository name must be lowercase ("Redis")',
    ]);
    expect(got.entries.map((e) => e.image)).toEqual(['redis']);
  });

  it('is empty without a lint.yml', () => {
    expect(loadImageAllowList(root)).toEqual({ entries: [], diagnostics: [] });
  });
});

describe('lintImageValues', () => {
  it('lints resolved values at the location of the variable they came from', () => {
    const loc = { file: path.join(root, 'inventory/prod/versions.yml'), line: 9, col: 14 };
    const allow = [{ image: 'hiett/serverless-redis-http', reason: 'dev shim', loc }];
    const ds = lintImageValues(
      [
        { ref: 'redis:7-alpine', loc },
        { ref: 'caddy:2.11.3-alpine', loc },
        { ref: `redis:7@sha256:${'0'.repeat(64)}`, loc },
        { ref: 'hiett/serverless-redis-http:latest', loc },
      ],
      allow,
    );
    expect(render(ds)).toEqual([
      `inventory/prod/versions.yml:9:14: floating image tag "redis:7-alpine": floating major: 7 moves with every 7.x.y; ${PIN}`,
    ]);
  });
});

describe('templateImages', () => {
  it('locates quoted and bare values, skips expressions, comments and empty values', () => {
    const text = 'image: redis:7\n  - image:  "a:1"\nimage:\nimage: ${IMG}\nimage: redis:{{ v }}\n#image: x\n';
    expect(templateImages('t.hbs', text)).toEqual([
      { ref: 'redis:7', loc: { file: 't.hbs', line: 1, col: 8 } },
      { ref: 'a:1', loc: { file: 't.hbs', line: 2, col: 13 } },
    ]);
  });
});
