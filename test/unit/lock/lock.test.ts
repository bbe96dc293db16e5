// The deploy lock's pure parts: holder messages, age/TTL arithmetic, parsing the script's output, new holders.
import { describe, expect, it } from 'vitest';
import { display } from '../../../src/core/cmd/render.js';
import { UserError } from '../../../src/core/errors/errors.js';
import { WRITE_GRACE_SEC } from '../../../src/lock/lock-info.js';
import { acquireCmd, breakCmd, parseLockOutput, releaseCmd, renewCmd } from '../../../src/lock/lock-script.js';
import {
  formatDuration,
  judgeLock,
  LockHeldError,
  newLockInfo,
  parseLockInfo,
  type LockInfo,
} from '../../../src/lock/lock.js';

const ALICE: LockInfo = {
  user: 'alice',
  workstation: 'laptop',
  pid: 4242,
  command: 'rig deploy --env prod',
  startedAt: '2026-12-01T07:10:00Z',
  ttlSec: 1800,
  token: '0123456789abcdef0123456789abcdef',
};
const RAW = JSON.stringify(ALICE);

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59, '59s'],
    [60, '1m00s'],
    [192, '3m12s'],
    [1608, '26m48s'],
    [3600, '1h00m'],
    [7501, '2h05m'],
    [86400 * 3 + 3600 * 4 + 59, '3d04h'],
    [-5, '0s'],
  ])('%d s is %s', (sec, text) => {
    expect(formatDuration(sec)).toBe(text);
  });
});

describe('judgeLock: stale means not renewed within the holder’s own lease, on the host clock', () => {
  it.each([
    [192, false],
    [1800, false],
    [1801, true],
    [-30, false],
  ])('age %d s with a 1800 s TTL: stale %s', (age, stale) => {
    expect(judgeLock(RAW, age)).toEqual({ info: ALICE, raw: RAW, ageSec: age, stale });
  });

  it('keeps the file identity it was read with (what a takeover of unreadable content checks)', () => {
    expect(judgeLock('junk', 9, '12:1764573000:5')).toMatchObject({
      info: undefined,
      stale: true,
      fileId: '12:1764573000:5',
    });
  });

  it('counts unparseable content as stale, but not an empty file that is being written', () => {
    expect(judgeLock('garbage', 1).stale).toBe(true);
    expect(judgeLock(JSON.stringify({ ...ALICE, pid: 'x' }), 1)).toMatchObject({ info: undefined, stale: true });
    expect(judgeLock('', WRITE_GRACE_SEC - 1).stale).toBe(false);
    expect(judgeLock('', WRITE_GRACE_SEC).stale).toBe(true);
  });

  it('reads a lock line with extra fields (a newer rig) as its holder', () => {
    expect(parseLockInfo(JSON.stringify({ ...ALICE, extra: 1 }))).toEqual(ALICE);
    expect(parseLockInfo('{"user":1}')).toBeUndefined();
  });

  it('reads both formats: a line of an earlier rig, and a version 2 line with its identities', () => {
    const v2 = {
      ...ALICE,
      ttlSec: 90,
      version: 2,
      workstationId: 'w'.repeat(32),
      pidStart: 'boot:123',
      deployId: 'abc',
    };
    expect(parseLockInfo(RAW)).toEqual(ALICE);
    expect(parseLockInfo(JSON.stringify(v2))).toEqual(v2);
  });
});

describe('LockHeldError', () => {
  const path = '/opt/app/.rig/lock';
  const V2: LockInfo = { ...ALICE, ttlSec: 90, version: 2 };

  it('names a live holder, when it renewed its lease and what to do: wait, or break it', () => {
    const e = new LockHeldError('web1', path, judgeLock(JSON.stringify(V2), 12));
    expect(e).toBeInstanceOf(UserError);
    expect([e.host, e.stale, e.holder]).toEqual(['web1', false, V2]);
    expect(e.message).toBe(
      'web1: deploy lock held by alice@laptop (pid 4242, "rig deploy --env prod", since 2026-12-01T07:10:00Z; renewed 12s ago, lease 1m30s): that deploy is running: wait for it and retry; if it is gone, the next run takes the lock over when its lease ends (in 1m18s), or rerun with --break-lock to break it now (it shows the holder and asks first; --yes in scripts)',
    );
  });

  it('says a lock of an earlier rig (no heartbeat) expires by its TTL, and how to break it', () => {
    const e = new LockHeldError('web1', path, judgeLock(RAW, 192));
    expect(e.message).toBe(
      'web1: deploy lock held by alice@laptop (pid 4242, "rig deploy --env prod", since 2026-12-01T07:10:00Z, 3m12s ago, by an earlier rig version; expires in 26m48s): wait for that deploy and retry; if it is gone, rerun with --break-lock to break it now (it shows the holder and asks first; --yes in scripts)',
    );
  });

  it('says an expired lease is taken over by the next deploy', () => {
    const e = new LockHeldError('web1', path, judgeLock(RAW, 7501));
    expect(e.stale).toBe(true);
    expect(e.message).toBe(
      'web1: expired deploy lock held by alice@laptop (pid 4242, "rig deploy --env prod", since 2026-12-01T07:10:00Z; not renewed for 2h05m, lease 30m00s): the next deploy takes it over',
    );
  });

  it('shows unparseable content raw, as expired', () => {
    const e = new LockHeldError('web1', path, judgeLock('not json\n\u001b[31m', 65));
    expect([e.holder, e.stale]).toEqual([undefined, true]);
    expect(e.message).toBe(
      'web1: deploy lock /opt/app/.rig/lock has unreadable content "not json\\n\\u001b[31m" (written 1m05s ago); it counts as expired: the next deploy takes it over',
    );
  });

  it('tells an empty, young lock file is another run taking it', () => {
    expect(new LockHeldError('web1', path, judgeLock('', 0)).message).toBe(
      'web1: deploy lock /opt/app/.rig/lock is being taken by another run (empty file, 0s ago); retry in a few seconds',
    );
  });

  it('keeps terminal escapes of a hostile holder off the screen', () => {
    const e = new LockHeldError(
      'web1',
      path,
      judgeLock(JSON.stringify({ ...ALICE, user: 'a\u009b2Jb', command: 'x\u202ey' }), 1),
    );
    expect(e.message).toContain('a?2Jb@laptop');
    expect(e.message).toContain('"x?y"');
  });
});

describe('parseLockOutput (recorded script output)', () => {
  it('reads a held report: age on the host clock, file identity, content', () => {
    expect(parseLockOutput(`held 192 1234:1764573000:190\n${RAW}\n`)).toEqual({
      brokenPath: undefined,
      held: { ageSec: 192, id: '1234:1764573000:190', raw: RAW },
    });
  });

  it('reads a broken line, with and without a held report after it', () => {
    expect(parseLockOutput('broken /s/lock.broken.1764573000.77\n')).toEqual({
      brokenPath: '/s/lock.broken.1764573000.77',
      held: undefined,
    });
    expect(parseLockOutput('broken /s/lock.broken.1.2\nheld 0 5:6:0\n\n').held).toEqual({
      ageSec: 0,
      id: '5:6:0',
      raw: '',
    });
  });

  it('keeps multi-line content whole and empty output means no lock', () => {
    expect(parseLockOutput('held -3 1:2:3\na\nb\n').held).toEqual({ ageSec: -3, id: '1:2:3', raw: 'a\nb' });
    expect(parseLockOutput('')).toEqual({ brokenPath: undefined, held: undefined });
  });

  it('refuses output it does not know', () => {
    expect(() => parseLockOutput('Welcome to the host!\n')).toThrow(/unexpected output of the lock script/);
  });
});

describe('newLockInfo and the commands', () => {
  it('takes the user from the environment, this machine and process (with its start identity), a fresh token', () => {
    const a = newLockInfo('rig deploy --env prod', 90, { USER: 'bob' }, { workstationId: 'ws1', deployId: 'd1' });
    const b = newLockInfo('rig deploy --env prod', 90, { USER: 'bob' });
    expect(a).toMatchObject({
      user: 'bob',
      pid: process.pid,
      command: 'rig deploy --env prod',
      ttlSec: 90,
      version: 2,
      workstationId: 'ws1',
      deployId: 'd1',
    });
    expect(a.pidStart).toMatch(/^[0-9a-f-]{36}:\d+$/);
    expect(a.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(a.token).toMatch(/^[0-9a-f]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect(() => newLockInfo('x', 0)).toThrow(/lease/);
    expect(() => newLockInfo('x', 1.5)).toThrow(/lease/);
  });

  it('passes the state dir, the identity and the token needle as positional args', () => {
    expect(display(acquireCmd('/opt/my app/.rig')).endsWith(" sh '/opt/my app/.rig'")).toBe(true);
    expect(display(breakCmd('/s', { fileId: '1:2:3' })).endsWith(" sh /s file 1:2:3 ''")).toBe(true);
    expect(display(breakCmd('/s', { token: 'abc' }, 90)).endsWith(` sh /s token '"token":"abc"' 90`)).toBe(true);
    expect(display(releaseCmd('/s', 'abc')).endsWith(` sh /s '"token":"abc"'`)).toBe(true);
    expect(display(renewCmd('/s', 'abc')).endsWith(` sh /s '"token":"abc"'`)).toBe(true);
  });
});
