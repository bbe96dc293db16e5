// The fence at the head of the script it guards, run by a real /bin/sh on a state dir: the script runs (with its own
// arguments, none of the fence's variables) only while the lock is the run's and renewed within its lease.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { and, exec, sh, type Cmd } from '../../../src/core/cmd/cmd.js';
import { render } from '../../../src/core/cmd/render.js';
import { fenced, FENCED_EXIT, isFenced } from '../../../src/lock/fence.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function stateDir(lock: string | undefined, ageSec = 0): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'rig-fence-'));
  dirs.push(d);
  if (lock !== undefined) {
    writeFileSync(path.join(d, 'lock'), lock);
    const t = Date.now() / 1000 - ageSec;
    utimesSync(path.join(d, 'lock'), t, t);
  }
  return d;
}

const line = (token: string): string => `${JSON.stringify({ user: 'u', token })}\n`;
const guarded = sh('printf "%s|%s|%s" "$#" "$*" "${rig_fl-unset}${rig_fc-}"', 'a b', '$c');

function run(dir: string, token = 'mine', cmd: Cmd = guarded) {
  const r = spawnSync('/bin/sh', ['-c', render(fenced({ stateDir: dir, token, leaseSec: 90 }, cmd))], {
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('fenced', () => {
  it('is one shell: the script runs with its own arguments and none of the fence variables', () => {
    expect(guarded.kind).toBe('exec');
    const r = run(stateDir(line('mine'), 10));
    expect(r).toEqual({ code: 0, stdout: '2|a b $c|unset', stderr: '' });
    expect(render(fenced({ stateDir: '/s', token: 't', leaseSec: 9 }, guarded)).match(/\/bin\/sh -c/g)).toHaveLength(1);
  });

  it.each([
    ['gone', undefined, 0, 'the deploy lock is gone (broken by someone?)'],
    ['taken over', line('theirs'), 0, 'the deploy lock was taken over by another run'],
    ['empty', '', 0, 'the deploy lock was taken over by another run'],
    ['expired', line('mine'), 200, "the deploy lock's lease expired (not renewed for 200s, lease 90s)"],
  ])('refuses a lock %s with FENCED_EXIT, the script not run', (_what, lock, age, why) => {
    const r = run(stateDir(lock, age));
    expect(r.code).toBe(FENCED_EXIT);
    expect(r.stdout).toBe('');
    expect(isFenced({ code: r.code, stderr: r.stderr })).toBe(true);
    expect(r.stderr.trim().replace(/for 20[01]s/, 'for 200s')).toBe(`rig-fence: ${why}`);
  });

  it('puts any other command behind the check (fence && command)', () => {
    const other = and(exec(['printf', 'x']), exec(['printf', 'y']));
    expect(run(stateDir(line('mine')), 'mine', other)).toMatchObject({ code: 0, stdout: 'xy' });
    expect(run(stateDir(line('theirs')), 'mine', other)).toMatchObject({ code: FENCED_EXIT, stdout: '' });
  });
});
