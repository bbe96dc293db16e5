// Who-and-what of a deploy: the repository's commit and whether tracked files changed, from one real `git status`.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { gitState } from '../../../../src/cli/run/run-context-cli.js';

const git = (cwd: string, ...args: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd });

describe('gitState', () => {
  it('null outside git and before the first commit; the commit, then dirty once a tracked file changes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-git-'));
    expect(await gitState(dir)).toBeNull();
    await git(dir, 'init', '-q');
    expect(await gitState(dir)).toBeNull();
    writeFileSync(path.join(dir, 'a.txt'), 'a\n');
    await git(dir, 'add', 'a.txt');
    await git(dir, 'commit', '-qm', 'one');
    const head = (await git(dir, 'rev-parse', 'HEAD')).stdout;
    expect(await gitState(dir)).toEqual({ commit: head, dirty: false });
    writeFileSync(path.join(dir, 'untracked.txt'), 'u\n');
    expect(await gitState(dir)).toEqual({ commit: head, dirty: false });
    writeFileSync(path.join(dir, 'a.txt'), 'b\n');
    expect(await gitState(dir)).toEqual({ commit: head, dirty: true });
    await git(dir, 'add', 'a.txt');
    expect(await gitState(dir)).toEqual({ commit: head, dirty: true });
  });
});
