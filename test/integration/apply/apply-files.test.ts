// applyFiles over real sshd: exact bytes and attrs, round-trip counts, attrs-only changes, failures naming the path,
// sweeps.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplyFilesError } from '../../../src/apply/apply-files-error.js';
import { applyFiles, type FileWrite } from '../../../src/apply/apply-files.js';
import { applyStepsCmd, createUmask, type ApplyStep } from '../../../src/apply/apply-files-script.js';
import { parseStepStatus } from '../../../src/apply/apply-files-status.js';
import { planApplyRounds } from '../../../src/apply/apply-files-steps.js';
import { fileStateCmd, parseFileState } from '../../../src/facts/files/file-state.js';
import { run } from '../../../src/transport/run.js';
import type { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import type { TransportCounters } from '../../../src/transport/transport.js';
import { sshdUnavailable, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { useFleetTransport } from '../../helpers/sshd/use-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP apply-files: ${unavailable}`);

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const write = (p: string, content: string | Buffer, attrs: Partial<FileWrite> = {}): FileWrite => ({
  path: p,
  content: Buffer.from(content),
  contentChanged: true,
  ...attrs,
});

describe.skipIf(unavailable !== undefined)('applyFiles over ssh', () => {
  let fleet: SshdFleet;
  let t: SshTransport;
  let root: string;
  let n = 0;
  const fresh = async (): Promise<string> => {
    const d = path.join(root, `case-${++n}`);
    await mkdir(d);
    return d;
  };
  const delta = (before: TransportCounters) => ({
    exec: t.counters.execChannels - before.execChannels,
    sftp: t.counters.sftpChannels - before.sftpChannels,
    connections: t.counters.connections - before.connections,
  });
  const temps = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((f) => f.includes('.rig-tmp-'));

  useFleetTransport(1, { firstOctet: 62 }, (f, tr) => {
    fleet = f;
    t = tr;
  });
  beforeAll(async () => {
    root = path.join(fleet.dir, 'apply');
    await mkdir(root);
  });

  it('writes files byte-exact with mode and owner in 1 exec (content on its stdin), and the fact then reads the desired state', async () => {
    const dir = await fresh();
    await writeFile(path.join(dir, 'existing.conf'), 'old\n', { mode: 0o640 });
    const binary = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const files = [
      write(path.join(dir, 'app.env'), 'A=1\n', { mode: 0o600, owner: 'nobody', group: 'nogroup' }),
      write(path.join(dir, `we"ird 'na me'\n$(x) é`), binary, { mode: 0o755 }),
      write(path.join(dir, 'existing.conf'), 'new\n'),
      write(path.join(dir, 'empty'), '', { mode: 0o444, group: 'daemon' }),
    ];
    const before = t.counters;
    const started = Date.now();
    const result = await applyFiles(t, files, []);
    console.log(`apply of 4 files: ${JSON.stringify(delta(before))}, ${Date.now() - started} ms`);
    expect(delta(before)).toEqual({ exec: 1, sftp: 0, connections: 0 });
    expect(result).toEqual({ written: files.map((f) => f.path), attrsSet: [], dirsCreated: [] });
    for (const f of files) expect(sha(await readFile(f.path))).toBe(sha(f.content));
    const states = parseFileState(
      (await run(t, fileStateCmd(files.map((f) => f.path)))).stdout,
      files.map((f) => f.path),
    );
    expect(
      [...states.values()].map((s) => (s.kind === 'file' ? [s.mode.toString(8), s.owner, s.group] : s.kind)),
    ).toEqual([
      ['600', 'nobody', 'nogroup'],
      ['755', 'root', 'root'],
      ['640', 'root', 'root'], // no mode asked: the replaced file's is kept, not the 0600 of the upload
      ['444', 'root', 'daemon'],
    ]);
    expect(await temps(dir)).toEqual([]);
  });

  it('creates missing directories in the same exec and gives new files 0644 when no mode is asked', async () => {
    const dir = await fresh();
    const nested = path.join(dir, 'a b', 'c');
    const before = t.counters;
    const result = await applyFiles(
      t,
      [write(path.join(nested, 'x'), 'x\n')],
      [
        { path: path.join(dir, 'a b'), create: true, mode: 0o750, group: 'daemon' },
        { path: nested, create: true, mode: 0o700 },
      ],
    );
    expect(delta(before)).toEqual({ exec: 1, sftp: 0, connections: 0 });
    expect(result.dirsCreated).toEqual([path.join(dir, 'a b'), nested]);
    expect(((await stat(path.join(dir, 'a b'))).mode & 0o7777).toString(8)).toBe('750');
    expect((await stat(path.join(dir, 'a b'))).gid).toBe(1);
    expect(((await stat(nested)).mode & 0o7777).toString(8)).toBe('700');
    expect(((await stat(path.join(nested, 'x'))).mode & 0o7777).toString(8)).toBe('644');
  });

  it('changes attrs only in 1 exec, without uploading or replacing the file; nothing to do costs nothing', async () => {
    const dir = await fresh();
    const p = path.join(dir, 'keep');
    await writeFile(p, 'same\n', { mode: 0o644 });
    const inode = (await stat(p)).ino;
    const before = t.counters;
    const result = await applyFiles(
      t,
      [{ path: p, content: Buffer.from('ignored'), contentChanged: false, mode: 0o600, owner: 'daemon' }],
      [{ path: dir, create: false, mode: 0o711 }],
    );
    expect(delta(before)).toEqual({ exec: 1, sftp: 0, connections: 0 });
    expect(result).toEqual({ written: [], attrsSet: [p, dir], dirsCreated: [] });
    const st = await stat(p);
    expect([st.ino, st.mode & 0o7777, st.uid, await readFile(p, 'utf8')]).toEqual([inode, 0o600, 1, 'same\n']);
    expect((await stat(dir)).mode & 0o7777).toBe(0o711);
    const idle = t.counters;
    expect(await applyFiles(t, [], [])).toEqual({ written: [], attrsSet: [], dirsCreated: [] });
    await applyFiles(t, [{ path: p, content: Buffer.alloc(0), contentChanged: false }], []);
    expect(delta(idle)).toEqual({ exec: 0, sftp: 0, connections: 0 });
  });

  it('a failing chown names the path; earlier files are applied, later ones untouched, no temp is left', async () => {
    const dir = await fresh();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => path.join(dir, x)) as [string, string, string];
    await writeFile(c, 'old c\n');
    const err = await applyFiles(
      t,
      [write(a, 'new a\n'), write(b, 'new b\n', { owner: 'no-such-user' }), write(c, 'new c\n')],
      [],
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyFilesError);
    const e = err as ApplyFilesError;
    expect([e.host, e.path, e.what, e.code, e.done, e.notDone]).toEqual(['h1', b, 'chown', 3, [a], [b, c]]);
    expect(e.message.split('\n')[0]).toBe(
      `h1: cannot apply ${b}: chown failed (1 path(s) applied before it, 2 left unchanged)`,
    );
    expect(e.message.split('\n')[1]).toMatch(/^h1: command failed with exit code 3: \/bin\/sh -c /);
    expect(e.stderrTail).toContain("chown: invalid user: 'no-such-user'");
    expect(await readFile(a, 'utf8')).toBe('new a\n');
    expect(await readFile(c, 'utf8')).toBe('old c\n');
    expect(await readdir(dir)).toEqual(['a', 'c']);
  });

  it('refuses to rename over a directory; a missing parent fails the write naming the path and commits nothing', async () => {
    const dir = await fresh();
    await mkdir(path.join(dir, 'is-a-dir'));
    const err = (await applyFiles(t, [write(path.join(dir, 'is-a-dir'), 'x')], []).catch(
      (e: unknown) => e,
    )) as ApplyFilesError;
    expect([err.path, err.what]).toEqual([path.join(dir, 'is-a-dir'), 'rename']);
    expect((await stat(path.join(dir, 'is-a-dir'))).isDirectory()).toBe(true);
    const missing = path.join(dir, 'nope', 'f');
    const up = (await applyFiles(t, [write(path.join(dir, 'ok'), 'ok'), write(missing, 'x')], []).catch(
      (e: unknown) => e,
    )) as ApplyFilesError;
    expect(up).toBeInstanceOf(ApplyFilesError);
    expect([up.path, up.what, up.done, up.notDone]).toEqual([missing, 'temp', [], [path.join(dir, 'ok'), missing]]);
    expect(up.stderrTail).toMatch(/cannot create|No such file/);
    expect(await readdir(dir)).toEqual(['is-a-dir']);
  });

  describe('the processes a write costs the host', () => {
    // the host's chmod, sync and stat, each call logged, through a shim directory first in the exec's PATH
    const shimmed = async (dir: string): Promise<{ path: string; log: () => Promise<string[]> }> => {
      const shims = path.join(dir, '.shims');
      const log = path.join(dir, '.calls');
      await mkdir(shims);
      for (const tool of ['chmod', 'sync', 'stat']) {
        await writeFile(path.join(shims, tool), `#!/bin/sh\necho "${tool} $*" >>'${log}'\nexec /bin/${tool} "$@"\n`);
        await chmod(path.join(shims, tool), 0o755);
      }
      return {
        path: `${shims}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        log: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
      };
    };
    const runSteps = async (steps: readonly ApplyStep[], stdin: Buffer, PATH: string, argv?: string[]) => {
      const cmd = applyStepsCmd(steps);
      const r = await t.exec({ ...cmd, argv: argv ?? cmd.argv, env: { PATH } }, { stdin });
      return { code: r.code, status: parseStepStatus(r.stdout, steps).map((x) => x.outcome.status) };
    };
    const modeOf = async (p: string): Promise<string> => ((await stat(p)).mode & 0o7777).toString(8);

    it('creates each temp in its final mode where a umask gives it (no chmod), chmods the others, fsyncs the directories in one sync, judges them in one stat', async () => {
      const dir = await fresh();
      const sub = path.join(dir, 'sub');
      const sh = await shimmed(dir);
      const files = [
        write(path.join(dir, 'pub.conf'), 'p\n', { mode: 0o644 }),
        write(path.join(dir, 'app.env'), 'SECRET=1\n', { mode: 0o600 }),
        write(path.join(sub, 'grp.conf'), 'g\n', { mode: 0o640 }),
        write(path.join(sub, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 }),
        write(path.join(sub, 'ro.conf'), 'r\n', { mode: 0o444 }),
      ];
      const rounds = planApplyRounds(files, [{ path: sub, create: true, mode: 0o750 }]);
      const r = await runSteps(rounds.first, rounds.stdin, sh.path);
      expect(r.code).toBe(0);
      expect(r.status.every((x) => x === 'ok')).toBe(true);
      expect(await Promise.all(files.map((f) => modeOf(f.path)))).toEqual(['644', '600', '640', '755', '444']);
      const all = await sh.log();
      // the path guard: the mkdir's directory (dir), then, after the mkdir, both directories the writes go to in one
      // stat; then the temps' sizes and modes
      const stats = all.filter((c) => c.startsWith('stat'));
      expect(stats.map((c) => c.split(' -- ')[0])).toEqual([
        'stat -L -c %u %g %a %n',
        'stat -L -c %u %g %a %n',
        'stat -c %s %a',
      ]);
      expect(stats[1]?.split(' ')).toEqual(expect.arrayContaining([dir, sub]));
      const calls = all.filter((c) => !c.startsWith('stat'));
      // the new directory's mode, the temps no umask creates (x bits; a group that may read what others may not); then
      // one sync for the temps, one for the directories
      expect(calls.map((c) => c.replace(/\/\.(run\.sh|grp\.conf)\.rig-tmp-\w+/, '/.$1.rig-tmp-T'))).toEqual([
        `chmod -- 0750 ${sub}`,
        `chmod -- 0640 ${sub}/.grp.conf.rig-tmp-T`,
        `chmod -- 0755 ${sub}/.run.sh.rig-tmp-T`,
        expect.stringMatching(/^sync -- /),
        `sync -- ${dir} ${sub}`,
      ]);
      expect(calls[3]?.split(' ')).toHaveLength(2 + files.length);
      expect((await readdir(sub)).sort()).toEqual(['grp.conf', 'ro.conf', 'run.sh']);
    });

    it('chmods a temp that did not come out in the mode its umask was for (as a default ACL would make it)', async () => {
      const dir = await fresh();
      const sh = await shimmed(dir);
      const f = write(path.join(dir, 'pub.conf'), 'p\n', { mode: 0o644 });
      const rounds = planApplyRounds([f], []);
      const cmd = applyStepsCmd(rounds.first);
      // the write's umask argument (its step's 6th) replaced by 077: the temp is created 0600
      const at = cmd.argv.indexOf(createUmask(0o644) as string);
      expect(cmd.argv[at - 5]).toBe('W');
      const argv = cmd.argv.map((a, i) => (i === at ? '077' : a));
      const r = await runSteps(rounds.first, rounds.stdin, sh.path, argv);
      expect([r.code, r.status.every((x) => x === 'ok')]).toEqual([0, true]);
      expect(await modeOf(f.path)).toBe('644');
      expect((await sh.log()).filter((c) => c.startsWith('chmod'))).toEqual([
        expect.stringMatching(new RegExp(`^chmod -- 0644 ${dir}/\\.pub\\.conf\\.rig-tmp-\\w+$`)),
      ]);
    });

    it('a directory whose fsync fails fails its own step: the ones before are ok, the ones after skipped', async () => {
      const dir = await fresh();
      const sh = await shimmed(dir);
      const [a, b] = [path.join(dir, 'a'), path.join(dir, 'b')];
      await Promise.all([mkdir(a), mkdir(b)]);
      const steps: ApplyStep[] = [a, path.join(dir, 'gone'), b].map((p) => ({ kind: 'sync-dir', path: p }));
      const r = await runSteps(steps, Buffer.alloc(0), sh.path);
      expect(r).toEqual({ code: 3, status: ['ok', 'fail', 'skipped'] });
      // one sync for the three, then one by one up to the failing one
      expect((await sh.log()).filter((c) => c.startsWith('sync'))).toEqual([
        `sync -- ${a} ${dir}/gone ${b}`,
        `sync -- ${a}`,
        `sync -- ${dir}/gone`,
      ]);
    });
  });

  it('sweeps temps left by a killed run in the directories it writes to, and nothing else', async () => {
    const dir = await fresh();
    const stale = ['.app.env.rig-tmp-0123456789ab', '.other.rig-tmp-deadbeef0000'];
    for (const s of stale) await writeFile(path.join(dir, s), 'partial');
    await writeFile(path.join(dir, 'rig-tmp-lookalike'), 'keep');
    await applyFiles(t, [write(path.join(dir, 'app.env'), 'A=2\n')], []);
    expect((await readdir(dir)).sort()).toEqual(['app.env', 'rig-tmp-lookalike']);
  });
});
