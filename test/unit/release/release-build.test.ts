// Releases: what a deploy records (files as blobs, services with the image ids that ran) and the ops a rollback
// re-applies.
import { describe, expect, it } from 'vitest';
import { COMPOSE_ROLE } from '../../../src/compose/compose-desired.js';
import { sha256Hex } from '../../../src/core/digest.js';
import type { Op } from '../../../src/core/desired/op.js';
import { buildRelease, releaseOps, type ReleaseMeta } from '../../../src/release/release-build.js';
import { hostRelease } from '../../../src/engine/host-release.js';
import { runContext } from '../../helpers/run-context.js';
import type { Step } from '../../../src/core/plan-data/plan-types.js';
import { newReleaseId, releaseSchema, type Release, type ReleaseService } from '../../../src/release/release-schema.js';
import { deployed, desiredOf, file, ID_A, ID_B, net, role, STACK, svc } from '../compose/compose-fixtures.js';

const META: ReleaseMeta = {
  id: '20260101T120000Z-ab12',
  createdAt: '2026-01-01T12:00:00.000Z',
  env: 'prod',
  host: 'h',
  user: 'ops',
  workstation: 'laptop',
  git: null,
  planHash: 'p'.repeat(64),
  kind: 'deploy',
};
const BYTES = new Uint8Array([0, 1, 2, 255]);
const sha = (s: string | Uint8Array): string => sha256Hex(s);

describe('buildRelease', () => {
  const webOps: Op[] = [
    { kind: 'dir', path: '/srv/shop/conf', mode: 0o755, origin: undefined },
    file('/srv/shop/conf/app.conf', 'listen 80\n'),
    { ...file('/srv/shop/logo.png', ''), content: BYTES, sensitive: false, owner: 'www' },
    { ...file('/srv/shop/app.env', 'KEY=v\n'), sensitive: true, mode: 0o600 },
    net('back', { internal: true }),
    svc('web', { image: 'app:1' }),
    svc('worker', { image: 'app:1' }),
  ];
  const dbOps: Op[] = [
    file('/srv/shop/db.conf', 'new\n'),
    net('back'),
    net('data'),
    svc('db', { image: 'pg:16' }, { phase: 'infra' }),
  ];
  const roleOps = [
    role('web', webOps),
    role('db', dbOps, false),
    role(COMPOSE_ROLE, [file('/srv/shop/compose.apps.yml', 'services: {}\n')]),
  ];
  const prevDb: ReleaseService = {
    role: 'db',
    name: 'db',
    phase: 'infra',
    spec: svc('db', { image: 'pg:15' }).spec,
    gate: svc('db', { image: 'x' }).gate,
    requested: 'pg:15',
    imageId: ID_B,
    fingerprint: 'old',
  };
  const prev: Release = {
    version: 1,
    ...META,
    id: '20251231T000000Z-0000',
    project: 'shop',
    projectDir: '/srv/shop',
    files: [
      { role: 'db', path: '/srv/shop/db.conf', sha256: sha('old\n'), sensitive: false },
      { role: 'web', path: '/srv/shop/gone.conf', sha256: sha('x'), sensitive: false },
    ],
    dirs: [
      { role: 'db', path: '/srv/shop/db', mode: 0o700 },
      { role: 'web', path: '/srv/shop/gone' },
    ],
    services: [prevDb, { ...prevDb, role: 'web', name: 'gone' }],
    networks: [{ role: 'db', name: 'old', internal: false, external: false }],
  };
  const web = desiredOf([role('web', webOps)]).services[0]!;
  const running = [deployed(web, { image: ID_A })];
  const { release, blobs } = buildRelease(META, STACK, roleOps, prev, running);

  it('is a valid release record with the meta and the stack', () => {
    expect(releaseSchema.parse(release)).toEqual(release);
    expect([release.version, release.id, release.kind, release.project, release.projectDir]).toEqual([
      1,
      META.id,
      'deploy',
      'shop',
      '/srv/shop',
    ]);
  });

  it('records the files of selected roles by sha256, keeps unselected roles from the previous release, leaves out the compose files', () => {
    expect(release.files).toEqual([
      { role: 'db', path: '/srv/shop/db.conf', sha256: sha('old\n'), sensitive: false },
      { role: 'web', path: '/srv/shop/conf/app.conf', sha256: sha('listen 80\n'), sensitive: false, mode: 0o644 },
      { role: 'web', path: '/srv/shop/logo.png', sha256: sha(BYTES), sensitive: false, mode: 0o644, owner: 'www' },
      { role: 'web', path: '/srv/shop/app.env', sha256: sha('KEY=v\n'), sensitive: true, mode: 0o600 },
    ]);
    expect(release.dirs).toEqual([
      { role: 'db', path: '/srv/shop/db', mode: 0o700 },
      { role: 'web', path: '/srv/shop/conf', mode: 0o755 },
    ]);
  });

  it('holds the bytes of every new file in the blobs, by sha256', () => {
    expect([...blobs.keys()]).toEqual([sha('listen 80\n'), sha(BYTES), sha('KEY=v\n')]);
    expect(blobs.get(sha('listen 80\n'))?.toString('utf8')).toBe('listen 80\n');
    expect([...(blobs.get(sha(BYTES)) ?? [])]).toEqual([0, 1, 2, 255]);
  });

  it('services take the image id and fingerprint of the running container ("" when none runs)', () => {
    expect(release.services.map((s) => [s.role, s.name, s.phase, s.requested, s.imageId, s.fingerprint])).toEqual([
      ['db', 'db', 'infra', 'pg:15', ID_B, 'old'],
      ['web', 'web', 'apps', 'app:1', ID_A, web.fingerprint],
      ['web', 'worker', 'apps', 'app:1', '', ''],
    ]);
  });

  it('networks of every role but compose, first declaration wins, none kept from the previous release', () => {
    expect(release.networks).toEqual([
      { role: 'web', name: 'back', internal: true, external: false },
      { role: 'db', name: 'data', internal: false, external: false },
    ]);
  });

  it("a role the host no longer has keeps its entries, but for the services the run removed (they'd come back)", () => {
    // role cache: in the previous release, gone from the host's plays; a deploy of every role removed its container
    const cache: ReleaseService = { ...prevDb, role: 'cache', name: 'cache' };
    const before = { ...prev, services: [prevDb, cache], files: [...prev.files, { ...prev.files[0]!, role: 'cache' }] };
    const after = buildRelease(META, STACK, roleOps, before, running, new Set(['cache'])).release;
    expect(after.services.map((s) => s.name)).toEqual(['db', 'web', 'worker']);
    expect(after.files.filter((f) => f.role === 'cache')).toHaveLength(1); // its files stay on the host, as they were
    // under --role, nothing is removed: the container still runs, and the release keeps it
    expect(buildRelease(META, STACK, roleOps, before, running).release.services.map((s) => s.name)).toEqual([
      'db',
      'cache',
      'web',
      'worker',
    ]);
  });

  it('hostRelease: the services its plan removed are the ones dropped', () => {
    const cache: ReleaseService = { ...prevDb, role: 'cache', name: 'cache' };
    const run = runContext();
    const remove: Step = {
      kind: 'service',
      action: 'remove',
      role: 'cache',
      service: 'cache',
      container: 'shop_cache',
      phase: 'infra',
      reasons: ['no longer declared'],
      why: 'no longer declared',
      fingerprint: '',
      gate: { oneShot: false, timeoutSec: 0, settleSec: 0, healthcheck: false },
    };
    const recorded = (steps: Step[]): string[] =>
      hostRelease({
        stack: STACK,
        roleOps,
        plan: { host: 'h', steps, observed: '' },
        previous: { ...prev, services: [prevDb, cache] },
        run,
        host: 'h',
        gate: [],
        docker: undefined,
      }).services.map((x) => x.name);
    expect(recorded([remove])).toEqual(['db', 'web', 'worker']);
    expect(recorded([])).toEqual(['db', 'cache', 'web', 'worker']);
  });

  it('without a previous release, unselected roles have no entries', () => {
    const first = buildRelease(META, STACK, roleOps, undefined, running).release;
    expect(first.files.map((f) => f.role)).toEqual(['web', 'web', 'web']);
    expect(first.services.map((s) => s.name)).toEqual(['web', 'worker']);
  });
});

describe('releaseOps', () => {
  const service = (name: string, requested: string, imageId: string): ReleaseService => ({
    ...svcEntry,
    name,
    requested,
    imageId,
    spec: { ...svcEntry.spec, image: requested },
  });
  const svcEntry: ReleaseService = {
    role: 'web',
    name: 'x',
    phase: 'apps',
    spec: svc('x', { image: 'app:1', ports: ['80:80'] }).spec,
    gate: svc('x', { image: 'x' }).gate,
    requested: 'app:1',
    imageId: ID_A,
    fingerprint: 'f',
  };
  const PIN = `app@sha256:${'c'.repeat(64)}`;
  const release: Release = {
    version: 1,
    ...META,
    project: 'shop',
    projectDir: '/srv/shop',
    files: [{ role: 'web', path: '/srv/shop/app.env', sha256: sha('K=1\n'), sensitive: true, mode: 0o600 }],
    dirs: [{ role: 'db', path: '/srv/shop/db', owner: 'pg' }],
    services: [
      service('same', 'app:1', ID_A),
      service('moved', 'app:2', ID_A),
      service('pinned', PIN, ID_A),
      service('untagged', 'app:3', ID_A),
      service('unknown', 'app:1', ''),
    ],
    networks: [{ role: 'web', name: 'back', internal: true, external: false }],
  };
  const blobs = new Map([[sha('K=1\n'), Buffer.from('K=1\n')]]);
  const ids: Record<string, string> = { 'app:1': ID_A, 'app:2': ID_B, [PIN]: ID_B };
  const ops = releaseOps(release, blobs, (ref) => ids[ref]);

  it('groups ops by role, every role selected, dirs then files then networks then services', () => {
    expect(
      ops.map((r) => [r.role, r.selected, r.ops.map((o) => `${o.kind} ${'path' in o ? o.path : o.name}`)]),
    ).toEqual([
      ['db', true, ['dir /srv/shop/db']],
      [
        'web',
        true,
        [
          'file /srv/shop/app.env',
          'network back',
          'service same',
          'service moved',
          'service pinned',
          'service untagged',
          'service unknown',
        ],
      ],
    ]);
    expect(ops[0]?.ops[0]).toEqual({ kind: 'dir', path: '/srv/shop/db', origin: undefined, owner: 'pg' });
    expect(ops[1]?.ops[0]).toEqual({
      kind: 'file',
      path: '/srv/shop/app.env',
      content: Buffer.from('K=1\n'),
      sensitive: true,
      from: undefined,
      origin: undefined,
      notify: [],
      mode: 0o600,
    });
  });

  it('picks the requested ref while it names the image that ran, else the recorded image id; a digest pin always', () => {
    const images = ops[1]!.ops.flatMap((o) => (o.kind === 'service' ? [[o.name, o.spec.image]] : []));
    expect(images).toEqual([
      ['same', 'app:1'],
      ['moved', ID_A],
      ['pinned', PIN],
      ['untagged', ID_A],
      ['unknown', 'app:1'],
    ]);
    const moved = ops[1]!.ops.find((o) => o.kind === 'service' && o.name === 'moved');
    expect(moved).toEqual({
      kind: 'service',
      name: 'moved',
      phase: 'apps',
      spec: { ...svcEntry.spec, image: ID_A },
      gate: svcEntry.gate,
      origin: undefined,
    });
  });

  it("keeps a service's in-place reload from the deploy to the rollback's op (older releases have none)", () => {
    const reload = { paths: ['/srv/shop/conf'], command: ['caddy', 'reload'] };
    const recorded = buildRelease(
      META,
      STACK,
      [role('web', [{ ...svc('web', { image: 'app:1' }), reload }])],
      undefined,
      [],
    ).release;
    expect(releaseSchema.parse(recorded).services[0]?.reload).toEqual(reload);
    const back = releaseOps(recorded, new Map(), () => undefined)[0]?.ops[0];
    expect(back).toMatchObject({ kind: 'service', name: 'web', reload });
    expect('reload' in (ops[1]!.ops.find((o) => o.kind === 'service') ?? {})).toBe(false);
  });

  it('throws naming the file when its blob is missing', () => {
    expect(() => releaseOps(release, new Map(), () => undefined)).toThrow(
      `release ${META.id}: the content of /srv/shop/app.env (blob ${sha('K=1\n').slice(0, 12)}) is missing on the host`,
    );
  });
});

describe('newReleaseId', () => {
  it.each([
    ['2026-12-01T07:15:00.123Z', 'ab12cd', '20261201T071500Z-ab12'],
    ['2026-01-09T23:59:59.000Z', '0f3e', '20260109T235959Z-0f3e'],
  ])('%s + %s → %s', (iso, random, expected) => {
    const id = newReleaseId(new Date(iso), random);
    expect(id).toBe(expected);
    expect(releaseSchema.shape.id.safeParse(id).success).toBe(true);
  });

  // the host's releases are ordered by id: a new one sorts after the current one, whatever the clock says
  it.each([
    ['later second: the clock', '2026-12-01T07:15:01.000Z', '20261201T071500Z-ffff', '20261201T071501Z-ab12'],
    ['same second: one past it', '2026-12-01T07:15:00.999Z', '20261201T071500Z-0000', '20261201T071501Z-ab12'],
    ['clock behind: one past it', '2026-12-01T07:15:00.000Z', '20261201T090000Z-1234', '20261201T090001Z-ab12'],
    ['across a year', '2026-12-31T23:59:59.500Z', '20261231T235959Z-1234', '20270101T000000Z-ab12'],
    ['a damaged current: the clock', '2026-12-01T07:15:00.000Z', '20261399T000000Z-1234', '20261201T071500Z-ab12'],
    ['a February 30th: the clock', '2026-12-01T07:15:00.000Z', '20270230T000000Z-1234', '20261201T071500Z-ab12'],
    ['no release id: the clock', '2026-12-01T07:15:00.000Z', 'garbage', '20261201T071500Z-ab12'],
  ])('after the current release, %s', (_why, iso, after, expected) => {
    expect(newReleaseId(new Date(iso), 'ab12', after)).toBe(expected);
  });
});
