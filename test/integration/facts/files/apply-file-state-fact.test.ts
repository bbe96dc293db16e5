// The file-state fact over real sshd: one exec for many awkward paths, answers checked against the kernel's own stat.
import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { fileStateCmd, parseFileState } from '../../../../src/facts/files/file-state.js';
import { RemoteCommandError } from '../../../../src/core/errors/remote-errors.js';
import { run } from '../../../../src/transport/run.js';
import type { SshTransport } from '../../../../src/transport/ssh/ssh-transport.js';
import { sshdUnavailable, type SshdFleet } from '../../../helpers/sshd/sshd-fleet.js';
import { useFleetTransport } from '../../../helpers/sshd/use-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP apply-file-state-fact: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('file-state fact over ssh', () => {
  let fleet: SshdFleet;
  let t: SshTransport;

  useFleetTransport(1, { firstOctet: 61 }, (f, tr) => {
    fleet = f;
    t = tr;
  });

  it('reads 300 paths with awkward names in one exec, matching lstat and sha256 on disk', async () => {
    const root = path.join(fleet.dir, 'fact-tree');
    await mkdir(path.join(root, 'd ir\n2'), { recursive: true });
    const names = Array.from({ length: 100 }, (_, i) => `f ${i} 'q' "d" \\ $(x) \n é ${i % 7 === 0 ? ':' : ''}`);
    for (const [i, n] of names.entries())
      await writeFile(path.join(root, n), `content ${i}\n`, { mode: 0o600 + (i % 3) * 0o40 });
    await chown(path.join(root, names[1]!), 65534, 4242);
    await symlink(names[0]!, path.join(root, 'sym'));
    const paths = [
      ...names.map((n) => path.join(root, n)),
      ...names.map((n) => path.join(root, 'd ir\n2', n)),
      ...names.slice(0, 98).map((n) => path.join(root, 'nope', n)),
      path.join(root, 'd ir\n2'),
      path.join(root, 'sym'),
    ];
    const before = t.counters;
    const started = Date.now();
    const r = await run(t, fileStateCmd(paths));
    const ms = Date.now() - started;
    expect(t.counters.execChannels - before.execChannels).toBe(1);
    const states = parseFileState(r.stdout, paths);
    expect(states.size).toBe(300);
    for (const p of paths.slice(0, 100)) {
      const st = await lstat(p);
      const sha = createHash('sha256')
        .update(await readFile(p))
        .digest('hex');
      expect(states.get(p)).toMatchObject({
        kind: 'file',
        sha256: sha,
        size: st.size,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
      });
    }
    expect(states.get(paths[1]!)).toMatchObject({ owner: 'nobody', group: '4242' });
    expect(states.get(paths[0]!)).toMatchObject({ owner: 'root', group: 'root' });
    for (const p of paths.slice(100, 200)) expect(states.get(p)).toEqual({ kind: 'missing', parentDir: true });
    for (const p of paths.slice(200, 298)) expect(states.get(p)).toEqual({ kind: 'missing', parentDir: false });
    expect(states.get(paths[298]!)).toMatchObject({ kind: 'dir', mode: 0o755, owner: 'root' });
    expect(states.get(paths[299]!)).toEqual({ kind: 'other', type: 'symlink' });
    console.log(`file-state of 300 paths: 1 exec, ${ms} ms`);
  });

  it('fails with the host, the command and stat’s message when a path exists but cannot be read', async () => {
    // Root reads any file, so use one the kernel refuses to read: /proc/1/clear_refs is write-only (EINVAL). (Not
    // /proc/self: its canonical path is the pid of the process resolving it, gone when rig judges its directories.)
    const paths = ['/proc/1/clear_refs', path.join(fleet.dir, 'x')];
    const err = await run(t, fileStateCmd(paths)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    const e = err as RemoteCommandError;
    expect([e.host, e.code]).toEqual(['h1', 1]);
    expect(e.command).toMatch(/^\/bin\/sh -c /);
    expect(e.stderrTail).toMatch(/sha256sum: \/proc\/1\/clear_refs: Invalid argument/);
  });

  it('judges the directories of many files in one batch: each verdict stays with its own directory', async () => {
    // traversable by uid 12345 (the fleet's own dir is 0700), removed after
    const base = await mkdtemp(path.join(os.tmpdir(), 'rig-judged-'));
    onTestFinished(() => rm(base, { recursive: true, force: true }));
    await chmod(base, 0o755);
    const dirs = { root: `${base}/root`, owned: `${base}/owned`, open: `${base}/open`, odd: `${base}/new\nline` };
    for (const d of Object.values(dirs)) await mkdir(d, { recursive: true });
    await chown(dirs.owned, 12345, 54321);
    await chmod(dirs.open, 0o777);
    const files = [`${dirs.root}/a`, `${dirs.owned}/b`, `${dirs.root}/c`, `${dirs.open}/d`];
    for (const f of [...files, `${dirs.odd}/e`]) await writeFile(f, `${f}\n`);
    const sha = (f: string): string => createHash('sha256').update(`${f}\n`).digest('hex');
    // root's directory (hashed in the last section), uid 12345's (hashed as that uid), one others can write (refused)
    const r = await t.exec(fileStateCmd(files));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.slice(0, r.stdout.indexOf('--stat'))).toBe(`0:F\n1:U:${sha(files[1] ?? '')}\n2:F\n3:E\n`);
    expect(r.stderr.trim()).toBe(`rig: refusing to read ${dirs.open}/d: ${dirs.open} is writable by others`);
    const ok = files.slice(0, 3);
    const states = parseFileState((await run(t, fileStateCmd(ok))).stdout, ok);
    const digests = ok.map((f) => {
      const st = states.get(f);
      return st?.kind === 'file' ? st.sha256 : st?.kind;
    });
    expect(digests).toEqual(ok.map(sha));
    // a name that breaks stat's lines: the batch falls back to each directory alone, and only that one is refused
    const r2 = await t.exec(fileStateCmd([...ok, `${dirs.odd}/e`]));
    expect(r2.stdout.slice(0, r2.stdout.indexOf('--stat'))).toBe(`0:F\n1:U:${sha(files[1] ?? '')}\n2:F\n3:E\n`);
    expect(r2.stderr.trim()).toBe(`rig: refusing to read ${dirs.odd}/e: cannot stat the directories of its path`);
  });
});
