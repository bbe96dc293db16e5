// Host-key verification against real sshd: unknown refused with fingerprint, accept-new, changed key, hashed entries,
// a second key type (negotiated only when known; a MITM's other type refused), @cert-authority, the system file, the
// CLI, one policy read once for many connections.
import { existsSync, mkdtempSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { cmd } from '../../../src/core/cmd/template.js';
import { HostKeyError } from '../../../src/core/errors/remote-errors.js';
import { defaultSshOptions } from '../../../src/transport/ssh-defaults.js';
import { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import type { HostKeyPolicy } from '../../../src/transport/host-keys/host-key-policy.js';
import { connectTo } from '../../helpers/sshd/connect.js';
import { sshKeygenFingerprint } from '../../helpers/sshd/keys.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet, type SshdHost } from '../../helpers/sshd/sshd-fleet.js';
import { makeProject, sampleFiles } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP transport-host-keys: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('host keys', () => {
  let fleet: SshdFleet;
  let n = 0;
  /** A fresh pair of known_hosts files per test: a "user" one and a "repo" one (written to). */
  /** `[address]:port type base64`, the line OpenSSH writes for a key of `h`. */
  const lineOf = (h: SshdHost, pub: string): string =>
    `[${h.address}]:${h.port} ${pub.split(' ').slice(0, 2).join(' ')}\n`;
  const policy = async (acceptNew: boolean, userContent = ''): Promise<HostKeyPolicy> => {
    n++;
    const user = path.join(fleet.dir, `user_known_hosts_${n}`);
    const repo = path.join(fleet.dir, `repo_known_hosts_${n}`);
    await writeFile(user, userContent);
    return { files: [user, repo], writeTo: repo, acceptNew };
  };

  beforeAll(async () => {
    fleet = await startSshdFleet(3, { firstOctet: 21 });
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

  it('one policy for a whole run: a key it recorded is known to its next connection, and recorded once', async () => {
    const h = fleet.hosts[0]!;
    const p = await policy(true);
    // the files are read once per policy: the first connection reads them empty, then rig appends a line
    await (await connectTo(fleet, h, { hostKeys: p })).close();
    // the same policy object: its cache must have dropped the file it wrote to, or this would append a second line
    await (await connectTo(fleet, h, { hostKeys: p })).close();
    expect((await readFile(p.writeTo, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1);
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

  it('a host offering Ed25519 first and ECDSA, known by ECDSA only: asked for ECDSA alone, trusted, nothing recorded', async () => {
    const h = fleet.hosts[2]!;
    await fleet.restart(h, { keyTypes: ['ed25519', 'ecdsa'] });
    const p = await policy(true, lineOf(h, h.ecdsaKey!.pub));
    // ssh2 prefers Ed25519: offered everything, it would take it, find it unknown and (acceptNew) record it
    const t = await connectTo(fleet, h, { hostKeys: p });
    expect((await t.exec(cmd`true`)).code).toBe(0);
    await t.close();
    expect(existsSync(p.writeTo), 'no key recorded').toBe(false);
  });

  it('a MITM offering ECDSA for a host known by Ed25519 is a changed key, refused even with acceptNew', async () => {
    const h = fleet.hosts[2]!;
    await fleet.restart(h, { keyTypes: ['ed25519', 'ecdsa'] });
    const known = await sshKeygenFingerprint(`${h.hostKey.path}.pub`);
    const p = await policy(true, lineOf(h, h.hostKey.pub));
    // the real host offers both: Ed25519 is what it is known by, so that is what is negotiated
    await (await connectTo(fleet, h, { hostKeys: p })).close();
    await fleet.restart(h, { keyTypes: ['ecdsa'] });
    const err = (await connectTo(fleet, h, { hostKeys: p }).catch((e: unknown) => e)) as HostKeyError;
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.kind).toBe('changed');
    const was = `(ssh-ed25519 ${known} (${p.files[0]}:1))`;
    expect(err.message).toContain(
      `h3 ([${h.address}]:${h.port}): HOST KEY HAS CHANGED: the host offers no key of the types`,
    );
    expect(err.message).toContain(`it is known by ${was}`);
    expect(existsSync(p.writeTo), 'nothing recorded').toBe(false);
    await fleet.restart(h, { keyTypes: ['ed25519'] });
  });

  it('a host under a @cert-authority line only: refused with the reason, even with acceptNew (ssh2 has no host certificates)', async () => {
    const h = fleet.hosts[2]!;
    const p = await policy(
      true,
      `@cert-authority [${h.address}]:* ${fleet.clientKey.pub.split(' ').slice(0, 2).join(' ')}\n`,
    );
    const err = (await connectTo(fleet, h, { hostKeys: p }).catch((e: unknown) => e)) as HostKeyError;
    expect(err).toBeInstanceOf(HostKeyError);
    expect(err.message).toContain(`the @cert-authority line(s) naming the host (${p.files[0]}:1) cannot vouch for it`);
    expect(err.message).toContain('does not verify host certificates');
    expect(existsSync(p.writeTo)).toBe(false);
  });

  it('the system-wide known_hosts is read (defaultSshOptions: a key only there is trusted)', async () => {
    const h = fleet.hosts[2]!;
    const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
    const system = path.join(fleet.dir, 'ssh_known_hosts');
    await writeFile(system, lineOf(h, h.hostKey.pub));
    const opts = await defaultSshOptions({ acceptNewHostKeys: false, env: { HOME: home }, systemKnownHosts: [system] });
    const target = { name: h.name, host: h.address, port: h.port, user: 'root', identityFiles: [fleet.clientKey.path] };
    await (await SshTransport.connect(target, opts)).close();
    const without = await defaultSshOptions({ acceptNewHostKeys: false, env: { HOME: home }, systemKnownHosts: [] });
    const refused = await SshTransport.connect(target, without).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HostKeyError);
  });

  it("rig --accept-new-host-keys records in the user's file; in inventory/<env>/known_hosts only when env.yml says so", async () => {
    const h = fleet.hosts[2]!;
    for (const where of ['user', 'env'] as const) {
      const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
      const root = makeProject(
        sampleFiles({
          'inventory/test/hosts.yml': `all:\n  hosts:\n    h3: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root }\n`,
          'inventory/test/group_vars/all/ssh.yml': `ansible_ssh_private_key_file: ${fleet.clientKey.path}\n`,
          'inventory/test/env.yml': `new_host_keys: ${where}\n`,
          'playbooks/site.yml': '- hosts: all\n  roles: [sample]\n',
        }),
      );
      const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'] } });
      expect(await main(['releases', '--env', 'test', '--accept-new-host-keys'], io), io.errText()).toBe(0);
      const user = path.join(home, '.ssh', 'known_hosts');
      const repo = path.join(root, 'inventory', 'test', 'known_hosts');
      expect(await readFile(where === 'user' ? user : repo, 'utf8')).toBe(lineOf(h, h.hostKey.pub));
      expect(existsSync(where === 'user' ? repo : user)).toBe(false);
    }
  });
});
