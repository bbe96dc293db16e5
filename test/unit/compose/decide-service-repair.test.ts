// decideService when the plan writes back a file the container took in (drift repaired: kept, recreated or reloaded
// by the time of the host's copy against the container's start), and when a deploy that did not finish was to
// recreate or reload the container.
import { describe, expect, it } from 'vitest';
import type { DesiredService } from '../../../src/compose/compose-desired.js';
import type { ServiceDecision } from '../../../src/compose/decide-service.js';
import type { FileChange } from '../../../src/core/plan-data/file-change.js';
import type { Step, WriteStep } from '../../../src/core/plan-data/plan-types.js';
import type { ContainerState } from '../../../src/facts/containers/docker-state.js';
import { deployed, desiredOf, file, role, svc } from './compose-fixtures.js';
import {
  CONF,
  decide,
  ENV,
  exited,
  hostTimes,
  mount,
  none,
  recordOf,
  running,
  was,
  web,
  type Current,
} from './decide-fixtures.js';
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

  it('a file mounted on its own (the container keeps its inode): recreated, whenever it changed', () => {
    const single = '/srv/shop/app.conf';
    const op = svc('web', { image: 'app:1', mounts: [{ type: 'bind', source: single, target: '/etc/app.conf' }] });
    const want = desiredOf([role('web', [file(single, 'a'), op])]).services[0]!;
    expect(Object.keys(want.inputs)).toContain(`file:${single}`);
    const kept =
      'changed on the host; mounted as a single file, the container keeps the copy it started with (edited in place?): written back';
    expect(decide(want, { container: deployed(want) }, [rewrite(single, editedAfterStart)])).toEqual({
      action: 'recreate',
      reasons: [`app.conf ${kept}`],
    });
    expect(decide(want, { container: deployed(want) }, [rewrite(single, editedBeforeStart)])).toEqual({
      action: 'recreate',
      reasons: [`app.conf ${read}`],
    });
  });

  it('its entry in the compose file edited by hand: recreated when the container started at or after the edit', () => {
    const compose = '/srv/shop/compose.apps.yml';
    const entry = (modifiedAt: number, want: DesiredService = plain, more: Step[] = []): ServiceDecision =>
      decide(want, { container: deployed(want) }, [rewrite(compose, modifiedAt), ...more], { editedEntry: compose });
    expect(entry(editedBeforeStart)).toEqual({
      action: 'recreate',
      reasons: [
        'its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?): written back',
      ],
    });
    // created before the edit: it runs rig's entry, and the write-back is enough
    expect(entry(editedAfterStart)).toEqual(none);
    // a reload of its config written back still reloads, unless the container may run the edited entry
    expect(entry(editedAfterStart, was, [rewrite(CONF_FILE, editedAfterStart)])).toEqual(reloadIt(['app.conf']));
    expect(entry(editedBeforeStart, was, [rewrite(CONF_FILE, editedAfterStart)]).action).toBe('recreate');
    // drift reads the same host and writes nothing back: the same judgment, without "written back"
    const drift = (modifiedAt: number): ServiceDecision =>
      decide(plain, { container: deployed(plain) }, [], { editedEntry: compose, modifiedAt: () => modifiedAt });
    expect(drift(editedBeforeStart)).toEqual({
      action: 'recreate',
      reasons: [
        'its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?)',
      ],
    });
    expect(drift(editedAfterStart)).toEqual(none);
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
