// The compose planner, table-driven: the host runs what rig deployed last time, one input changes, the plan says which.
import { describe, expect, it } from 'vitest';
import { LABELS } from '../../../src/compose/compose-desired.js';
import { planServices, type ServicesPlan } from '../../../src/compose/plan-services.js';
import type { RoleOps } from '../../../src/config/roles/render-roles.js';
import type { Step, WriteStep } from '../../../src/core/plan-data/plan-types.js';
import type { ContainerState, ImageState } from '../../../src/facts/containers/docker-state.js';
import {
  deployed,
  desiredOf,
  dockerState,
  file,
  ID_A,
  ID_B,
  image,
  net,
  network,
  role,
  svc,
} from './compose-fixtures.js';

const ENV = '/srv/shop/x.env';
const CONF = '/srv/shop/conf/app.conf';
const PIN_A = `reg/app@sha256:${'a'.repeat(64)}`;
const PIN_B = `reg/app@sha256:${'b'.repeat(64)}`;
const mount = { type: 'bind', source: '/srv/shop/conf', target: '/etc/app' } as const;
const web = (spec: Record<string, unknown> = {}): RoleOps => role('web', [svc('web', { image: 'app:1', ...spec })]);
const withEnv = (content: string, spec: Record<string, unknown> = { envFiles: [ENV] }): RoleOps =>
  role('web', [file(ENV, content), svc('web', { image: 'app:1', ...spec })]);
const withConf = (content: string): RoleOps =>
  role('web', [file(CONF, content), svc('web', { image: 'app:1', mounts: [mount] })]);
const migrate = role('db', [
  svc('migrate', { image: 'app:1', command: ['migrate'] }, { phase: 'infra', gate: { oneShot: true } }),
]);
const envWrite: WriteStep = {
  kind: 'write',
  role: 'web',
  why: 'content changed',
  path: ENV,
  notify: [],
  change: {
    kind: 'update',
    path: ENV,
    sensitive: true,
    sha256After: 'e'.repeat(64),
    envKeys: { added: ['A'], changed: ['B'], removed: ['C'] },
  },
};

function line(s: Step): string {
  if (s.kind === 'service') return `${s.action} ${s.service}: ${s.why}`;
  if (s.kind === 'pull') return `pull ${s.image}: ${s.why}`;
  if (s.kind === 'network') return `network ${s.name}: ${s.why}`;
  return `${s.kind}: ${s.why}`;
}

interface Scenario {
  /** What rig deployed last time (the containers carry its labels); nothing when absent. */
  readonly before?: RoleOps[];
  readonly after: RoleOps[];
  readonly container?: (c: ContainerState) => ContainerState;
  readonly images?: Record<string, ImageState | undefined>;
  readonly fileSteps?: Step[];
  readonly removeUndeclared?: boolean;
}

function plan(sc: Scenario): ServicesPlan {
  const desired = desiredOf(sc.after);
  const containers = desiredOf(sc.before ?? []).services.map((s) => (sc.container ?? ((c) => c))(deployed(s)));
  const images = { ...Object.fromEntries(desired.services.map((s) => [s.op.spec.image, image(ID_A)])), ...sc.images };
  return planServices({
    host: 'h',
    desired,
    docker: dockerState({ containers, images }),
    fileSteps: sc.fileSteps ?? [],
    removeUndeclared: sc.removeUndeclared ?? true,
  });
}

describe('planServices: why a service changes', () => {
  const relabel =
    (labels: Record<string, string>) =>
    (c: ContainerState): ContainerState => ({ ...c, labels: { ...c.labels, ...labels } });
  // One case per row: the table reads down (Prettier would spread each case over several lines).
  // prettier-ignore
  const WHY: [string, Scenario, string[]][] = [
    ['new service', { after: [web()] }, ['create web: new service']],
    ['same fingerprint, running', { before: [web()], after: [web()] }, []],
    ['env file changed, its write step knows the keys', { before: [withEnv('B=1\nC=1\n')], after: [withEnv('A=1\nB=2\n')], fileSteps: [envWrite] }, ['recreate web: env x.env changed (+A ~B -C)']],
    ['env file changed, no write step', { before: [withEnv('B=1\n')], after: [withEnv('B=2\n')] }, ['recreate web: env x.env changed']],
    ['env file added', { before: [withEnv('B=1\n', {})], after: [withEnv('B=1\n')] }, ['recreate web: definition changed (envFiles); env x.env added']],
    ['mounted file changed', { before: [withConf('a\n')], after: [withConf('b\n')] }, ['recreate web: app.conf changed']],
    ['definition keys changed', { before: [web()], after: [web({ command: ['serve'], ports: ['80:80'] })] }, ['recreate web: definition changed (command, ports)']],
    ['pinned digest changed on the same repo', { before: [web({ image: PIN_A })], after: [web({ image: PIN_B })], images: { [PIN_B]: image(ID_B) } }, ['recreate web: image digest changed (sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb)']],
    ['tag changed (one image reason only)', { before: [web()], after: [web({ image: 'app:2' })], images: { 'app:2': image(ID_B) } }, ['recreate web: image app:1 → app:2']],
    ['tag now points at another image', { before: [web()], after: [web()], images: { 'app:1': image(ID_B) } }, ['recreate web: image changed: app:1 is now sha256:bbbbbbbbbbbb, the container runs sha256:aaaaaaaaaaaa']],
    ['container without rig labels', { before: [web()], after: [web()], container: (c) => ({ ...c, labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } }) }, ['recreate web: not deployed by rig yet']],
    ['unreadable inputs label', { before: [web()], after: [web()], container: relabel({ [LABELS.fingerprint]: 'old', [LABELS.inputs]: 'garbage' }) }, ['recreate web: inputs changed']],
    ['exited', { before: [web()], after: [web()], container: (c) => ({ ...c, status: 'exited', running: false, exitCode: 1 }) }, ['start web: not running (exited 1)']],
    ['created, never started', { before: [web()], after: [web()], container: (c) => ({ ...c, status: 'created', running: false }) }, ['start web: not running (created)']],
    ['one-shot exited 0', { before: [migrate], after: [migrate], container: (c) => ({ ...c, status: 'exited', running: false, exitCode: 0 }) }, []],
    ['one-shot exited 2', { before: [migrate], after: [migrate], container: (c) => ({ ...c, status: 'exited', running: false, exitCode: 2 }) }, ['start migrate: not running (exited 2)']],
  ];
  it.each(WHY)('%s', (_name, sc, expected) => {
    const p = plan(sc);
    expect(p.problems).toEqual([]);
    expect(p.steps.map(line)).toEqual(expected);
  });

  it('a container outside the project holding the service name (made by hand) is replaced, and the plan says so', () => {
    const desired = desiredOf([web()]);
    const { project: _p, service: _s, ...rest } = deployed(desired.services[0]!);
    const holder: ContainerState = { ...rest, labels: {} };
    const p = planServices({
      host: 'h',
      desired,
      docker: dockerState({ nameHolders: [holder], images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps.map(line)).toEqual([
      `recreate web: container ${holder.name} is not part of compose project ${desired.project} (made by hand?): removed, then created by rig`,
    ]);
    expect(p.steps[0]).toMatchObject({ foreign: true });
  });

  it('a step carries role, container, phase, fingerprint, gate, origin and reasons', () => {
    const desired = desiredOf([migrate]);
    const p = planServices({
      host: 'h',
      desired,
      docker: dockerState({ images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps).toEqual([
      {
        kind: 'service',
        action: 'create',
        role: 'db',
        service: 'migrate',
        container: 'shop_migrate',
        phase: 'infra',
        fingerprint: desired.services[0]?.fingerprint,
        gate: { oneShot: true, timeoutSec: 120, settleSec: 5, healthcheck: false },
        origin: 'roles/web/role.ts:7:3',
        reasons: ['new service'],
        why: 'new service',
      },
    ]);
    expect(p.target).toEqual({
      flavor: 'v2',
      cli: 'plugin',
      project: 'shop',
      projectDir: '/srv/shop',
      files: { infra: '/srv/shop/compose.infra.yml' },
    });
  });
});

describe('planServices: removals', () => {
  const old = (over: Partial<ContainerState> = {}, labels: Record<string, string> = {}): ContainerState => {
    const c = deployed(desiredOf([role('legacy', [svc('old', { image: 'app:1' }, { phase: 'infra' })])]).services[0]!);
    return { ...c, ...over, labels: { ...c.labels, ...labels } };
  };
  const run = (containers: ContainerState[], removeUndeclared = true): string[] =>
    planServices({
      host: 'h',
      desired: desiredOf([web()]),
      docker: dockerState({ containers, images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared,
    }).steps.map(line);

  it('removes a rig-managed container of the project no role declares, in its phase, before the others', () => {
    const p = planServices({
      host: 'h',
      desired: desiredOf([web()]),
      docker: dockerState({ containers: [old()], images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps.map(line)).toEqual(['remove old: no longer declared', 'create web: new service']);
    expect(p.steps[0]).toMatchObject({
      role: 'legacy',
      container: 'shop_old',
      phase: 'infra',
      fingerprint: '',
      reasons: ['no longer declared'],
    });
  });

  // One case per row: the table reads down (Prettier would spread each case over several lines).
  // prettier-ignore
  const REMOVALS: [string, ContainerState[], boolean][] = [
    ['not under --role (removeUndeclared false)', [old()], false],
    ['not without the rig.managed label', [old({}, { [LABELS.managed]: 'false' })], true],
    ['not of another project', [old({ project: 'other', name: 'other_old' })], true],
  ];
  it.each(REMOVALS)('%s', (_name, containers, removeUndeclared) => {
    expect(run(containers, removeUndeclared)).toEqual(['create web: new service']);
  });

  it('keeps the services of roles not selected: no steps for them, and no removal', () => {
    const db = (command: string[]): RoleOps => role('db', [svc('db', { image: 'pg:16', command })], false);
    const containers = desiredOf([db(['old'])]).services.map((s) =>
      deployed(s, { status: 'exited', running: false, exitCode: 1 }),
    );
    const p = planServices({
      host: 'h',
      desired: desiredOf([db(['new']), web()]),
      docker: dockerState({ containers, images: { 'pg:16': image(ID_A), 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps.map(line)).toEqual(['create web: new service']);
  });

  it('a service of a role not selected is planned for a repair alone: an interrupted recreate, an entry edited by hand', () => {
    const [db, cache] = [
      role('db', [svc('db', { image: 'pg:16' })], false),
      role('cache', [svc('cache', { image: 'redis:7' })], false),
    ];
    const containers = desiredOf([db, cache]).services.map((s) => deployed(s, { id: `${s.op.name}-id` }));
    const run = (pending: { id: string; action: 'recreate' | 'reload' }[], edited: [string, string][] = []) =>
      planServices({
        host: 'h',
        desired: desiredOf([db, cache, web()]),
        docker: dockerState({
          containers,
          images: { 'pg:16': image(ID_A), 'redis:7': image(ID_A), 'app:1': image(ID_A) },
        }),
        fileSteps: [],
        removeUndeclared: false,
        unfinished: { deployId: 'd1', pending },
        editedEntries: new Map(edited),
      }).steps.map(line);
    expect(run([{ id: 'db-id', action: 'recreate' }])).toEqual([
      'recreate db: deploy d1 did not finish its recreate of this container',
      'create web: new service',
    ]);
    // another container under the same name is not the one the deploy was to recreate
    expect(run([{ id: 'gone-id', action: 'recreate' }])).toEqual(['create web: new service']);
    // its entry edited by hand (no time known: taken as made from it): this run writes the entry back, so it recreates
    expect(run([], [['cache', '/srv/shop/compose.apps.yml']])).toEqual([
      'recreate cache: its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?)',
      'create web: new service',
    ]);
  });
});

describe('planServices: pre-checks and problems', () => {
  const withNets = role('web', [
    net('back', { internal: true }),
    net('ext', { external: true }),
    svc('web', { image: 'app:1', networks: ['back', 'ext'] }),
  ]);
  const messages = (p: ServicesPlan): string[] => p.problems.map((d) => d.message);

  it('a missing network is created first; a missing external one is a problem', () => {
    const p = planServices({
      host: 'h',
      desired: desiredOf([withNets]),
      docker: dockerState({
        images: { 'app:1': image(ID_A) },
        networks: { shop_back: undefined, shop_ext: undefined },
      }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps.map(line)).toEqual(['network shop_back: missing', 'create web: new service']);
    expect(p.steps[0]).toEqual({ kind: 'network', role: 'web', name: 'shop_back', internal: true, why: 'missing' });
    expect(p.problems).toEqual([
      {
        severity: 'error',
        message: 'network shop_ext is declared external but does not exist on the host',
        loc: withNets.ops[1]?.origin,
        hosts: ['h'],
      },
    ]);
  });

  it('a network that exists with another `internal` is a problem, not a step', () => {
    const p = planServices({
      host: 'h',
      desired: desiredOf([withNets]),
      docker: dockerState({
        images: { 'app:1': image(ID_A) },
        networks: { shop_back: network('shop_back', false), shop_ext: network('shop_ext', true) },
      }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps.map(line)).toEqual(['create web: new service']);
    expect(messages(p)).toEqual([
      'network shop_back exists but is not internal, unlike its declaration; rig does not recreate networks (containers are attached): remove it by hand or change the declaration',
    ]);
  });

  it('one pull per missing image, even when two services share it', () => {
    const ops = role('web', [
      svc('a', { image: 'app:1' }),
      svc('b', { image: 'app:1' }),
      svc('c', { image: 'redis:7' }),
      svc('d', { image: 'pg:16' }),
    ]);
    const p = planServices({
      host: 'h',
      desired: desiredOf([ops]),
      docker: dockerState({ images: { 'app:1': undefined, 'redis:7': undefined, 'pg:16': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.steps.filter((s) => s.kind === 'pull').map(line)).toEqual([
      'pull app:1: not on the host',
      'pull redis:7: not on the host',
    ]);
  });

  it('no compose on the host is a problem and leaves no target', () => {
    const p = planServices({
      host: 'h',
      desired: desiredOf([web()]),
      docker: dockerState({ compose: null, images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(messages(p)).toEqual([
      expect.stringMatching(
        /^neither `docker compose` \(v2\) nor `docker-compose` \(v1\) found on the host; install the Compose v2 plugin/,
      ),
    ]);
    expect(p.target).toBeUndefined();
  });

  it('a compose rig does not support is refused by the plan, with no step planned to run', () => {
    const old = { flavor: 'v2', version: '2.2.3', cli: 'plugin' } as const;
    const p = planServices({
      host: 'h',
      desired: desiredOf([web()]),
      docker: dockerState({ compose: old, images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(messages(p)).toEqual([expect.stringContaining('docker compose 2.2.3 (Compose v2) is older than 2.3.0')]);
  });

  it('a standalone v2 (`docker-compose` reporting 2.x) is driven as v2 through docker-compose', () => {
    const standalone = { flavor: 'v2', version: '2.24.6', cli: 'standalone' } as const;
    const p = planServices({
      host: 'h',
      desired: desiredOf([web()]),
      docker: dockerState({ compose: standalone, images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(p.problems).toEqual([]);
    expect(p.target).toMatchObject({ flavor: 'v2', cli: 'standalone' });
  });

  it('a host without services or networks plans nothing, compose or not', () => {
    expect(
      planServices({
        host: 'h',
        desired: desiredOf([]),
        docker: dockerState({ compose: null }),
        fileSteps: [],
        removeUndeclared: true,
      }),
    ).toEqual({ steps: [], target: undefined, problems: [] });
  });

  it('infra services come before apps services, whatever the declaration order', () => {
    const p = plan({ after: [web(), migrate] });
    expect(p.steps.map(line)).toEqual(['create migrate: new service', 'create web: new service']);
    expect(p.target?.files).toEqual({ infra: '/srv/shop/compose.infra.yml', apps: '/srv/shop/compose.apps.yml' });
  });
});
