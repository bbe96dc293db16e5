// rig status, pure parts: the project-containers fact on recorded output, the model (states, one-shots, missing and
// extra containers, digests against the lock), the text table, the JSON and the exit code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ContainerState } from '../../../src/facts/containers/container-state.js';
import { parseProjectContainers } from '../../../src/facts/containers/project-containers.js';
import type { Release, ReleaseService } from '../../../src/release/release-schema.js';
import type { LockFile } from '../../../src/pin/lockfile.js';
import { statusExitCode, statusJson, statusText } from '../../../src/status/status-format.js';
import { hostStatus, type StatusFacts } from '../../../src/status/status-model.js';

const recorded = readFileSync(new URL('../../fixtures/facts/project-containers.txt', import.meta.url), 'utf8');
const D = (c: string): string => `sha256:${c.repeat(64)}`;
const REG = '127.0.0.1:5000';

describe('parseProjectContainers on recorded output', () => {
  const facts = parseProjectContainers(recorded);
  it('reads the host clock, every container of the project and the images they run', () => {
    expect(facts.now).toBe(1796465660);
    expect(facts.containers.map((c) => [c.service, c.status, c.exitCode, c.health])).toEqual([
      ['idle', 'created', 0, undefined],
      ['exit3', 'exited', 3, undefined],
      ['run', 'running', 0, 'healthy'],
    ]);
    const image = facts.containers[0]?.image ?? '';
    expect(facts.images.get(image)).toEqual({ id: image, repoDigests: [] });
  });
  it('refuses output cut short, and a malformed clock', () => {
    expect(() => parseProjectContainers(recorded.replace('--end\n', ''))).toThrow(/no --end section/);
    expect(() => parseProjectContainers(recorded.replace(/--now\n\d+/, '--now\nsoon'))).toThrow(
      /malformed --now section "soon"/,
    );
  });
});

const container = (service: string, over: Partial<ContainerState> = {}): ContainerState => ({
  id: service.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a'),
  name: `app_${service}`,
  image: D('1'),
  labels: { 'com.docker.compose.project': 'app', 'com.docker.compose.service': service },
  project: 'app',
  service,
  status: 'running',
  running: true,
  exitCode: 0,
  startedAt: '2026-12-01T07:00:00.123Z',
  restartCount: 0,
  ...over,
});

const svc = (name: string, requested: string, over: Partial<ReleaseService> = {}): ReleaseService => ({
  role: 'r',
  name,
  phase: 'apps',
  spec: { image: requested } as ReleaseService['spec'],
  gate: { oneShot: false, timeoutSec: 120, settleSec: 5 },
  requested,
  imageId: D('1'),
  fingerprint: 'f',
  ...over,
});

const release: Release = {
  version: 1,
  id: '20261201T070000Z-ab12',
  createdAt: '2026-12-01T07:00:00Z',
  env: 'prod',
  host: 'app',
  user: 'alice',
  workstation: 'laptop',
  git: { commit: '1a2b3c4d5e6f7a8b', dirty: true },
  planHash: 'h',
  kind: 'deploy',
  project: 'app',
  projectDir: '/opt/app',
  files: [],
  dirs: [],
  networks: [],
  services: [
    svc('web', `${REG}/web:1@${D('a')}`),
    svc('worker', `${REG}/worker:2`, { imageId: D('2') }),
    svc('migrate', `${REG}/web:1@${D('a')}`, { gate: { oneShot: true, timeoutSec: 60, settleSec: 5 } }),
    svc('cache', 'redis:7.2'),
  ],
};

const lockFile: LockFile = {
  images: [
    { ref: `${REG}/web:1`, registry: REG, repository: 'web', tag: '1', digest: D('a'), resolvedAt: 'x' },
    { ref: `${REG}/worker:2`, registry: REG, repository: 'worker', tag: '2', digest: D('c'), resolvedAt: 'x' },
  ],
};

const facts = (containers: ContainerState[], over: Partial<StatusFacts> = {}): StatusFacts => ({
  host: 'app',
  project: 'app',
  releases: { current: release.id, releases: [release] },
  docker: {
    now: Date.parse('2026-12-01T08:05:30Z') / 1000,
    containers,
    images: new Map([
      [D('1'), { id: D('1'), repoDigests: [`${REG}/web@${D('a')}`] }],
      [D('2'), { id: D('2'), repoDigests: [`${REG}/worker@${D('b')}`] }],
    ]),
  },
  lock: undefined,
  lockPath: '/opt/app/.rig/lock',
  compose: { compose: { flavor: 'v2', version: '2.26.1-4', cli: 'plugin' } },
  execs: 1,
  ...over,
});

describe('hostStatus', () => {
  const all = [
    container('web', { health: 'healthy' }),
    container('worker', { image: D('2'), status: 'restarting', running: false, exitCode: 1, restartCount: 7 }),
    container('migrate', { status: 'exited', running: false, exitCode: 0 }),
    container('stray', { status: 'running' }),
    container('oneoff', {
      labels: {
        'com.docker.compose.project': 'app',
        'com.docker.compose.service': 'web',
        'com.docker.compose.oneoff': 'True',
      },
    }),
  ];
  const h = hostStatus(facts(all), lockFile);

  it('judges each release service in release order, then the project containers the release lacks (one-offs left out)', () => {
    expect(h.services.map((s) => [s.service, s.state, s.healthy, s.inRelease])).toEqual([
      ['web', 'healthy', true, true],
      ['worker', 'restarting', false, true],
      ['migrate', 'done', true, true],
      ['cache', 'missing', false, true],
      ['stray', 'running', true, false],
    ]);
    expect(h.services[0]?.uptimeSec).toBe(3930);
    expect(h.services[1]).toMatchObject({ exitCode: 1, restarts: 7, uptimeSec: undefined });
  });

  it('compares the running image with the lock: match, differs (the lock moved, not deployed), unpinned', () => {
    expect(h.services[0]?.image).toEqual({
      ref: `${REG}/web:1`,
      id: D('1'),
      digest: D('a'),
      lock: 'match',
      lockDigest: D('a'),
    });
    expect(h.services[1]?.image).toEqual({
      ref: `${REG}/worker:2`,
      id: D('2'),
      digest: D('b'),
      lock: 'differs',
      lockDigest: D('c'),
    });
    expect(h.services[3]?.image).toEqual({
      ref: 'redis:7.2',
      id: undefined,
      digest: undefined,
      lock: 'unpinned',
      lockDigest: undefined,
    });
    expect(h.services[4]?.image.ref).toBeUndefined();
  });

  it("shows the digest under the release's repository only, not one the same image got pushed elsewhere", () => {
    const worker = container('worker', { image: D('2') });
    const copied = new Map([[D('2'), { id: D('2'), repoDigests: [`127.0.0.1:5999/copy@${D('c')}`] }]]);
    const h = hostStatus(facts([worker], { docker: { now: 0, containers: [worker], images: copied } }), lockFile);
    // the same content as the lock's pin (same digest) is still "= lock"; the digest column names no other registry
    expect(h.services[1]?.image).toMatchObject({ ref: `${REG}/worker:2`, digest: undefined, lock: 'match' });
  });

  it('names the compose the host runs (the demo prints it), none when no compose answered; --json carries it', () => {
    const v2 = { flavor: 'v2', version: '2.26.1-4', cli: 'plugin' } as const;
    expect(hostStatus(facts([]), lockFile).compose).toEqual(v2);
    expect(hostStatus(facts([], { compose: { compose: undefined } }), lockFile).compose).toBeUndefined();
    const json = statusJson('prod', [{ host: 'app', value: hostStatus(facts([]), lockFile) }]) as {
      hosts: { compose: unknown }[];
    };
    expect(json.hosts[0]?.compose).toEqual(v2);
  });

  it('a text table per host, the lock sentence, a summary; exit 2 when anything is not healthy', () => {
    const text = statusText('prod', [
      { host: 'app', value: h },
      { host: 'db', error: 'db: unreachable: refused' },
    ]);
    expect(text).toBe(
      [
        'app: release 20261201T070000Z-ab12 (deploy by alice@laptop, 2026-12-01T07:00:00Z, git 1a2b3c4d5e6f+dirty)',
        '  SERVICE                     STATE          UPTIME  RESTARTS  IMAGE                    DIGEST               LOCK',
        `  web                         healthy        1h05m   0         ${REG}/web:1     sha256:aaaaaaaaaaaa  = lock`,
        `  worker                      restarting     -       7         ${REG}/worker:2  sha256:bbbbbbbbbbbb  ≠ lock sha256:cccccccccccc`,
        `  migrate                     done (exit 0)  -       0         ${REG}/web:1     sha256:aaaaaaaaaaaa  = lock`,
        '  cache                       missing        -       0         redis:7.2                -                    -',
        '  stray (not in the release)  running        1h05m   0         sha256:111111111111      sha256:aaaaaaaaaaaa  unpinned',
        'db: error: db: unreachable: refused',
        'status: env prod: 2 hosts, 5 services: 3 healthy, 2 not (worker on app, cache on app); 1 not read',
      ].join('\n'),
    );
    expect(statusExitCode([{ host: 'app', value: h }])).toBe(2);
    expect(
      statusExitCode([
        { host: 'app', value: h },
        { host: 'db', error: 'x' },
      ]),
    ).toBe(1);
  });

  it('exit 0 when all is healthy and a live lock is held; 2 for a stale lock or a host without a release', () => {
    const ok = hostStatus(
      facts([container('web', { health: 'healthy' })], {
        releases: {
          current: release.id,
          releases: [{ ...release, services: [release.services[0] as ReleaseService] }],
        },
      }),
      lockFile,
    );
    expect(statusExitCode([{ host: 'app', value: ok }])).toBe(0);
    const held = {
      info: {
        user: 'bob',
        workstation: 'ci',
        pid: 7,
        command: 'rig deploy',
        startedAt: '2026-12-01T08:00:00Z',
        ttlSec: 1800,
        token: 'sekrit-token',
        version: 2,
      },
      raw: '{}',
      ageSec: 60,
      stale: false,
    };
    const live = { ...ok, lock: hostStatus(facts([], { lock: held }), lockFile).lock };
    expect(statusExitCode([{ host: 'app', value: live }])).toBe(0);
    expect(statusText('prod', [{ host: 'app', value: live }])).toContain(
      '  ~ app: deploy lock held by bob@ci (pid 7, "rig deploy", since 2026-12-01T08:00:00Z; renewed 1m00s ago, lease 30m00s): that deploy is running',
    );
    expect(JSON.stringify(statusJson('prod', [{ host: 'app', value: live }]))).not.toContain('sekrit-token');
    const stale = {
      ...ok,
      lock: hostStatus(facts([], { lock: { ...held, ageSec: 4000, stale: true } }), lockFile).lock,
    };
    expect(statusExitCode([{ host: 'app', value: stale }])).toBe(2);
    const none = hostStatus(facts([], { releases: { current: undefined, releases: [] } }), undefined);
    expect(none.services).toEqual([]);
    expect(statusExitCode([{ host: 'app', value: none }])).toBe(2);
    expect(statusJson('prod', [{ host: 'app', value: none }])).toMatchObject({
      exitCode: 2,
      hosts: [{ host: 'app', status: 'never-deployed' }],
    });
  });
});
