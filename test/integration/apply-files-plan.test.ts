// The pure parts of applyFiles (no host needed): round planning, temp names, status lines, argument encoding.
import { describe, expect, it } from 'vitest';
import { applyStepsCmd, modeText } from '../../src/engine/apply-files-script.js';
import { parseStepStatus } from '../../src/engine/apply-files-status.js';
import { planApplyRounds, type FileWrite } from '../../src/engine/apply-files-steps.js';
import { tempPathFor } from '../../src/engine/apply-temp-name.js';

const RUN = 'abcdef012345';
const f = (path: string, over: Partial<FileWrite> = {}): FileWrite => ({ path, content: Buffer.from('x'), contentChanged: true, ...over });

describe('planApplyRounds', () => {
  it('a typical apply: no pre-exec, one upload of temps at 0600, then sweep, commit, attrs, fsync of each parent', () => {
    const r = planApplyRounds([f('/srv/a/x.env', { mode: 0o640, owner: 'app' }), f('/srv/a/y', { contentChanged: false, mode: 0o600 }), f('/srv/b/z')], [], RUN);
    expect(r.pre).toEqual([]);
    expect(r.uploads.map((u) => [u.path, u.mode])).toEqual([
      ['/srv/a/.x.env.rig-tmp-abcdef012345', 0o600],
      ['/srv/b/.z.rig-tmp-abcdef012345', 0o600],
    ]);
    expect(r.main).toEqual([
      { kind: 'sweep', path: '/srv/a' },
      { kind: 'sweep', path: '/srv/b' },
      { kind: 'commit', path: '/srv/a/x.env', temp: '/srv/a/.x.env.rig-tmp-abcdef012345', attrs: { mode: 0o640, owner: 'app' } },
      { kind: 'attrs', path: '/srv/a/y', attrs: { mode: 0o600 } },
      { kind: 'commit', path: '/srv/b/z', temp: '/srv/b/.z.rig-tmp-abcdef012345', attrs: {} },
      { kind: 'sync-dir', path: '/srv/a' },
      { kind: 'sync-dir', path: '/srv/b' },
    ]);
  });

  it('creates directories before the upload only when there is an upload', () => {
    const dirs = [{ path: '/srv/new', create: true, mode: 0o750 }];
    const withUpload = planApplyRounds([f('/srv/new/x')], dirs, RUN);
    expect(withUpload.pre).toEqual([{ kind: 'mkdir', path: '/srv/new', attrs: { mode: 0o750 } }]);
    expect(withUpload.main.map((s) => s.kind)).toEqual(['sweep', 'commit', 'sync-dir', 'sync-dir']);
    const dirsOnly = planApplyRounds([], dirs, RUN);
    expect([dirsOnly.pre, dirsOnly.uploads, dirsOnly.main.map((s) => s.kind)]).toEqual([[], [], ['mkdir', 'sync-dir']]);
  });

  it('plans nothing at all when nothing changes', () => {
    expect(planApplyRounds([f('/a', { contentChanged: false })], [], RUN)).toEqual({ pre: [], uploads: [], main: [], checks: [] });
  });

  it.each([
    [[f('etc/x')], 'apply: "etc/x": path must be absolute'],
    [[f('/etc/x/')], 'without a trailing slash'],
    [[f('/x'), f('/x')], 'apply: "/x": listed twice'],
    [[f('/x', { mode: 0o10000 })], 'invalid mode 4096'],
    [[f('/x', { owner: 'a:b' })], 'invalid owner or group "a:b"'],
    [[f('/x', { group: '' })], 'invalid owner or group ""'],
  ])('refuses %j', (files, message) => {
    expect(() => planApplyRounds(files, [], RUN)).toThrow(message);
  });
});

describe('tempPathFor', () => {
  it('puts the temp beside the target, hidden, marked with the run id', () => {
    expect(tempPathFor('/etc/app/x.conf', RUN)).toBe('/etc/app/.x.conf.rig-tmp-abcdef012345');
    expect(tempPathFor('/x', RUN)).toBe('/.x.rig-tmp-abcdef012345');
  });

  it('keeps long names under NAME_MAX without splitting a character, distinct for a shared prefix', () => {
    const a = tempPathFor(`/d/${'é'.repeat(200)}a`, RUN);
    const b = tempPathFor(`/d/${'é'.repeat(200)}b`, RUN);
    expect(a).not.toBe(b);
    for (const p of [a, b]) {
      const base = p.slice(3);
      expect(Buffer.byteLength(base)).toBeLessThanOrEqual(255);
      expect(base).not.toContain('\uFFFD');
      expect(base).toMatch(/^\.é+~[0-9a-f]{8}\.rig-tmp-abcdef012345$/);
    }
  });
});

describe('parseStepStatus and the argument encoding', () => {
  const steps = planApplyRounds([f('/a/x', { mode: 0o4755, owner: 'o', group: 'g' }), f('/a/y')], [], RUN).main;

  it('encodes six positional arguments per step after the run id, never touching the script text', () => {
    const c = applyStepsCmd(RUN, steps);
    expect(c.argv.slice(3)).toEqual([
      'sh', RUN,
      'C', '/a', '', '', '', '',
      'F', '/a/x', '/a/.x.rig-tmp-abcdef012345', '4755', 'o', 'g',
      'F', '/a/y', '/a/.y.rig-tmp-abcdef012345', '', '', '',
      'S', '/a', '', '', '', '',
    ]);
    expect(modeText(0o7)).toBe('0007');
  });

  it('pairs status lines with steps; a missing line is unknown, noise is ignored', () => {
    const r = parseStepStatus('0 ok\nchown: noise\n1 fail chown\n2 skipped\n9 ok\n', steps);
    expect(r.map((x) => x.outcome)).toEqual([{ status: 'ok' }, { status: 'fail', what: 'chown' }, { status: 'skipped' }, { status: 'unknown' }]);
  });
});
