// decideService, table-driven: the wanted service against the container's taken-in inputs (labels + reload record).
import { describe, expect, it } from 'vitest';
import { LABELS, type DesiredService } from '../../../src/compose/compose-desired.js';
import type { ServiceDecision } from '../../../src/compose/decide-service.js';
import { takenInputs } from '../../../src/compose/taken-inputs.js';
import type { Step, WriteStep } from '../../../src/core/plan-data/plan-types.js';
import type { ContainerState } from '../../../src/facts/containers/docker-state.js';
import { deployed, ID_A, ID_B } from './compose-fixtures.js';
import {
  decide,
  ENV,
  exited,
  gate,
  none,
  PIN_A,
  PIN_B,
  recordOf,
  relabel,
  reloadConf,
  running,
  unfinished,
  was,
  web,
  type Current,
} from './decide-fixtures.js';

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
      // docker reports a paused container as running (State.Running true, Status paused)
      'as deployed, paused: recreate (compose does not start a paused container)',
      was,
      { container: { ...running, running: true, status: 'paused' } },
      { action: 'recreate', reasons: ['paused (docker pause by hand?)'] },
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
