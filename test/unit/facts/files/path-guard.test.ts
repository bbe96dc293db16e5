// path-guard's verdicts, judged by a real /bin/sh (and bash, where a host's sh is bash) on a real directory tree with
// real owners and modes: who may act on a path, one directory at a time and many in one batch, as root and as a
// non-root uid; and what a batch costs in programs (one stat, nothing else unless a non-root uid owns a directory).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUARD_SH } from '../../../../src/facts/files/path-guard.js';

const isRoot = process.getuid?.() === 0;
const hasSetpriv = existsSync('/usr/bin/setpriv');
const shells = ['/bin/sh', '/bin/bash'].filter((s) => existsSync(s));
const U = 1000;
const V = 1001;

/** Judges `dirs` one at a time (`rig_guard`) and all in one batch (`rig_guard_all`); one line per verdict. */
const JUDGE = `${GUARD_SH}
for d do rig_gn=0; rig_guard "$d"; printf 'one %s\\n' "$rig_id"; done
rig_gn=0
for d do rig_gn=$((rig_gn+1)); eval "rig_gk_$rig_gn=\\$d"; done
if rig_guard_all 1 "$rig_gn"; then
  k=1; while [ "$k" -le "$rig_gn" ]; do eval "printf 'all %s\\\\n' \\"\\$rig_gv_$k\\""; k=$((k+1)); done
else echo 'all fell back'; fi`;

describe.skipIf(!isRoot)('path guard on a real tree', () => {
  let base = '';
  let bin = '';
  const p = (rel: string): string => path.join(base, rel);

  /** Verdicts of `dirs` by `shell`, as this process's uid or (`uid`) through setpriv; programs run, counted. */
  const judge = (
    dirs: readonly string[],
    opts: { shell?: string; uid?: number } = {},
  ): { one: string[]; all: string[] | 'fell back'; programs: string } => {
    const log = path.join(bin, 'log');
    writeFileSync(log, '');
    chmodSync(log, 0o666); // written by the wrappers, also as the non-root uid
    const argv = [opts.shell ?? '/bin/sh', '-c', JUDGE, 'sh', ...dirs];
    const asUid =
      opts.uid === undefined ? [] : ['setpriv', `--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups'];
    const [cmd = '', ...args] = [...asUid, ...argv];
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: `${bin}:/usr/bin:/bin`, LOG: log },
    });
    const lines = out.split('\n').filter((l) => l !== '');
    const all = lines.filter((l) => l.startsWith('all ')).map((l) => l.slice(4));
    return {
      one: lines.filter((l) => l.startsWith('one ')).map((l) => l.slice(4)),
      all: all[0] === 'fell back' ? 'fell back' : all,
      programs: readFileSync(log, 'utf8'),
    };
  };

  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'rig-guard-'));
    chmodSync(base, 0o755);
    bin = mkdtempSync(path.join(tmpdir(), 'rig-guard-bin-'));
    chmodSync(bin, 0o755);
    // every program the guard may start, logged (one letter each) and run
    for (const [name, letter] of [
      ['stat', 's'],
      ['awk', 'a'],
      ['id', 'i'],
      ['readlink', 'r'],
    ] as const) {
      writeFileSync(path.join(bin, name), `#!/bin/sh\nprintf ${letter} >> "$LOG"\nexec /usr/bin/${name} "$@"\n`, {
        mode: 0o755,
      });
    }
    const dir = (rel: string, mode: number, uid = 0, gid = 0): void => {
      mkdirSync(p(rel));
      chownSync(p(rel), uid, gid);
      chmodSync(p(rel), mode);
    };
    dir('root', 0o755);
    dir('root/a', 0o700);
    dir('sticky', 0o1777);
    dir('sticky/sub', 0o755);
    symlinkSync(p('root'), p('sticky/lnk'));
    dir('open', 0o777);
    dir('open/in', 0o755);
    dir('group', 0o775, 0, 1234);
    dir('setgid', 0o2775, 0, 1234);
    dir('u', 0o755, U, U);
    dir('u/sub', 0o755, U, 1001);
    dir('u/rootsub', 0o755);
    dir('u/sub/open', 0o1777, U, 1002);
    symlinkSync(p('root'), p('u/lnk'));
    dir('ugroot', 0o755, U, 0);
    dir('two', 0o755, U, U);
    dir('two/inner', 0o755, V, V);
    dir('two2', 0o755, V, V);
    dir('two2/inner', 0o755, U, U);
    dir('sp ace', 0o755);
    dir('new\nline', 0o755);
    symlinkSync(p('root'), p('lnk'));
    symlinkSync(p('u'), p('lnk2'));
    symlinkSync(p('gone'), p('dangling'));
  });
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  /** Every kind of verdict, as root. */
  const cases = (): [string, string][] => [
    ['root', ''],
    ['root/a/b/c', ''], // a missing tail is judged by its last existing directory
    ['sticky/sub', ''], // a sticky directory above the last existing one is accepted
    ['sticky', `!${p('sticky')} is writable by others`], // but not as the last one
    ['sticky/missing/x', `!${p('sticky')} is writable by others`],
    ['sticky/lnk', `!${p('sticky/lnk')} is a symlink in a directory others can write`],
    ['open/in', `!${p('open')} is writable by others`],
    ['group', `!${p('group')} is writable by group 1234`],
    ['setgid', `!${p('setgid')} is writable by group 1234`],
    ['u', `${U}:${U}`],
    ['u/sub', `${U}:1001`], // the group of U's deepest directory
    ['u/rootsub', `${U}:${U}`],
    ['u/lnk', `${U}:${U}`], // judged by the literal path (U's) and where it leads (root's)
    ['u/sub/open', `!${p('u/sub/open')} is writable by others`],
    ['ugroot', `!its directory belongs to uid ${U} with group root`],
    ['two', `${U}:${U}`],
    ['two/inner', '!its directories belong to more than one user'],
    ['sp ace', ''],
    ['lnk', ''],
    ['lnk2/sub', `${U}:1001`],
  ];

  for (const shell of shells) {
    it(`${shell}: each verdict, alone and in one batch, with one stat for the batch and no awk`, () => {
      const c = cases();
      const r = judge(
        c.map(([rel]) => p(rel)),
        { shell },
      );
      const want = c.map(([, v]) => v);
      expect(r.one).toEqual(want);
      expect(r.all).toEqual(want);
      // alone: one stat per directory, an `id -u` (once per shell) for U's directories; the batch: one stat
      expect(r.programs.replace(/i/g, '')).toBe('s'.repeat(c.length + 1));
      expect(r.programs.split('i').length - 1).toBe(1);
    });
  }

  it('a directory with a newline in its path is refused alone; a batch holding it falls back to each alone', () => {
    const r = judge([p('root'), p('new\nline')]);
    expect(r.one).toEqual(['', '!cannot stat the directories of its path']);
    expect(r.all).toBe('fell back');
  });

  it('a dangling symlink cannot be resolved, and is refused naming it', () => {
    const r = judge([p('dangling/x')]);
    expect(r.one).toEqual([`!cannot resolve ${p('dangling')}`]);
  });

  it.skipIf(!hasSetpriv)('as a non-root uid: its own directories are its own, another uid is refused', () => {
    const dirs = ['u', 'root', 'two2/inner', 'two/inner', 'u/sub'].map(p);
    const r = judge(dirs, { uid: U });
    const want = [
      '',
      '',
      '!its directories belong to more than one user',
      '!its directories belong to more than one user',
      '',
    ];
    expect(r.one).toEqual(want);
    // the same in one batch, whatever the order (the uid of the shell, once known, changes no other verdict)
    expect(r.all).toEqual(want);
    const other = judge([p('two2')], { uid: U });
    expect(other.one).toEqual([`!its directories belong to uid ${V} and rig runs as uid ${U}`]);
  });
});
