// The current-release read of a plan: the script run under sh on a real state dir, parsed as the full list is.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { render } from '../../src/core/cmd-render.js';
import { currentReleaseCmd, listReleasesCmd, parseReleaseList } from '../../src/engine/release-store.js';

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
  const base = { version: 1, id, createdAt: '2026-12-01T07:15:00.000Z', env: 'bench', host: 'h1', user: 'u', workstation: 'w' };
  return { ...base, git: null, planHash: 'p', kind: 'deploy', project: 'rig', projectDir: '/opt/rig', files: [], dirs: [], services: [], networks: [] };
}

const run = (cmd: ReturnType<typeof currentReleaseCmd>): string => execFileSync('sh', ['-c', render(cmd)], { encoding: 'utf8' });

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
