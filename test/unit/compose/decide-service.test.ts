// decideService, table-driven: the wanted service against the container's taken-in inputs (labels + reload record).
import { describe, expect, it } from 'vitest';
import { LABELS, type DesiredService } from '../../../src/compose/compose-desired.js';
import { decideService, type CurrentService, type ServiceDecision } from '../../../src/compose/decide-service.js';
import type { ReloadRecord } from '../../../src/compose/service-reload.js';
import { inputsLabel } from '../../../src/compose/service-inputs.js';
import { takenInputs } from '../../../src/compose/taken-inputs.js';
import type { ServiceOp } from '../../../src/core/desired/op.js';
import type { FileChange } from '../../../src/core/plan-data/file-change.js';
import type { Step, WriteStep } from '../../../src/core/plan-data/plan-types.js';
import type { ContainerState } from '../../../src/facts/containers/docker-state.js';
import { deployed, desiredOf, file, ID_A, ID_B, role, svc } from './compose-fixtures.js';

const CONF = '/srv/shop/conf';
const ENV = '/srv/shop/x.env';
const PIN_A = `reg/app@sha256:${'a'.repeat(64)}`;
const PIN_B = `reg/app@sha256:${'b'.repeat(64)}`;
const mount = { type: 'bind', source: CONF, target: '/etc/app' } as const;

interface Version {
  conf?: string;
  env?: string;
  image?: string;
  command?: string[];
  reload?: boolean;
  envFiles?: boolean;
  oneShot?: boolean;
}

/** The desired `web` service of a version of the repository. */
function web(v: Version = {}): DesiredService {
  const envFiles = v.envFiles === false ? [] : [ENV];
  const spec = { image: v.image ?? 'app:1', mounts: [mount], envFiles, ...(v.command ? { command: v.command } : {}) };
  const reload = v.reload === false ? {} : { reload: { paths: [CONF], command: ['app', 'reload'] } };
  const op: ServiceOp = { ...svc('web', spec, v.oneShot ? { gate: { oneShot: true } } : {}), ...reload };
  const files = [file(`${CONF}/app.conf`, v.conf ?? 'a'), file(ENV, v.env ?? 'A=1\n')];
  return desiredOf([role('web', [...files, op])]).services[0]!;
}

/** The reload record a reload to `conf` writes for container `id`. */
function recordOf(id: string, conf: string): ReloadRecord {
  const key = `file:${CONF}/app.conf`;
  return { id, inputs: { [key]: (JSON.parse(inputsLabel(web({ conf }).inputs)) as Record<string, string>)[key]! } };
}

type Current = Partial<CurrentService> & { container: ContainerState | undefined };

/** The host copy's time of each write step made by a test (file-state's `modifiedAt`), when it gives one. */
const hostTimes = new WeakMap<Step, number>();

function decide(want: DesiredService, current: Current, fileSteps: Step[] = []): ServiceDecision {
  const modifiedAt = (p: string): number | undefined => {
    const step = fileSteps.find((st) => st.kind === 'write' && st.path === p);
    return step && hostTimes.get(step);
  };
  return decideService({ service: want, project: 'shop', fileSteps, modifiedAt }, { localImageId: ID_A, ...current });
}

const was = web();
const running = deployed(was);
const relabel = (labels: Record<string, string | undefined>): ContainerState => {
  const all = Object.entries({ ...running.labels, ...labels }).filter((e): e is [string, string] => e[1] !== undefined);
  return { ...running, labels: Object.fromEntries(all) };
};
const exited = (code: number): ContainerState => ({ ...running, running: false, status: 'exited', exitCode: code });
const none: ServiceDecision = { action: 'none', reasons: [] };
const gate = (why: string): ServiceDecision => ({ action: 'gate', reasons: [why] });
const unfinished = 'made by a deploy that did not finish';
const reloadConf = (conf: string): ServiceDecision => ({
  action: 'reload',
  reasons: ['app.conf changed (reload in place: app reload)'],
  reload: { command: ['app', 'reload'], record: JSON.stringify(recordOf(running.id, conf)) },
});

describe('decideService: each action', () => {
  const oneShot = web({ oneShot: true });
  const recorded = (imageId: string): Current => ({
    container: running,
    release: { recorded: { fingerprint: was.fingerprint, imageId } },
  });
  const holder = { name: 'shop_web', project: 'other' };
  const foreign =
    'container shop_web is not part of compose project shop (project other): removed, then created by rig';
  it.each<[string, DesiredService, Current, ServiceDecision]>([
    ['no container: create', was, { container: undefined }, { action: 'create', reasons: ['new service'] }],
    ['as deployed, running: none', was, { container: running }, none],
    [
      'as deployed, exited 3: start',
      was,
      { container: exited(3) },
      { action: 'start', reasons: ['not running (exited 3)'] },
    ],
    [
      'as deployed, paused: start',
      was,
      { container: { ...running, running: false, status: 'paused' } },
      { action: 'start', reasons: ['not running (paused)'] },
    ],
    [
      'a one-shot that exited 0: none',
      oneShot,
      { container: { ...deployed(oneShot), running: false, status: 'exited', exitCode: 0 } },
      none,
    ],
    [
      'health starting: gate',
      was,
      { container: { ...running, health: 'starting' } },
      gate('health starting: not through its health gate'),
    ],
    [
      'not in the current release: gate',
      was,
      { container: running, release: { recorded: undefined } },
      gate(`not in the current release: ${unfinished}`),
    ],
    [
      'the host has no release at all (its state dir removed?): gate, saying so',
      was,
      { container: running, release: { recorded: undefined, none: true } },
      gate('the host has no release (none recorded by rig, or its state dir was removed): gated, then recorded'),
    ],
    [
      'the release recorded another image: gate',
      was,
      recorded(ID_B),
      gate(`differs from the current release: ${unfinished}`),
    ],
    ['the release recorded it as it runs: none', was, recorded(ID_A), none],
    ['a file under the reload path changed: reload', web({ conf: 'b' }), { container: running }, reloadConf('b')],
    [
      'the name is held by another project: recreate, foreign',
      was,
      { container: undefined, nameHolder: holder },
      { action: 'recreate', reasons: [foreign], foreign: true },
    ],
  ])('%s', (_name, want, current, expected) => {
    expect(decide(want, current)).toEqual(expected);
  });
});

describe('decideService: each recreate reason', () => {
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
      envKeys: { added: ['B'], changed: ['A'], removed: [] },
    },
  };
  it.each<[string, DesiredService, ContainerState, string[], Step[]?]>([
    ["not rig's container", was, relabel({ [LABELS.fingerprint]: undefined }), ['not deployed by rig yet']],
    ['definition keys', web({ command: ['serve'] }), running, ['definition changed (command)']],
    ['tag', web({ image: 'app:2' }), running, ['image app:1 → app:2']],
    [
      'pinned digest of the same repository',
      web({ image: PIN_B }),
      deployed(web({ image: PIN_A })),
      ['image digest changed (sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb)'],
    ],
    [
      "env file, keys from the plan's write",
      web({ env: 'A=2\nB=1\n' }),
      running,
      ['env x.env changed (+B ~A)'],
      [envWrite],
    ],
    ['env file added', web(), deployed(web({ envFiles: false })), ['definition changed (envFiles)', 'env x.env added']],
    ['env file removed', web({ envFiles: false }), running, ['definition changed (envFiles)', 'env x.env removed']],
    [
      'a mounted file, service without reload',
      web({ conf: 'b', reload: false }),
      deployed(web({ reload: false })),
      ['app.conf changed'],
    ],
    [
      'a file under the reload path and the definition',
      web({ conf: 'b', command: ['serve'] }),
      running,
      ['definition changed (command)', 'app.conf changed'],
    ],
  ])('%s', (_name, want, container, reasons, fileSteps = []) => {
    expect(decide(want, { container }, fileSteps)).toEqual({ action: 'recreate', reasons });
  });

  it('the tag now names another image: recreate, even when only reloadable files changed too', () => {
    expect(decide(was, { container: running, localImageId: ID_B })).toEqual({
      action: 'recreate',
      reasons: ['image changed: app:1 is now sha256:bbbbbbbbbbbb, the container runs sha256:aaaaaaaaaaaa'],
    });
    expect(decide(web({ conf: 'b' }), { container: running, localImageId: ID_B }).action).toBe('recreate');
  });
});

describe('decideService: a file the container took in, changed on the host, written back (drift repaired)', () => {
  // the plan writes the file back although the repository's version is the one the container took in: the host's copy
  // was changed under it. `running` started at 2026-01-01T00:00:00Z.
  const START = Date.parse(running.startedAt) / 1000;
  const rewrite = (path: string, modifiedAt: number | undefined): WriteStep => {
    const change: FileChange = {
      kind: 'update',
      path,
      sensitive: false,
      sha256Before: 'e'.repeat(64),
      sha256After: 'f'.repeat(64),
    };
    const step: WriteStep = { kind: 'write', role: 'web', why: 'content changed', path, notify: [], change };
    if (modifiedAt !== undefined) hostTimes.set(step, modifiedAt);
    return step;
  };
  const CONF_FILE = `${CONF}/app.conf`;
  const [editedAfterStart, editedBeforeStart] = [START + 60, START - 60];
  const read = 'changed on the host, then the container started (restart, compose up by hand?): written back';
  const plain = web({ reload: false });
  const reloadIt = (files: string[]): ServiceDecision => ({
    action: 'reload',
    reasons: files.map((f) => `${f} changed on the host: written back (reload in place: app reload)`),
    reload: { command: ['app', 'reload'], record: JSON.stringify(recordOf(running.id, 'a')) },
  });
  it.each<[string, DesiredService, ContainerState, Step[], ServiceDecision]>([
    // the designed case: the container started from the very bytes written back
    ['changed after the container started: none', plain, deployed(plain), [rewrite(CONF_FILE, editedAfterStart)], none],
    [
      'changed, then the container started (restarted since): recreate',
      plain,
      deployed(plain),
      [rewrite(CONF_FILE, editedBeforeStart)],
      { action: 'recreate', reasons: [`app.conf ${read}`] },
    ],
    [
      'changed in the second it started: recreate (whole seconds cannot tell)',
      plain,
      deployed(plain),
      [rewrite(CONF_FILE, START)],
      { action: 'recreate', reasons: [`app.conf ${read}`] },
    ],
    [
      'no time known for the host copy: recreate',
      plain,
      deployed(plain),
      [rewrite(CONF_FILE, undefined)],
      { action: 'recreate', reasons: [`app.conf ${read}`] },
    ],
    [
      'a start time docker did not give: recreate',
      plain,
      { ...deployed(plain), startedAt: 'garbage' },
      [rewrite(CONF_FILE, editedAfterStart)],
      { action: 'recreate', reasons: [`app.conf ${read}`] },
    ],
    // its environment is read when a container is created: by hand from the changed copy?
    [
      'an env file changed before the start, a mounted file after: recreate for the env file',
      was,
      running,
      [rewrite(ENV, editedBeforeStart), rewrite(CONF_FILE, editedAfterStart)],
      { action: 'recreate', reasons: [`env x.env ${read}`] },
    ],
    // the process may have been reloaded by hand since it started: a reload is in place and cheap
    [
      'under the reload path, changed after the start: reload',
      was,
      running,
      [rewrite(CONF_FILE, editedAfterStart)],
      reloadIt(['app.conf']),
    ],
    [
      'under the reload path, changed before the start: reload',
      was,
      running,
      [rewrite(CONF_FILE, editedBeforeStart)],
      reloadIt(['app.conf']),
    ],
    [
      'stopped: started, it reads the files as written',
      was,
      exited(3),
      [rewrite(CONF_FILE, editedBeforeStart), rewrite(ENV, editedBeforeStart)],
      { action: 'start', reasons: ['not running (exited 3)'] },
    ],
    [
      'a one-shot that exited 0 reads nothing again: none',
      web({ oneShot: true }),
      { ...deployed(web({ oneShot: true })), running: false, status: 'exited', exitCode: 0 },
      [rewrite(ENV, editedBeforeStart)],
      none,
    ],
    [
      'a file it does not take in: none',
      plain,
      deployed(plain),
      [rewrite('/srv/shop/other.conf', editedBeforeStart)],
      none,
    ],
    [
      'a file removed on the host (when is unknown), written again: recreate',
      plain,
      deployed(plain),
      [
        {
          ...rewrite(CONF_FILE, undefined),
          why: 'missing',
          change: { kind: 'create', path: CONF_FILE, sensitive: false, sha256After: 'f'.repeat(64) },
        },
      ],
      {
        action: 'recreate',
        reasons: ['app.conf removed on the host (by hand?), perhaps before the container started: written back'],
      },
    ],
  ])('%s', (_name, want, container, fileSteps, expected) => {
    expect(decide(want, { container }, fileSteps)).toEqual(expected);
  });

  it('an env file in a mounted directory (an env input and a file input): named once, as the env file', () => {
    const inConf = `${CONF}/x.env`;
    const op = svc('web', { image: 'app:1', mounts: [mount], envFiles: [inConf] });
    const want = desiredOf([role('web', [file(CONF_FILE, 'a'), file(inConf, 'A=1\n'), op])]).services[0]!;
    expect(Object.keys(want.inputs)).toEqual(expect.arrayContaining([`env:${inConf}`, `file:${inConf}`]));
    expect(decide(want, { container: deployed(want) }, [rewrite(inConf, editedBeforeStart)])).toEqual({
      action: 'recreate',
      reasons: [`env x.env ${read}`],
    });
  });
});

describe('decideService: a container a deploy that did not finish was to recreate or reload', () => {
  const plain = web({ reload: false });
  const left = (action: 'recreate' | 'reload') => ({ unfinished: { deployId: 'd1', action } });
  it.each<[string, DesiredService, Current, ServiceDecision]>([
    [
      'recreate: recreated, though its labels are current',
      plain,
      { container: deployed(plain), ...left('recreate') },
      { action: 'recreate', reasons: ['deploy d1 did not finish its recreate of this container'] },
    ],
    [
      'reload of a service that reloads: reloaded',
      was,
      { container: running, ...left('reload') },
      {
        action: 'reload',
        reasons: ['deploy d1 did not finish its reload of this container (reload in place: app reload)'],
        reload: { command: ['app', 'reload'], record: JSON.stringify(recordOf(running.id, 'a')) },
      },
    ],
    [
      'reload of a service that no longer reloads: recreated',
      plain,
      { container: deployed(plain), ...left('reload') },
      { action: 'recreate', reasons: ['deploy d1 did not finish its reload of this container'] },
    ],
    [
      'stopped: started (it reads the files as written)',
      plain,
      { container: { ...deployed(plain), running: false, status: 'exited', exitCode: 1 }, ...left('recreate') },
      { action: 'start', reasons: ['not running (exited 1)'] },
    ],
  ])('%s', (_name, want, current, expected) => {
    expect(decide(want, current)).toEqual(expected);
  });
});

describe('decideService: a missing or corrupt rig.inputs label', () => {
  it.each([
    ['missing', undefined],
    ['not JSON', '{"def:image":'],
    ['not a map of strings', '{"def:image":1}'],
  ])('%s, other fingerprint: recreate "inputs changed" (never a reload it cannot prove)', (_name, label) => {
    const c = relabel({ [LABELS.inputs]: label });
    expect(decide(web({ conf: 'b' }), { container: c })).toEqual({ action: 'recreate', reasons: ['inputs changed'] });
    expect(decide(web({ conf: 'b' }), { container: c, record: recordOf(c.id, 'b') })).toEqual({
      action: 'recreate',
      reasons: ['inputs changed'],
    });
  });

  it('missing, same fingerprint: the fingerprint alone says current', () => {
    expect(decide(was, { container: relabel({ [LABELS.inputs]: undefined }) })).toEqual({
      action: 'none',
      reasons: [],
    });
  });
});

describe('decideService: reload records', () => {
  it('reloaded to what is wanted: none (its labels are older)', () => {
    expect(decide(web({ conf: 'b' }), { container: running, record: recordOf(running.id, 'b') })).toEqual({
      action: 'none',
      reasons: [],
    });
  });

  it('a record of another container (recreated since) is ignored', () => {
    expect(decide(web({ conf: 'b' }), { container: running, record: recordOf('other', 'b') }).action).toBe('reload');
  });

  it('a rollback of a reload-only change: the labels match, the record does not: reload back', () => {
    // created with a, reloaded to b, a wanted again (regressed once: 990b8ca; the labels alone said "current")
    const d = decide(was, { container: running, record: recordOf(running.id, 'b') });
    expect(d).toEqual({
      action: 'reload',
      reasons: ['app.conf changed (reload in place: app reload)'],
      reload: { command: ['app', 'reload'], record: JSON.stringify(recordOf(running.id, 'a')) },
    });
  });

  it('a rollback of a reload-only change whose service lost its reload: the record is not read (labels say current)', () => {
    expect(
      decide(web({ reload: false }), {
        container: deployed(web({ reload: false })),
        record: recordOf(running.id, 'b'),
      }),
    ).toEqual({ action: 'none', reasons: [] });
  });

  it('a reload-only change on a stopped container: recreate (a reload needs it running)', () => {
    expect(
      decide(web({ conf: 'b' }), { container: { ...running, running: false, status: 'exited', exitCode: 1 } }),
    ).toEqual({ action: 'recreate', reasons: ['app.conf changed'] });
  });

  it("takenInputs reads the label once, the record only when it is the container's own", () => {
    const own = takenInputs(running, recordOf(running.id, 'b'));
    expect(own.fingerprint).toBe(was.fingerprint);
    expect(own.inputs).toEqual({ ...own.created, ...recordOf(running.id, 'b').inputs });
    expect(takenInputs(running, recordOf('other', 'b'))).toMatchObject({ record: undefined, inputs: own.created });
  });
});
