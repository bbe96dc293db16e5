// applyFiles over real sshd: exact bytes and attrs, round-trip counts, attrs-only changes, failures naming the path,
// sweeps.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApplyFilesError } from '../../../src/apply/apply-files-error.js';
import { applyFiles, type FileWrite } from '../../../src/apply/apply-files.js';
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

  it('sweeps temps left by a killed run in the directories it writes to, and nothing else', async () => {
    const dir = await fresh();
    const stale = ['.app.env.rig-tmp-0123456789ab', '.other.rig-tmp-deadbeef0000'];
    for (const s of stale) await writeFile(path.join(dir, s), 'partial');
    await writeFile(path.join(dir, 'rig-tmp-lookalike'), 'keep');
    await applyFiles(t, [write(path.join(dir, 'app.env'), 'A=2\n')], []);
    expect((await readdir(dir)).sort()).toEqual(['app.env', 'rig-tmp-lookalike']);
  });
});
