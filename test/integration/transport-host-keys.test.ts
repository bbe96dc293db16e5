// Host-key verification against real sshd: unknown refused with fingerprint, accept-new, changed key, hashed entries.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cmd } from '../../src/core/cmd-template.js';
import { HostKeyError } from '../../src/transport/errors.js';
import type { HostKeyPolicy } from '../../src/transport/host-key-policy.js';
import { connectTo } from '../helpers/sshd/connect.js';
import { sshKeygenFingerprint } from '../helpers/sshd/keys.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP transport-host-keys: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('host keys', () => {
  let fleet: SshdFleet;
  let n = 0;
  /** A fresh pair of known_hosts files per test: a "user" one and a "repo" one (written to). */
  const policy = async (acceptNew: boolean, userContent = ''): Promise<HostKeyPolicy> => {
    n++;
    const user = path.join(fleet.dir, `user_known_hosts_${n}`);
    const repo = path.join(fleet.dir, `repo_known_hosts_${n}`);
    await writeFile(user, userContent);
    return { files: [user, repo], writeTo: repo, acceptNew };
  };

  beforeAll(async () => {
    fleet = await startSshdFleet(2, { firstOctet: 21 });
  });
  afterAll(async () => {
    await fleet?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await fleet.logs());
  });

  it('refuses an unknown host, naming it, its SHA256 fingerprint and the flag', async () => {
    const h = fleet.hosts[0]!;
    const expected = await sshKeygenFingerprint(`${h.hostKey.path}.pub`);
    const err = (await connectTo(fleet, h, { hostKeys: await policy(false) }).catch((e: unknown) => e)) as HostKeyError;
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.kind).toBe('unknown');
    expect(err.message).toContain(`h1 ([${h.address}]:${h.port}): host key is not known: ssh-ed25519 ${expected}.`);
    expect(err.message).toContain('--accept-new-host-keys');
  });

  it('with acceptNew records the key, then connects without it', async () => {
    const h = fleet.hosts[0]!;
    const p = await policy(true);
    const t = await connectTo(fleet, h, { hostKeys: p });
    expect((await t.exec(cmd`true`)).code).toBe(0);
    await t.close();
    const written = await readFile(p.writeTo, 'utf8');
    expect(written).toBe(`[${h.address}]:${h.port} ${h.hostKey.pub.split(' ').slice(0, 2).join(' ')}\n`);
    // The real ssh-keygen finds the line we wrote.
    const found = await execa('ssh-keygen', ['-F', `[${h.address}]:${h.port}`, '-f', p.writeTo]);
    expect(found.stdout).toContain('ssh-ed25519');
    const again = await connectTo(fleet, h, { hostKeys: { ...p, acceptNew: false } });
    await again.close();
  });

  it('accepts hashed entries (as written by ssh-keygen -H) in the user file', async () => {
    const h = fleet.hosts[1]!;
    const hashedFile = path.join(fleet.dir, 'hashed_known_hosts');
    await copyFile(fleet.knownHostsFile, hashedFile);
    await execa('ssh-keygen', ['-H', '-f', hashedFile]);
    const hashed = await readFile(hashedFile, 'utf8');
    expect(hashed).toMatch(/^\|1\|/);
    expect(hashed).not.toContain(h.address);
    const t = await connectTo(fleet, h, { hostKeys: await policy(false, hashed) });
    await t.close();
  });

  it('always refuses a changed key, showing both fingerprints, even with acceptNew', async () => {
    const h = fleet.hosts[1]!;
    const oldFp = await sshKeygenFingerprint(`${h.hostKey.path}.pub`);
    const p = await policy(true);
    await (await connectTo(fleet, h, { hostKeys: p })).close();
    await fleet.restart(h, { newHostKey: true });
    const newFp = await sshKeygenFingerprint(`${h.hostKey.path}.pub`);
    expect(newFp).not.toBe(oldFp);
    const err = (await connectTo(fleet, h, { hostKeys: p }).catch((e: unknown) => e)) as HostKeyError;
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.kind).toBe('changed');
    expect(err.message).toContain('HOST KEY HAS CHANGED');
    expect(err.message).toContain(`known ssh-ed25519 ${oldFp} (${p.writeTo}:1)`);
    expect(err.message).toContain(`presented ssh-ed25519 ${newFp}`);
    // acceptNew never adds or replaces a line for a changed key.
    expect((await readFile(p.writeTo, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
  });
});
