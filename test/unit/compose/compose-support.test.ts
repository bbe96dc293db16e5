// Which composes the plan accepts, and what it says (host, versions, fix) when it refuses one.
import { describe, expect, it } from 'vitest';
import { compareVersions, composeProblems } from '../../../src/compose/compose-support.js';
import type { ComposeDetection, ComposeInstall } from '../../../src/facts/containers/compose-detect.js';

const v2 = (version: string, cli: ComposeInstall['cli'] = 'plugin'): ComposeInstall => ({ flavor: 'v2', version, cli });
const v1 = (version: string): ComposeInstall => ({ flavor: 'v1', version, cli: 'standalone' });
const engine = (version: string, minApi: string) => ({ engine: { version, minApi } });
const messages = (d: ComposeDetection): string[] =>
  composeProblems('web1', d).map((p) => {
    expect(p).toMatchObject({ severity: 'error', hosts: ['web1'] });
    return p.message;
  });

describe('composeProblems', () => {
  it.each<[string, ComposeDetection]>([
    ['v2 2.26.1 on Debian 12 (engine 20.10)', { compose: v2('2.26.1-4'), ...engine('20.10.24+dfsg1', '1.12') }],
    ['v2 2.3.0, the oldest', { compose: v2('2.3.0') }],
    ['a standalone v2', { compose: v2('2.24.6', 'standalone') }],
    ['v1 1.29.2', { compose: v1('1.29.2'), ...engine('20.10.24', '1.12') }],
    ['v2 2.24 on Engine 29 (API ≥ 1.44)', { compose: v2('2.24.0'), ...engine('29.0.0', '1.44') }],
    ['an engine that did not say its minimum', { compose: v2('2.20.2') }],
  ])('accepts %s', (_, d) => {
    expect(messages(d)).toEqual([]);
  });

  it('refuses v2 before 2.3 (COMPOSE_IGNORE_ORPHANS), and v1 before 1.29, with the fix', () => {
    expect(messages({ compose: v2('2.2.3') })).toEqual([
      expect.stringMatching(
        /^docker compose 2\.2\.3 \(Compose v2\) is older than 2\.3\.0, the oldest v2 rig supports \(older releases ignore COMPOSE_IGNORE_ORPHANS.*\); upgrade it: install the Compose v2 plugin/,
      ),
    ]);
    expect(messages({ compose: v1('1.25.0') })).toEqual([
      expect.stringMatching(
        /^docker-compose 1\.25\.0 \(Compose v1\) is older than 1\.29\.0, the oldest v1 rig supports .*\(or docker-compose 1\.29\.2\)$/,
      ),
    ]);
  });

  it('refuses what Engine 29 would refuse at the first compose command: v1, and v2 up to 2.23', () => {
    const e29 = engine('29.0.1', '1.44');
    expect(messages({ compose: v2('2.23.3'), ...e29 })).toEqual([
      "docker compose 2.23.3 (Compose v2) speaks Docker API 1.43 at most, and Docker Engine 29.0.1 refuses API versions below 1.44: every compose command would fail; install Compose v2 2.24 or newer (install the Compose v2 plugin system-wide (Docker's docker-compose-plugin package, or Debian's docker-compose ≥ 2.x) into /usr/libexec/docker/cli-plugins or /usr/local/lib/docker/cli-plugins)",
    ]);
    expect(messages({ compose: v1('1.29.2'), ...e29 })).toEqual([
      expect.stringContaining('docker-compose 1.29.2 (Compose v1) speaks Docker API 1.41 at most'),
    ]);
  });

  it('names a plugin root cannot see (installed for the login user only), and how to install it for all', () => {
    const user = { userPlugin: { user: 'deploy', path: '/home/deploy/.docker/cli-plugins/docker-compose' } };
    expect(messages({ compose: undefined, ...user })).toEqual([
      'no compose usable as root: a compose plugin is installed for deploy only (/home/deploy/.docker/cli-plugins/docker-compose); rig runs compose as root (become), whose docker does not look there, and it will not run as root a file another account can replace: install it for every account (sudo install -m 0755 /home/deploy/.docker/cli-plugins/docker-compose /usr/local/lib/docker/cli-plugins/docker-compose)',
    ]);
    // root would run the system's v1 instead of the user's plugin: said, not done silently
    expect(messages({ compose: v1('1.29.2'), ...user })).toEqual([
      expect.stringMatching(
        /^docker-compose 1\.29\.2 \(Compose v1\) would run, not the user's: a compose plugin is installed for deploy only/,
      ),
    ]);
    // a system-wide v2 besides: the user's copy does not matter
    expect(messages({ compose: v2('2.26.1'), ...user })).toEqual([]);
  });

  it('a compose whose version output rig cannot read', () => {
    expect(messages({ compose: undefined, unrecognised: { cli: 'plugin', line: 'Compose something' } })).toEqual([
      expect.stringMatching(
        /^`docker compose version` printed "Compose something", which rig cannot read a version from; install/,
      ),
    ]);
  });
});

describe('compareVersions', () => {
  it.each([
    ['2.26.1-4', '2.26.1', 0],
    ['2.3', '2.3.0', 0],
    ['2.10.0', '2.9.9', 1],
    ['1.29.2', '2.0.0', -1],
    ['1.43', '1.44', -1],
  ] as const)('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});
