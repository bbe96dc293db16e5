// The release store's scripts run under sh on a real state dir: the current-release read of a plan (parsed as the
// full list is) and the release write's pruning of releases and blobs.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { render } from '../../../src/core/cmd/render.js';
import { releaseSchema } from '../../../src/release/release-schema.js';
import {
  currentReleaseCmd,
  listReleasesCmd,
  parseReleaseList,
  releaseWriteCmd,
} from '../../../src/release/release-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A state dir with releases `ids` (each a minimal record) and `current` holding `current` (raw bytes). */
function stateDir(ids: readonly string[], current?: string): string {
  const d = mkdtempSync(path.join(tmpdir(), 'rig-release-current-'));
  dirs.push(d);
  for (const id of ids) {
    mkdirSync(path.join(d, 'releases', id), { recursive: true });
    writeFileSync(path.join(d, 'releases', id, 'release.json'), `${JSON.stringify(record(id))}\n`);
  }
  if (current !== undefined) writeFileSync(path.join(d, 'releases', 'current'), current);
  return d;
}

function record(id: string) {
  const base = {
    version: 1,
    id,
    createdAt: '2026-12-01T07:15:00.000Z',
    env: 'bench',
    host: 'h1',
    user: 'u',
    workstation: 'w',
  };
  return {
    ...base,
    git: null,
    planHash: 'p',
    kind: 'deploy',
    project: 'rig',
    projectDir: '/opt/rig',
    files: [],
    dirs: [],
    services: [],
    networks: [],
  };
}

const run = (cmd: ReturnType<typeof currentReleaseCmd>): string =>
  execFileSync('sh', ['-c', render(cmd)], { encoding: 'utf8' });

describe('currentReleaseCmd', () => {
  const A = '20261201T071500Z-ab12';
  const B = '20261130T071500Z-cd34';

  it('prints the current id and its record only, parsed as the full list would give the current one', () => {
    const d = stateDir([A, B], `${B}\n`);
    const current = parseReleaseList(run(currentReleaseCmd(d)));
    const full = parseReleaseList(run(listReleasesCmd(d)));
    expect(current.current).toBe(B);
    expect(current.releases.map((r) => r.id)).toEqual([B]);
    expect(current.releases[0]).toEqual(full.releases.find((r) => r.id === B));
  });

  it('with idOnly, prints the current id alone, with shell builtins only (no process: an empty PATH)', () => {
    const d = stateDir([A, B], `${B}\n`);
    expect(parseReleaseList(run(currentReleaseCmd(d, true)))).toEqual({ current: B, releases: [] });
    const out = execFileSync('/bin/sh', ['-c', render(currentReleaseCmd(d, true))], {
      encoding: 'utf8',
      env: { PATH: '' },
    });
    expect(parseReleaseList(out)).toEqual({ current: B, releases: [] });
    expect(parseReleaseList(run(currentReleaseCmd(stateDir([A], '../../../etc\n'), true)))).toEqual({
      current: '../../../etc',
      releases: [],
    });
  });

  it('reads a current file without its newline', () => {
    const d = stateDir([A], A);
    expect(parseReleaseList(run(currentReleaseCmd(d))).releases.map((r) => r.id)).toEqual([A]);
  });

  it('gives no current release for no state, no current file, a current naming no kept release or a path', () => {
    expect(run(currentReleaseCmd('/nonexistent/rig-state'))).toBe('');
    expect(parseReleaseList(run(currentReleaseCmd(stateDir([A]))))).toEqual({ current: undefined, releases: [] });
    expect(parseReleaseList(run(currentReleaseCmd(stateDir([A], `${B}\n`))))).toEqual({ current: B, releases: [] });
    const escape = stateDir([A], '../../../etc\n');
    expect(parseReleaseList(run(currentReleaseCmd(escape))).releases).toEqual([]);
  });
});

describe('releaseWriteCmd pruning', () => {
  it('keeps the newest releases and exactly the blobs they list', () => {
    const d = stateDir([]);
    const blobs = path.join(d, 'releases', 'blobs');
    mkdirSync(blobs, { recursive: true });
    const sha = (c: string): string => c.repeat(64);
    writeFileSync(path.join(blobs, sha('d')), 'd'); // listed by no release
    // as a deploy does: its blobs land with its files, then the release that lists them is written
    const write = (id: string, files: string[]): void => {
      for (const c of files) writeFileSync(path.join(blobs, sha(c)), c);
      const rel = {
        ...record(id),
        files: files.map((c) => ({ role: 'r', path: `/x/${c}`, sha256: sha(c), sensitive: false })),
      };
      const { cmd, stdin } = releaseWriteCmd(d, releaseSchema.parse(rel), 2);
      execFileSync('sh', ['-c', render(cmd)], { input: stdin });
    };
    write('20261201T000000Z-0001', ['a', 'b']);
    expect(readdirSync(blobs).sort()).toEqual([sha('a'), sha('b')]);
    write('20261202T000000Z-0002', ['b', 'c']);
    expect(readdirSync(blobs).sort()).toEqual([sha('a'), sha('b'), sha('c')]);
    write('20261203T000000Z-0003', ['c']);
    expect(readdirSync(path.join(d, 'releases')).sort()).toEqual([
      '20261202T000000Z-0002',
      '20261203T000000Z-0003',
      'blobs',
      'current',
    ]);
    expect(readdirSync(blobs).sort()).toEqual([sha('b'), sha('c')]);
    // a release older than those kept (a workstation clock behind) stays besides the newest two: it is current
    write('20261130T000000Z-0000', ['e']);
    const kept = ['20261130T000000Z-0000', '20261202T000000Z-0002', '20261203T000000Z-0003'];
    expect(readdirSync(path.join(d, 'releases')).sort()).toEqual([...kept, 'blobs', 'current']);
    expect(readdirSync(blobs).sort()).toEqual([sha('b'), sha('c'), sha('e')]);
  });

  it('removes every unlisted blob with one rm, reading the lists with grep alone (programs counted)', () => {
    const d = stateDir(['20261201T000000Z-0001', '20261202T000000Z-0002']);
    const blobs = path.join(d, 'releases', 'blobs');
    mkdirSync(blobs, { recursive: true });
    const sha = (c: string): string => c.repeat(64);
    writeFileSync(path.join(d, 'releases', '20261201T000000Z-0001', 'blobs.txt'), `${sha('a')}\n${sha('b')}\n`);
    writeFileSync(path.join(d, 'releases', '20261202T000000Z-0002', 'blobs.txt'), '');
    // listed (a, b, c), unlisted (d, e, a name with a space: a killed deploy's leftovers), and a hidden file
    for (const name of ['a', 'b', 'c', 'd', 'e'].map(sha).concat(['x y', '.hidden'])) {
      writeFileSync(path.join(blobs, name), name);
    }
    const bin = mkdtempSync(path.join(tmpdir(), 'rig-release-bin-'));
    dirs.push(bin);
    const log = path.join(bin, 'log');
    for (const p of ['mkdir', 'mv', 'rm', 'grep', 'cat', 'sort', 'ls']) {
      writeFileSync(path.join(bin, p), `#!/bin/sh\necho ${p} >> ${log}\nexec /bin/${p} "$@"\n`, { mode: 0o755 });
    }
    writeFileSync(log, '');
    const rel = {
      ...record('20261203T000000Z-0003'),
      files: [{ role: 'r', path: '/x/c', sha256: sha('c'), sensitive: false }],
    };
    const { cmd, stdin } = releaseWriteCmd(d, releaseSchema.parse(rel), 2);
    execFileSync('/bin/sh', ['-c', render(cmd)], { input: stdin, env: { PATH: `${bin}:/usr/bin:/bin` } });
    expect(readdirSync(path.join(d, 'releases')).sort()).toEqual([
      '20261202T000000Z-0002',
      '20261203T000000Z-0003',
      'blobs',
      'current',
    ]);
    expect(readdirSync(blobs).sort()).toEqual(['.hidden', sha('c')]);
    // the release: mkdir, two renames; the pruned release: rm -rf; the blobs: one grep, one rm
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['mkdir', 'mv', 'mv', 'rm', 'grep', 'rm']);
  });

  it('removes the images only pruned releases ran, when untagged, with docker image rm (never forced)', () => {
    const d = stateDir([]);
    const img = (c: string): string => `sha256:${c.repeat(64)}`;
    const bin = mkdtempSync(path.join(tmpdir(), 'rig-release-docker-'));
    dirs.push(bin);
    const log = path.join(bin, 'log');
    // a docker that answers `image inspect` with each id and its tag count (e is tagged), and logs its calls
    writeFileSync(
      path.join(bin, 'docker'),
      `#!/bin/sh\necho "docker $*" >> ${log}\n[ "$1 $2" = "image inspect" ] || exit 0\nshift 5\nfor i do case $i in *eeee*) echo "$i 1" ;; *) echo "$i 0" ;; esac; done\n`,
      { mode: 0o755 },
    );
    writeFileSync(log, '');
    const service = (name: string, imageId: string) => ({
      role: 'r',
      name,
      phase: 'apps',
      spec: { image: `reg/app@sha256:${'f'.repeat(64)}` },
      gate: {},
      requested: 'reg/app:1',
      imageId,
      fingerprint: 'f',
    });
    const write = (id: string, images: string[]): void => {
      const rel = { ...record(id), services: images.map((c, i) => service(`s${i}`, img(c))) };
      const { cmd, stdin } = releaseWriteCmd(d, releaseSchema.parse(rel), 2);
      execFileSync('/bin/sh', ['-c', render(cmd)], { input: stdin, env: { PATH: `${bin}:/usr/bin:/bin` } });
    };
    const calls = (): string[] => readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
    write('20261201T000000Z-0001', ['a', 'b', 'e']);
    write('20261202T000000Z-0002', ['b', 'c']);
    expect(calls()).toEqual([]);
    // 0001 is pruned: a and e ran in it only; b is kept by 0002; e has a tag, so only a goes
    write('20261203T000000Z-0003', ['c', 'd']);
    expect(calls()).toEqual([
      `docker image inspect --format {{.Id}} {{len .RepoTags}} -- ${img('a')} ${img('e')}`,
      `docker image rm -- ${img('a')}`,
    ]);
    writeFileSync(log, '');
    // 0002 is pruned: b only ran there; c is still current
    write('20261204T000000Z-0004', ['c', 'd']);
    expect(calls()).toEqual([
      `docker image inspect --format {{.Id}} {{len .RepoTags}} -- ${img('b')}`,
      `docker image rm -- ${img('b')}`,
    ]);
    writeFileSync(log, '');
    // the pruned release ran what the kept ones run: no docker call at all
    write('20261205T000000Z-0005', ['c', 'd']);
    expect(calls()).toEqual([]);
  });
});
