// The pure parts of applyFiles (no host needed): round planning, temp templates, status lines, argument encoding.
import { describe, expect, it } from 'vitest';
import { exec } from '../../../src/core/cmd/cmd.js';
import { applyStepsCmd, createUmask, modeText } from '../../../src/apply/apply-files-script.js';
import { parseStepStatus } from '../../../src/apply/apply-files-status.js';
import { planApplyRounds, type FileWrite } from '../../../src/apply/apply-files-steps.js';
import { tempFromTemplate, tempName, tempTemplateFor } from '../../../src/apply/apply-temp-name.js';

const f = (path: string, over: Partial<FileWrite> = {}): FileWrite => ({
  path,
  content: Buffer.from('x'),
  contentChanged: true,
  ...over,
});

describe('planApplyRounds', () => {
  it('a typical apply: one exec: sweep, write each temp from stdin, prepare them, commit, attrs, fsync of each parent', () => {
    const r = planApplyRounds(
      [
        f('/srv/a/x.env', { mode: 0o640, owner: 'app', content: Buffer.from('AB') }),
        f('/srv/a/y', { contentChanged: false, mode: 0o600 }),
        f('/srv/b/z', { content: Buffer.from('C') }),
      ],
      [],
    );
    expect(r.stdin.toString()).toBe('ABC');
    expect(r.checks).toEqual([]);
    expect(r.second(new Map())).toEqual([]);
    expect(r.first).toEqual([
      { kind: 'sweep', path: '/srv/a' },
      { kind: 'sweep', path: '/srv/b' },
      { kind: 'write', path: '/srv/a/x.env', template: '/srv/a/.x.env.rig-tmp-XXXXXXXXXXXX', size: 2, mode: 0o640 },
      { kind: 'write', path: '/srv/b/z', template: '/srv/b/.z.rig-tmp-XXXXXXXXXXXX', size: 1 },
      { kind: 'prepare', path: '/srv/a' },
      { kind: 'commit', path: '/srv/a/x.env', temp: { step: 2 }, attrs: { mode: 0o640, owner: 'app' } },
      { kind: 'attrs', path: '/srv/a/y', attrs: { mode: 0o600 } },
      { kind: 'commit', path: '/srv/b/z', temp: { step: 3 }, attrs: {} },
      { kind: 'sync-dir', path: '/srv/a' },
      { kind: 'sync-dir', path: '/srv/b' },
    ]);
  });

  it('creates directories in the same exec, before the writes', () => {
    const dirs = [{ path: '/srv/new', create: true, mode: 0o750 }];
    expect(planApplyRounds([f('/srv/new/x')], dirs).first.map((s) => s.kind)).toEqual([
      'mkdir',
      'sweep',
      'write',
      'prepare',
      'commit',
      'sync-dir',
      'sync-dir',
    ]);
    expect(planApplyRounds([], dirs).first.map((s) => s.kind)).toEqual(['mkdir', 'sync-dir']);
  });

  it('with a check: the first exec only writes, the second commits the temps the host reported', () => {
    const check = (p: string) => exec(['check', p]);
    const r = planApplyRounds([f('/srv/a/x', { validate: check }), f('/srv/a/y')], []);
    expect(r.first.map((s) => s.kind)).toEqual(['sweep', 'write', 'write', 'prepare']);
    expect(r.checks.map((c) => [c.path, c.write])).toEqual([['/srv/a/x', 1]]);
    const second = r.second(
      new Map([
        [1, '/srv/a/.x.rig-tmp-abcDEF012345'],
        [2, '/srv/a/.y.rig-tmp-000000000000'],
      ]),
    );
    expect(second).toEqual([
      { kind: 'commit', path: '/srv/a/x', temp: '/srv/a/.x.rig-tmp-abcDEF012345', attrs: {} },
      { kind: 'commit', path: '/srv/a/y', temp: '/srv/a/.y.rig-tmp-000000000000', attrs: {} },
      { kind: 'sync-dir', path: '/srv/a' },
    ]);
  });

  it('plans nothing at all when nothing changes', () => {
    const r = planApplyRounds([f('/a', { contentChanged: false })], []);
    expect([r.first, r.stdin.length, r.checks]).toEqual([[], 0, []]);
  });

  it.each([
    [[f('etc/x')], 'apply: "etc/x": path must be absolute'],
    [[f('/etc/x/')], 'without a trailing slash'],
    [[f('/x'), f('/x')], 'apply: "/x": listed twice'],
    [[f('/x', { mode: 0o10000 })], 'invalid mode 4096'],
    [[f('/x', { owner: 'a:b' })], 'invalid owner or group "a:b"'],
    [[f('/x', { group: '' })], 'invalid owner or group ""'],
  ])('refuses %j', (files, message) => {
    expect(() => planApplyRounds(files, [])).toThrow(message);
  });
});

describe('tempTemplateFor', () => {
  it('puts the temp beside the target, hidden, its random part filled in afresh for each command (no run id)', () => {
    expect(tempTemplateFor('/etc/app/x.conf')).toBe('/etc/app/.x.conf.rig-tmp-XXXXXXXXXXXX');
    expect(tempTemplateFor('/x')).toBe('/.x.rig-tmp-XXXXXXXXXXXX');
    expect(tempFromTemplate('/etc/app/.x.conf.rig-tmp-XXXXXXXXXXXX', 'aB3dE6gH9jK2')).toBe(
      '/etc/app/.x.conf.rig-tmp-aB3dE6gH9jK2',
    );
    expect(() => tempFromTemplate('/x.rig-tmp-XXXXXXXXXXXX', '../../etc/pw')).toThrow('unexpected temp suffix');
    const names = new Set(Array.from({ length: 50 }, () => tempName('/etc/app/.x.conf.rig-tmp-XXXXXXXXXXXX')));
    expect(names.size).toBe(50);
    for (const n of names) expect(n).toMatch(/^\/etc\/app\/\.x\.conf\.rig-tmp-[A-Za-z0-9]{12}$/);
    expect(() => tempName('/etc/app/x.conf')).toThrow('not a temp template');
  });

  it('keeps long names under NAME_MAX without splitting a character, distinct for a shared prefix', () => {
    const a = tempTemplateFor(`/d/${'é'.repeat(200)}a`);
    const b = tempTemplateFor(`/d/${'é'.repeat(200)}b`);
    expect(a).not.toBe(b);
    for (const p of [a, b]) {
      const base = p.slice(3);
      expect(Buffer.byteLength(base)).toBeLessThanOrEqual(255);
      expect(base).not.toContain('\uFFFD');
      expect(base).toMatch(/^\.é+~[0-9a-f]{8}\.rig-tmp-X{12}$/);
    }
  });
});

describe('parseStepStatus and the argument encoding', () => {
  const steps = planApplyRounds(
    [f('/a/x', { mode: 0o4755, owner: 'o', group: 'g' }), f('/a/y', { content: Buffer.from('yy') })],
    [],
  ).first;

  it('encodes six positional arguments per step after the step script, never touching the script text', () => {
    const c = applyStepsCmd(steps);
    // each build names its temps afresh (the random part filled in here, created exclusively by the host's shell)
    expect(applyStepsCmd(steps).argv[7 + 6]).not.toBe(c.argv[7 + 6]);
    expect(c.argv[3]).toBe('sh');
    expect(c.argv[4]).toContain('set -C');
    expect(c.argv.slice(5)).toEqual([
      'C',
      '/a',
      '',
      '',
      '',
      '',
      'W',
      '/a/x',
      expect.stringMatching(/^\/a\/\.x\.rig-tmp-[A-Za-z0-9]{12}$/),
      '1',
      '4755',
      '',
      'W',
      '/a/y',
      expect.stringMatching(/^\/a\/\.y\.rig-tmp-[A-Za-z0-9]{12}$/),
      '2',
      '',
      '',
      'Y',
      '/a',
      '',
      '',
      '',
      '',
      'F',
      '/a/x',
      '@1',
      '4755',
      'o',
      'g',
      'F',
      '/a/y',
      '@2',
      '',
      '',
      '',
      'S',
      '/a',
      '',
      '',
      '',
      '',
    ]);
    expect(modeText(0o7)).toBe('0007');
  });

  it('creates a temp under the umask of its mode only where the umask gives exactly that mode, else 0600', () => {
    const umasks = [0o644, 0o600, 0o640, 0o444, 0o400, 0o0, 0o755, 0o664, 0o666, 0o700, 0o4644, 0o1644].map(
      createUmask,
    );
    // 0640: the group may read what others may not, and a commit may give the file another group than the temp's
    expect(umasks).toEqual(['0133', '0177', undefined, '0333', '0377', '0777', ...Array(6).fill(undefined)]);
    const c = applyStepsCmd(planApplyRounds([f('/a/p', { mode: 0o644 }), f('/a/q', { mode: 0o640 })], []).first);
    // C, then W /a/p and W /a/q: the 6th argument of each write
    expect([c.argv[5 + 6 + 5], c.argv[5 + 12 + 5]]).toEqual(['0133', '']);
  });

  it('pairs status lines with steps; a missing line is unknown, noise is ignored, details are kept', () => {
    const r = parseStepStatus(
      '0 ok\n1 ok aB3dE6gH9jK2 1000\nchown: noise\n2 fail unsafe /x is writable by others\n3 ok\n4 fail chown as uid 1000\n5 skipped\n9 ok\n',
      steps,
    );
    expect(r.map((x) => x.outcome)).toEqual([
      { status: 'ok' },
      { status: 'ok', detail: 'aB3dE6gH9jK2 1000' },
      { status: 'fail', what: 'unsafe', detail: '/x is writable by others' },
      { status: 'ok' },
      { status: 'fail', what: 'chown', detail: 'as uid 1000' },
      { status: 'skipped' },
      { status: 'unknown' },
    ]);
  });
});
