// The deploy lock and the journal against a real sshd: fail fast, lease takeover, renewal, fencing, token-checked
// release, races, redaction.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/core/cmd/cmd.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { readJournal } from '../../../src/journal/journal-read.js';
import { appendJournal, JournalBuffer } from '../../../src/journal/journal.js';
import { execHost, gather } from '../../../src/facts/gather.js';
import { fileStateFact } from '../../../src/facts/files/file-state.js';
import { lockStateFact } from '../../../src/facts/deploy-state/lock-state.js';
import { fencedTransport } from '../../../src/lock/fence.js';
import { startHeartbeat } from '../../../src/lock/lock-lease.js';
import {
  acquireLock,
  LockHeldError,
  newLockInfo,
  readLock,
  releaseLock,
  renewLock,
  type LockInfo,
} from '../../../src/lock/lock.js';
import { run } from '../../../src/transport/run.js';
import { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { connectTo, fleetOptions } from '../../helpers/sshd/connect.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { ensureSudoUser, startFleetForUser } from '../../helpers/sshd/sudo-user.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP lock-journal: ${unavailable}`);

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh state dir that does not exist yet (acquire and append create it). */
function freshStateDir(): string {
  const base = mkdtempSync(path.join(os.tmpdir(), 'rig-lockj-'));
  tempDirs.push(base);
  return path.join(base, 'app', '.rig');
}

function holder(user: string, ttlSec = 1800): LockInfo {
  return newLockInfo(`rig deploy --env test # ${user}`, ttlSec, { USER: user });
}

async function rejection(p: Promise<unknown>): Promise<LockHeldError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LockHeldError);
  return err as LockHeldError;
}

describe.skipIf(unavailable !== undefined)('deploy lock and journal over ssh', () => {
  let fleet: SshdFleet;
  let t: SshTransport;
  let t2: SshTransport;

  beforeAll(async () => {
    fleet = await startSshdFleet(1, { firstOctet: 93 });
    [t, t2] = await Promise.all([connectTo(fleet, fleet.hosts[0]!), connectTo(fleet, fleet.hosts[0]!)]);
  });
  afterAll(async () => {
    await Promise.all([t?.close(), t2?.close()]);
    await fleet?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && fleet) console.error(await fleet.logs());
  });

  it('acquires in one exec (dir 0700, file 0600), fails fast for a second holder, and is free again after release', async () => {
    const dir = freshStateDir();
    const before = t.counters.execChannels;
    const alice = await acquireLock(t, dir, holder('alice'));
    expect(t.counters.execChannels - before).toBe(1);
    expect(alice).toEqual({ host: 'h1', path: `${dir}/lock`, info: alice.info });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(`${dir}/lock`).mode & 0o777).toBe(0o600);

    const started = Date.now();
    const err = await rejection(acquireLock(t2, dir, holder('bob')));
    expect(Date.now() - started).toBeLessThan(2000);
    expect([err.host, err.stale, err.holder]).toEqual(['h1', false, alice.info]);
    expect(err.message).toMatch(
      new RegExp(
        `^h1: deploy lock held by alice@\\S+ \\(pid ${process.pid}, "rig deploy --env test # alice", since \\S+; renewed \\d+s ago, lease 30m00s\\): that deploy is running: wait for it and retry; if it is gone, .* or rerun with --break-lock`,
      ),
    );
    expect(await readLock(t2, dir)).toMatchObject({ info: alice.info, stale: false });
    // the same read as a fact of a planning batch (run in place by the batch, exits 0 either way)
    const facts = { lock: lockStateFact(dir), after: fileStateFact([dir]) };
    const inBatch = async () => (await gather(execHost(t2, false), facts)).lock;
    expect(await inBatch()).toMatchObject({ info: alice.info, stale: false });

    expect(await releaseLock(t, alice)).toBe('released');
    expect(await readLock(t, dir)).toBeUndefined();
    expect(await inBatch()).toBeUndefined();
    expect(await releaseLock(t, alice)).toBe('missing');
    const bob = await acquireLock(t2, dir, holder('bob'));
    expect(bob.info.user).toBe('bob');
  });

  it('a full disk: the acquire says so and leaves neither a lock nor a temp; with room again it takes the lock', async () => {
    // a 16 KiB tmpfs, filled (root, as CI runs; the sshd hosts run on this machine and see it)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-lockfull-'));
    tempDirs.push(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k,mode=0700', 'tmpfs', dir]);
    try {
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${dir}/fill`, 'bs=1k'], { stdio: 'ignore' });
      } catch {
        // dd stops when the disk is full: what it is for
      }
      const err = await acquireLock(t, dir, holder('alice')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(
        new RegExp(`^h1: command failed with exit code 1: rig's script taking the deploy lock ${dir}/lock\\n`),
      );
      expect((err as Error).message).toContain(
        `rig: cannot write the deploy lock in ${dir}: cat: write error: No space left on device`,
      );
      expect(readdirSync(dir)).toEqual(['fill']);
      rmSync(`${dir}/fill`);
      const alice = await acquireLock(t, dir, holder('alice'));
      expect((await readLock(t2, dir))?.info).toEqual(alice.info);
      expect(readdirSync(dir)).toEqual(['lock']);
      expect(statSync(`${dir}/lock`).mode & 0o777).toBe(0o600);
    } finally {
      execFileSync('umount', [dir]);
    }
  });

  it('takes over an expired lease at once, reporting the old holder; the old holder can then neither renew nor release it', async () => {
    const dir = freshStateDir();
    const old = await acquireLock(t, dir, holder('alice', 60));
    await run(t, sh('touch -d "2 hours ago" -- "$1"', old.path));
    const stale = await readLock(t, dir);
    expect(stale?.stale).toBe(true);
    expect(stale?.ageSec).toBeGreaterThanOrEqual(7200);

    const bob = await acquireLock(t2, dir, holder('bob'));
    expect(bob.took).toMatchObject({ reason: 'expired', previous: old.info });
    expect(bob.took?.ageSec).toBeGreaterThanOrEqual(7200);
    expect(bob.took?.movedTo).toMatch(new RegExp(`^${dir}/lock\\.broken\\.\\d+\\.\\d+$`));
    expect(readdirSync(dir).filter((f) => f.startsWith('lock.broken.'))).toEqual([path.basename(bob.took!.movedTo)]);
    expect((await readLock(t, dir))?.info?.token).toBe(bob.info.token);

    // The old holder comes back: it cannot renew, its fenced commands are refused, its release leaves bob's lock.
    expect(await renewLock(t, old)).toBe('foreign');
    const fenced = fencedTransport(t, { stateDir: dir, token: old.info.token, leaseSec: 60 }, false);
    await expect(fenced.exec(sh('touch -- "$1/changed"', dir))).rejects.toThrow(
      /^h1: the deploy lock was taken over by another run: this run stops here/,
    );
    expect(existsSync(`${dir}/changed`)).toBe(false);
    expect(await releaseLock(t, old)).toBe('foreign');
    expect((await readLock(t, dir))?.info?.token).toBe(bob.info.token);
  });

  it('renewing keeps a lease alive; a fenced command runs only under a live lease of its own', async () => {
    const dir = freshStateDir();
    const alice = await acquireLock(t, dir, holder('alice', 30));
    const fence = { stateDir: dir, token: alice.info.token, leaseSec: 30 };
    expect((await fencedTransport(t, fence, false).exec(sh('echo ran'))).stdout).toBe('ran\n');
    await run(t, sh('touch -d "1 hour ago" -- "$1"', alice.path));
    await expect(fencedTransport(t, fence, false).exec(sh('echo ran'))).rejects.toThrow(
      /lease expired \(not renewed for \d+s, lease 30s\)/,
    );
    expect(await renewLock(t, alice)).toBe('renewed');
    expect((await readLock(t2, dir))?.stale).toBe(false);
    await rejection(acquireLock(t2, dir, holder('bob')));
    expect((await fencedTransport(t, fence, false).exec(sh('echo ran'))).stdout).toBe('ran\n');
    expect(await releaseLock(t, alice)).toBe('released');
    expect(await renewLock(t, alice)).toBe('missing');
    await expect(fencedTransport(t, fence, false).exec(sh('echo ran'))).rejects.toThrow(/the deploy lock is gone/);
  });

  it("takes over the live-looking lock of a dead process of this workstation at once, never another workstation's", async () => {
    const dir = freshStateDir();
    const dead = execFileSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).trim();
    const mine = { ...holder('ghost'), workstationId: 'ws-here', pid: Number(dead), pidStart: 'gone:1' };
    await acquireLock(t, dir, mine);
    const other = await rejection(acquireLock(t2, dir, holder('bob'), { workstationId: 'ws-elsewhere' }));
    expect(other.holder?.token).toBe(mine.token);
    const alive = { ...holder('carol'), workstationId: 'ws-here' };
    const bob = await acquireLock(t2, dir, holder('bob'), { workstationId: 'ws-here' });
    expect(bob.took).toMatchObject({ reason: 'holder-gone', previous: mine });
    // a holder of this workstation whose process runs (this test) keeps its lock
    await releaseLock(t2, bob);
    await acquireLock(t, dir, alive);
    await rejection(acquireLock(t2, dir, holder('dave'), { workstationId: 'ws-here' }));
  });

  it('--break-lock breaks exactly the holder that was confirmed', async () => {
    const dir = freshStateDir();
    const alice = await acquireLock(t, dir, holder('alice'));
    await rejection(acquireLock(t2, dir, holder('bob'), { breakHolder: { token: 'f'.repeat(32) } }));
    const bob = await acquireLock(t2, dir, holder('bob'), { breakHolder: { token: alice.info.token } });
    expect(bob.took).toMatchObject({ reason: 'broken', previous: alice.info });
  });

  it('leaves the lock in place on a release with a foreign token', async () => {
    const dir = freshStateDir();
    const alice = await acquireLock(t, dir, holder('alice'));
    expect(await releaseLock(t2, { ...alice, info: { ...alice.info, token: 'f'.repeat(32) } })).toBe('foreign');
    expect((await readLock(t, dir))?.info).toEqual(alice.info);
  });

  it('treats unreadable content as expired: taken over, with no holder to report', async () => {
    const dir = freshStateDir();
    await run(t, sh('mkdir -p -- "$1" && printf "half-written\\n" > "$1/lock"', dir));
    const seen = await readLock(t, dir);
    expect([seen?.info, seen?.stale, seen?.raw]).toEqual([undefined, true, 'half-written']);
    const bob = await acquireLock(t, dir, holder('bob'));
    expect([bob.took?.reason, bob.took?.previous, typeof bob.took?.movedTo]).toEqual(['expired', undefined, 'string']);
  });

  it('lets exactly one of two concurrent acquirers win, also when both take over the same expired lock', async () => {
    for (let round = 0; round < 16; round++) {
      const dir = freshStateDir();
      const breaking = round % 2 === 1;
      if (breaking) {
        await acquireLock(t, dir, holder('ghost', 1));
        await run(t, sh('touch -d "1 hour ago" -- "$1/lock"', dir));
      }
      const results = await Promise.allSettled([
        acquireLock(t, dir, holder('alice')),
        acquireLock(t2, dir, holder('bob')),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const loser: unknown = lost[0]!.reason;
      expect(loser).toBeInstanceOf(LockHeldError);
      const winner = won[0]!.value;
      expect((await readLock(t, dir))?.info?.token).toBe(winner.info.token);
      expect((loser as LockHeldError).holder?.token).toBe(winner.info.token);
      if (breaking) expect(readdirSync(dir).filter((f) => f.startsWith('lock.broken.'))).toHaveLength(1);
      expect(readdirSync(dir)).not.toContain('lock.guard');
    }
  });

  it('the heartbeat renews every third of the lease; stretched (an exec that ends the run was sent), two thirds after the last renewal', async () => {
    const dir = freshStateDir();
    const renewals = (since: number) => t.counters.execChannels - since;
    const until = async (ms: number, done: () => boolean): Promise<void> => {
      const end = Date.now() + ms;
      while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    };
    // a 6 s lease: a renewal every 2 s
    const asked = Date.now();
    const held = await acquireLock(t, dir, holder('carol', 6));
    let base = t.counters.execChannels;
    const plain = startHeartbeat(t, held, false, asked);
    await until(8000, () => renewals(base) >= 1);
    await plain.stop();
    expect(renewals(base)).toBeGreaterThanOrEqual(1);
    expect(plain.lost).toBeUndefined();

    const asked2 = Date.now();
    await run(t, sh('touch -c -- "$1"', held.path));
    base = t.counters.execChannels;
    const stretched = startHeartbeat(t, held, false, asked2);
    stretched.stretch();
    // no renewal before two thirds of the lease (4 s) after the last one: timers fire late, never early
    await new Promise((r) => setTimeout(r, asked2 + 3000 - Date.now()));
    expect(renewals(base)).toBe(0);
    await until(10_000, () => renewals(base) >= 1);
    await stretched.stop();
    expect(renewals(base)).toBeGreaterThanOrEqual(1);
    expect(stretched.lost).toBeUndefined();
    expect(await releaseLock(t, held)).toBe('released');
  });

  it('appends batches from two connections at once without losing or mixing lines; file 0600', async () => {
    const dir = freshStateDir();
    const batch = (who: string, n: number): string[] =>
      Array.from({ length: 5 }, (_, i) =>
        JSON.stringify({
          ts: `2026-12-01T07:10:0${i}Z`,
          event: 'files.changed',
          env: 'test',
          host: 'h1',
          deployId: `${who}-${n}`,
          user: who,
          i,
          pad: 'x'.repeat(300),
        }),
      );
    const before = t.counters.execChannels;
    await Promise.all(
      Array.from({ length: 10 }, (_, n) => [
        appendJournal(t, dir, batch('alice', n)),
        appendJournal(t2, dir, batch('bob', n)),
      ]).flat(),
    );
    expect(t.counters.execChannels - before).toBe(10);
    const raw = (await run(t, sh('cat -- "$1/journal.jsonl"', dir))).stdout;
    const lines = raw.trimEnd().split('\n');
    expect(lines).toHaveLength(100);
    for (const l of lines) expect(() => JSON.parse(l) as unknown).not.toThrow();
    // Each batch's five lines sit together, in order: a batch is one write.
    for (let k = 0; k < lines.length; k += 5) {
      const ids = lines.slice(k, k + 5).map((l) => JSON.parse(l) as { deployId: string; i: number });
      expect(new Set(ids.map((x) => x.deployId)).size).toBe(1);
      expect(ids.map((x) => x.i)).toEqual([0, 1, 2, 3, 4]);
    }
    expect(statSync(`${dir}/journal.jsonl`).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.startsWith('.journal.'))).toEqual([]);
    const events = await readJournal(t, dir);
    expect([events.length, events.malformed]).toEqual([100, 0]);
  });

  it('never lets a secret reach the remote journal, and reads back skipping malformed lines', async () => {
    const dir = freshStateDir();
    const token = 'sk-live-9f8e7d6c5b4a';
    const buf = new JournalBuffer(new Redactor([token]));
    const base = { env: 'test', host: 'h1', deployId: 'd-1', user: 'alice' };
    buf.add({
      ts: '2026-12-01T07:10:00Z',
      event: 'deploy.started',
      ...base,
      command: `rig deploy --extra-vars api_key=${token}`,
    });
    buf.add({ ts: '2026-12-01T07:10:09Z', event: 'deploy.failed', ...base, summary: `compose said: bad key ${token}` });
    await appendJournal(t, dir, buf.drain());
    await run(t, sh('printf "%s\\n" "{torn line" >> "$1/journal.jsonl"', dir));
    const grep = await t.exec(sh('grep -c -F -e "$2" -- "$1/journal.jsonl"', dir, token.slice(0, 12)));
    expect([grep.code, grep.stdout.trim()]).toEqual([1, '0']);
    const text = (await run(t, sh('cat -- "$1/journal.jsonl"', dir))).stdout;
    expect(text).not.toContain(token);
    expect(text).toContain('api_key=***');

    const all = await readJournal(t, dir);
    expect([all.map((e) => e.event), all.malformed]).toEqual([['deploy.started', 'deploy.failed'], 1]);
    const last = await readJournal(t, dir, { limit: 2 });
    expect([last.map((e) => e.event), last.malformed]).toEqual([['deploy.failed'], 1]);
    const none = await readJournal(t, freshStateDir());
    expect([none.length, none.malformed]).toEqual([0, 0]);
  });
});

const USER = 'riglock';
const noBecome =
  unavailable ??
  (process.getuid?.() !== 0
    ? 'needs root to create a sudo user'
    : !existsSync('/usr/bin/sudo')
      ? 'sudo not installed'
      : undefined);
if (noBecome !== undefined) console.warn(`SKIP lock-journal become: ${noBecome}`);

describe.skipIf(noBecome !== undefined)('lock and journal with become, as a non-root login user', () => {
  let fleet: SshdFleet;
  let t: SshTransport;

  beforeAll(async () => {
    // its own user name: the suites run in parallel
    ensureSudoUser(USER);
    fleet = await startFleetForUser(1, 94);
    const h = fleet.hosts[0]!;
    t = await SshTransport.connect(
      { name: h.name, host: h.address, port: h.port, user: USER, identityFiles: [fleet.clientKey.path] },
      fleetOptions(fleet),
    );
  });
  afterAll(async () => {
    await t?.close();
    await fleet?.stop();
  });

  it('takes, reads and releases the lock and appends to the journal as root in a root-only dir', async () => {
    const dir = freshStateDir(); // under a root-owned 0700 temp dir
    await expect(acquireLock(t, dir, holder('alice'))).rejects.toThrow(/Permission denied/);
    const held = await acquireLock(t, dir, holder('alice'), { become: true });
    expect([statSync(held.path).uid, statSync(held.path).mode & 0o777]).toEqual([0, 0o600]);
    expect((await readLock(t, dir, { become: true }))?.info).toEqual(held.info);
    // fenced as root; an exec as the login user (staging for uploads) cannot read root's lock and passes unfenced
    const fenced = fencedTransport(t, { stateDir: dir, token: held.info.token, leaseSec: 1800 }, true);
    expect((await fenced.exec(sh('id -u'), { become: true })).stdout).toBe('0\n');
    expect((await fenced.exec(sh('id -u'))).code).toBe(0);
    await expect(
      fencedTransport(t, { stateDir: dir, token: 'f'.repeat(32), leaseSec: 1800 }, true).exec(sh('id -u'), {
        become: true,
      }),
    ).rejects.toThrow(/taken over by another run/);
    await appendJournal(
      t,
      dir,
      [JSON.stringify({ ts: 't', event: 'deploy.started', env: 'test', host: 'h1', deployId: 'd', user: 'alice' })],
      { become: true },
    );
    expect((await readJournal(t, dir, { become: true })).map((e) => e.event)).toEqual(['deploy.started']);
    expect(statSync(`${dir}/journal.jsonl`).uid).toBe(0);
    expect(await releaseLock(t, held, { become: true })).toBe('released');
  });
});
