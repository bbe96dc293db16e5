// docs/lessons.md §10, the images' lessons (bumped but not pinned, floating tags), and the baseline they all edit: the
// lessons' deploy repo (lessons-repo.ts), which plans and lints clean.
import { describe, expect, it } from 'vitest';
import { APP, baseline, LOCK, VERSIONS } from './lessons-repo.js';
import { expectRefused, PIN, type Refusal } from './lessons-refused.js';

describe("the baseline (inventory/local's shape: five roles, vault secrets, pinned digests)", () => {
  it('loads, renders and plans with nothing said, and passes rig lint', async () => {
    const [planned, linted] = await baseline();
    expect(planned.said).toEqual([]);
    expect([...planned.hosts.keys()]).toEqual(['app', 'vpn']);
    expect(planned.hosts.get('app')?.desired.services.map((s) => s.container)).toEqual([
      'rigdemo_postgresql',
      'rigdemo_db_init',
      'rigdemo_redis',
      'rigdemo_caddy',
      'rigdemo_litellm',
      'rigdemo_openclaw',
    ]);
    expect(planned.hosts.get('vpn')?.desired.services.map((s) => s.container)).toEqual(['rigvpn_headscale']);
    expect(linted).toEqual({ code: 0, lines: ['lint: 7 image references in files checked; 0 problems'] });
  });
});

describe('lint and plan refuse the unpinned images of docs/lessons.md §10', () => {
  it.each<Refusal>([
    [
      '8 an image bumped in versions.yml but not pinned',
      [VERSIONS, ['openclaw:2026.9.6', 'openclaw:2026.9.7']],
      'error',
      'plan',
      `${VERSIONS}:7:1: image ghcr.io/openclaw/openclaw:2026.9.7 (service openclaw) is not in ${LOCK}: environment test deploys pinned digests only; run make pin ENV=test`,
    ],
    [
      '9 floating tag :latest',
      [VERSIONS, ['openclaw:2026.9.6', 'openclaw:latest']],
      'error',
      'lint',
      `${VERSIONS}:7:17: floating image tag "ghcr.io/openclaw/openclaw:latest": channel "latest": the image behind it moves; ${PIN}`,
    ],
    [
      '9 floating tag -stable (LiteLLM re-points it)',
      [VERSIONS, ['litellm:v1.83.3', 'litellm:v1.83.3-stable']],
      'error',
      'lint',
      `${VERSIONS}:5:16: floating image tag "ghcr.io/berriai/litellm:v1.83.3-stable": -stable suffix: the image behind it moves; ${PIN}`,
    ],
    [
      '9 no tag at all (means :latest)',
      [VERSIONS, ['caddy:2.8.4-alpine', 'caddy']],
      'error',
      'lint',
      `${VERSIONS}:4:14: floating image tag "caddy": no tag (means :latest); ${PIN}`,
    ],
    [
      '9 floating major',
      [VERSIONS, ['redis:7.4.1-bookworm', 'redis:7-bookworm']],
      'error',
      'lint',
      `${VERSIONS}:3:27: floating image tag "redis:7-bookworm": floating major: 7 moves with every 7.x.y; ${PIN}`,
    ],
    [
      '9 floating tag of an image that is no service (the sandbox)',
      [APP, ['rigdemo-sandbox:2026.9.6', 'rigdemo-sandbox:latest']],
      'error',
      'lint',
      `${APP}:37:20: floating image tag "rigdemo-sandbox:latest": channel "latest": the image behind it moves; ${PIN}`,
    ],
  ])('%s', expectRefused);
});
