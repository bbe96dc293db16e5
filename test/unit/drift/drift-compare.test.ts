// Drift on recorded facts: files and dirs (content, attrs, type, missing), services (image, fingerprint, stopped,
// missing, unknown, reloaded in place), networks; the exact lines; exit codes; the fact batch is one exec.
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../../src/compose/compose-desired.js';
import { inputsLabel } from '../../../src/compose/service-inputs.js';
import { sha256Hex } from '../../../src/core/digest.js';
import { healthGateSchema, serviceSpecSchema } from '../../../src/core/desired/service.js';
import { driftFactSet } from '../../../src/drift/drift-facts.js';
import { fileDrift, releasePaths } from '../../../src/drift/drift-files.js';
import { driftExitCode, driftText, itemLines } from '../../../src/drift/drift-format.js';
import { serviceDrift } from '../../../src/drift/drift-services.js';
import type { Release } from '../../../src/release/release-schema.js';
import type { ContainerState } from '../../../src/facts/containers/docker-state.js';
import type { PathState } from '../../../src/facts/files/file-state.js';
import { factCommands } from '../../../src/facts/gather.js';
import { dockerState, ID_A, ID_B, network } from '../compose/compose-fixtures.js';

const SHA = sha256Hex('v1\n');
const OLD = sha256Hex('v0\n');
/** The fingerprint of an older definition than the release's. */
const F0 = 'f0'.padEnd(64, '0');
const svc = (name: string, over: { oneShot?: boolean; imageId?: string; fingerprint?: string } = {}) => ({
  role: 'web',
  name,
  phase: 'apps' as const,
  spec: serviceSpecSchema.parse({ image: 'app:1' }),
  gate: healthGateSchema.parse({ oneShot: over.oneShot ?? false }),
  requested: 'app:1',
  imageId: over.imageId ?? ID_A,
  fingerprint: over.fingerprint ?? 'f1'.padEnd(64, '0'),
});
/** Service web reads conf/ (reloaded in place: kill -HUP 1) and app.conf (mounted alone: a change recreates it). */
const WEB_MOUNTS = [
  { type: 'bind', source: '/srv/shop/conf', target: '/etc/shop/conf', readOnly: true },
  { type: 'bind', source: '/srv/shop/app.conf', target: '/etc/shop/app.conf', readOnly: true },
];
const web = {
  ...svc('web'),
  spec: serviceSpecSchema.parse({ image: 'app:1', mounts: WEB_MOUNTS }),
  reload: { paths: ['/srv/shop/conf'], command: ['kill', '-HUP', '1'] },
};
/** The `rig.inputs` label of a web container created with `site` as conf/site and `conf` as app.conf. */
const webInputs = (site: string, conf: string) =>
  inputsLabel({ 'file:/srv/shop/app.conf': conf, 'file:/srv/shop/conf/site': site });
const RELEASE: Release = {
  version: 1,
  id: '20261201T031500Z-ab12',
  createdAt: '2026-12-01T03:15:00Z',
  env: 'prod',
  host: 'web1',
  user: 'alice',
  workstation: 'laptop',
  git: null,
  planHash: 'p'.repeat(64),
  kind: 'deploy',
  project: 'shop',
  projectDir: '/srv/shop',
  files: [
    { role: 'web', path: '/srv/shop/app.conf', sha256: SHA, sensitive: false, mode: 0o644, owner: '0' },
    { role: 'web', path: '/srv/shop/app.env', sha256: SHA, sensitive: true, mode: 0o600, owner: 'app', group: 'app' },
    { role: 'web', path: '/srv/shop/conf/site', sha256: SHA, sensitive: false },
  ],
  dirs: [{ role: 'web', path: '/srv/shop/conf', mode: 0o755 }],
  services: [web, svc('init', { oneShot: true }), svc('worker')],
  networks: [
    { role: 'web', name: 'back', internal: true, external: false },
    { role: 'web', name: 'edge', internal: false, external: true },
  ],
};
const owned = { uid: 1000, gid: 1000, owner: 'app', group: 'app' };
const fileAt = (sha256: string, mode: number, over: Partial<typeof owned> = {}): PathState => ({
  kind: 'file',
  sha256,
  size: 3,
  modifiedAt: 0,
  mode: 0o100000 | mode,
  ...owned,
  ...over,
});
const container = (service: string, over: Partial<ContainerState> = {}): ContainerState => ({
  id: `${service[0]}`.repeat(64),
  name: `shop_${service}`,
  image: ID_A,
  labels: {
    'com.docker.compose.project': 'shop',
    'com.docker.compose.service': service,
    [LABELS.fingerprint]: 'f1'.padEnd(64, '0'),
  },
  project: 'shop',
  service,
  status: 'running',
  running: true,
  exitCode: 0,
  startedAt: '',
  restartCount: 0,
  ...over,
});

describe('file drift', () => {
  it('in sync: nothing; content, mode, owner, type and missing each say what the host has and what the release says', () => {
    const same = new Map<string, PathState>([
      ['/srv/shop/conf', { kind: 'dir', mode: 0o040755, ...owned }],
      ['/srv/shop/app.conf', fileAt(SHA, 0o644, { owner: 'root', uid: 0 })],
      ['/srv/shop/app.env', fileAt(SHA, 0o600)],
      ['/srv/shop/conf/site', fileAt(SHA, 0o600)],
    ]);
    // An owner the release gives by number matches the uid; attributes the release does not set are not compared.
    expect(fileDrift(RELEASE, same)).toEqual([]);
    const drifted = new Map<string, PathState>([
      ['/srv/shop/conf', { kind: 'other', type: 'symlink' }],
      ['/srv/shop/app.conf', fileAt('e'.repeat(64), 0o664, { owner: 'root', uid: 0 })],
      ['/srv/shop/app.env', fileAt('d'.repeat(64), 0o644, { owner: 'root', uid: 0, group: 'root', gid: 0 })],
      ['/srv/shop/conf/site', { kind: 'missing', parentDir: false }],
    ]);
    expect(fileDrift(RELEASE, drifted).flatMap(itemLines)).toEqual([
      '~ /srv/shop/conf: is a symlink, the release has a directory',
      `~ /srv/shop/app.conf: content changed (hand edit?): sha256 ${SHA.slice(0, 12)}… in the release, eeeeeeeeeeee… on the host`,
      '~ /srv/shop/app.conf: mode 0664, release says 0644',
      `~ /srv/shop/app.env: content changed (hand edit?): sha256 ${SHA.slice(0, 12)}… in the release, dddddddddddd… on the host; sensitive, content not shown`,
      '~ /srv/shop/app.env: mode 0644, release says 0600; owner root, release says app; group root, release says app',
      '- /srv/shop/conf/site: missing (the release has a file here)',
    ]);
  });

  it('a non-sensitive file carries its diff under its line', () => {
    const item = fileDrift(
      RELEASE,
      new Map([['/srv/shop/app.conf', fileAt('e'.repeat(64), 0o644, { owner: 'root', uid: 0 })]]),
    ).find((i) => i.what === 'content');
    expect(
      itemLines({
        ...item!,
        ...(item?.what === 'content' ? { diff: ['--- a (release)', '+++ a (host)', '-v1', '+v2'] } : {}),
      }).slice(1),
    ).toEqual(['    --- a (release)', '    +++ a (host)', '    -v1', '    +v2']);
  });
});

describe('compose file drift', () => {
  const APPS = '/srv/shop/compose.apps.yml';
  const withCompose: Release = { ...RELEASE, composeFiles: [{ path: APPS, sha256: SHA }] };
  const facts = (apps: PathState): Map<string, PathState> => new Map([[APPS, apps]]);
  const compose = (apps: PathState) => fileDrift(withCompose, facts(apps)).filter((i) => i.subject === APPS);

  it("a release's compose files are compared by content (not by attributes) and asked for in the facts", () => {
    expect(compose(fileAt(SHA, 0o600))).toEqual([]);
    expect(compose(fileAt('e'.repeat(64), 0o644)).flatMap(itemLines)).toEqual([
      `~ ${APPS}: content changed (hand edit?): sha256 ${SHA.slice(0, 12)}… in the release, eeeeeeeeeeee… on the host`,
    ]);
    expect(compose({ kind: 'missing', parentDir: true }).flatMap(itemLines)).toEqual([
      `- ${APPS}: missing (the release has a file here)`,
    ]);
    expect(releasePaths(withCompose)).toContain(APPS);
    // a release of a rig before it records none: nothing compared
    expect(fileDrift(RELEASE, facts(fileAt('e'.repeat(64), 0o644))).some((i) => i.subject === APPS)).toBe(false);
  });

  it('a service whose entry was edited by hand: drift when its container started at or after the edit', () => {
    const edited = (at: number) => ({ entries: new Map([['worker', APPS]]), modifiedAt: () => at });
    const started = container('worker', { startedAt: '2026-12-01T04:00:00Z' });
    const start = Date.parse('2026-12-01T04:00:00Z') / 1000;
    const state = dockerState({
      containers: [container('web'), container('init', { status: 'exited', running: false, exitCode: 0 }), started],
      networks: { shop_back: network('shop_back', true) },
    });
    expect(serviceDrift(RELEASE, state, new Map(), edited(start - 60)).flatMap(itemLines)).toEqual([
      '~ worker: container runs other inputs than the release: its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?)',
    ]);
    expect(serviceDrift(RELEASE, state, new Map(), edited(start + 60))).toEqual([]);
  });
});

describe('service drift', () => {
  const healthy = [
    container('web'),
    container('init', { status: 'exited', running: false, exitCode: 0 }),
    container('worker'),
  ];
  const nets = { shop_back: network('shop_back', true) };

  it('in sync: every container runs the recorded image with the recorded fingerprint; a one-shot that exited 0 is fine', () => {
    expect(serviceDrift(RELEASE, dockerState({ containers: healthy, networks: nets }), new Map())).toEqual([]);
  });

  it('a paused container (docker says running) is not running, and only that', () => {
    const paused = [...healthy.slice(0, 2), container('worker', { status: 'paused' })];
    expect(
      serviceDrift(RELEASE, dockerState({ containers: paused, networks: nets }), new Map()).flatMap(itemLines),
    ).toEqual(['! worker: not running (paused)']);
  });

  it('another image, another definition, stopped, missing, unknown to the release; a missing or flipped network', () => {
    const containers = [
      container('web', { image: ID_B, labels: { ...healthy[0]!.labels, [LABELS.fingerprint]: 'f2'.padEnd(64, '0') } }),
      container('init', { status: 'exited', running: false, exitCode: 1 }),
      container('stray'),
    ];
    const lines = (n: Record<string, ReturnType<typeof network> | undefined>) =>
      serviceDrift(RELEASE, dockerState({ containers, networks: n }), new Map()).flatMap(itemLines);
    expect(lines({})).toEqual([
      `~ web: container runs image sha256:${'b'.repeat(12)}…, release says sha256:${'a'.repeat(12)}…`,
      `~ web: container created from another definition: rig.fingerprint f20000000000…, release says f10000000000… (recreated outside rig?)`,
      '! init: not running (exited 1)',
      '- worker: container missing (shop_worker)',
      '+ stray: container shop_stray of the project is not in the release',
      '- network back: missing (shop_back)',
    ]);
    expect(lines({ shop_back: network('shop_back', false) }).at(-1)).toBe(
      '~ network back: shop_back is not internal, release says internal',
    );
    const { project: _p, service: _s, ...byHand } = container('worker', { labels: {} });
    const held = serviceDrift(
      RELEASE,
      { ...dockerState({ containers: healthy.slice(0, 2), networks: nets }), nameHolders: [byHand] },
      new Map(),
    );
    expect(held.flatMap(itemLines)).toEqual([
      "~ worker: shop_worker is a container outside the compose project (made by hand?); the service's own is missing",
    ]);
  });

  it("reloaded in place: the old labels are current when this very container took in the release's files", () => {
    const labels = { ...healthy[0]!.labels, [LABELS.fingerprint]: F0, [LABELS.inputs]: webInputs(OLD, SHA) };
    const reloaded = [container('web', { labels }), ...healthy.slice(1)];
    const state = dockerState({ containers: reloaded, networks: nets });
    const record = (id: string, sha: string) =>
      new Map([['shop_web', { id, inputs: { 'file:/srv/shop/conf/site': sha.slice(0, 16) } }]]);
    expect(serviceDrift(RELEASE, state, record('w'.repeat(64), SHA))).toEqual([]);
    expect(serviceDrift(RELEASE, state, record('x'.repeat(64), SHA)).map((i) => i.what)).toEqual(['fingerprint']);
    expect(serviceDrift(RELEASE, state, record('w'.repeat(64), 'c'.repeat(64))).map((i) => i.what)).toEqual([
      'fingerprint',
    ]);
  });

  it('a reload record newer than the labels is judged as a plan judges it (decideService): it hides no drift', () => {
    const took = (sha: string) => ({ id: 'w'.repeat(64), inputs: { 'file:/srv/shop/conf/site': sha.slice(0, 16) } });
    const record = (sha: string) => new Map([['shop_web', took(sha)]]);
    // the labels are the release's (it records them), but the container reloaded another conf/site since
    const current = container('web', { labels: { ...healthy[0]!.labels, [LABELS.inputs]: webInputs(SHA, SHA) } });
    const drift = (containers: ContainerState[], sha: string) =>
      serviceDrift(RELEASE, dockerState({ containers, networks: nets }), record(sha));
    expect(drift([current, ...healthy.slice(1)], SHA)).toEqual([]);
    expect(drift([current, ...healthy.slice(1)], 'c'.repeat(64)).flatMap(itemLines)).toEqual([
      '~ web: container runs other inputs than the release: site changed (reload in place: kill -HUP 1)',
    ]);
    // older labels and a record of the release's conf/site, but app.conf (not reloadable) is still the creation's
    const old = { ...healthy[0]!.labels, [LABELS.fingerprint]: F0, [LABELS.inputs]: webInputs(OLD, OLD) };
    const recreatedOnly = drift([container('web', { labels: old }), ...healthy.slice(1)], SHA);
    expect(recreatedOnly.map((i) => i.what)).toEqual(['fingerprint']);
  });
});

describe('drift report', () => {
  const value = (items: Parameters<typeof itemLines>[0][]) => ({
    host: 'web1',
    release: { id: RELEASE.id, createdAt: RELEASE.createdAt, user: 'alice' },
    items,
    checked: { files: 3, dirs: 1, services: 3, networks: 1 },
    execs: 2,
  });

  it('exit 0 in sync, 2 drift, 1 when a host could not be compared (whatever the others say)', () => {
    const drifted = {
      host: 'web1',
      value: value([{ kind: 'service', subject: 'web', what: 'container-missing', container: 'shop_web' }]),
    };
    expect(driftExitCode([{ host: 'web1', value: value([]) }])).toBe(0);
    expect(driftExitCode([drifted])).toBe(2);
    expect(driftExitCode([drifted, { host: 'web2', error: 'x' }])).toBe(1);
    expect(
      driftText('prod', [
        { host: 'web1', value: value([]) },
        { host: 'web2', error: 'never deployed by rig: no release in /srv/shop/.rig/releases' },
      ]),
    ).toBe(
      [
        'web1: in sync with release 20261201T031500Z-ab12 by alice (3 files, 1 dir, 3 services, 1 network)',
        'web2: error: never deployed by rig: no release in /srv/shop/.rig/releases',
        'drift: env prod: 2 hosts, 1 in sync, 0 drifted, 1 not compared',
      ].join('\n'),
    );
  });

  it("the facts of a release are one batch: file states, the project's containers and rig's networks, reload records", () => {
    expect(factCommands(driftFactSet(RELEASE, '/srv/shop/.rig'))).toHaveLength(3);
    expect(factCommands(driftFactSet({ ...RELEASE, services: [], networks: [] }, '/x'))).toHaveLength(1);
  });
});
