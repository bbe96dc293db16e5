// Reaching hosts for real: ssh_config aliases, ProxyJump through a second sshd, ssh-agent, identity files, timeouts,
// refusals.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/core/cmd/cmd.js';
import { cmd } from '../../../src/core/cmd/template.js';
import { HostUnreachableError } from '../../../src/core/errors/remote-errors.js';
import { parseSshConfig } from '../../../src/transport/ssh-config.js';
import { loadSshConfig } from '../../../src/transport/ssh-config-load.js';
import { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { sshConnector } from '../../../src/engine/fleet.js';
import { connectTo, fleetOptions } from '../../helpers/sshd/connect.js';
import { generateKey } from '../../helpers/sshd/keys.js';
import { freePort } from '../../helpers/sshd/sshd-process.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP transport-ssh-reach: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('reaching hosts', () => {
  let fleet: SshdFleet;
  const started: ChildProcess[] = [];
  const servers: net.Server[] = [];

  beforeAll(async () => {
    fleet = await startSshdFleet(2, { firstOctet: 31 });
  });
  afterAll(async () => {
    for (const p of started) p.kill('SIGTERM');
    for (const s of servers) s.close();
    await fleet?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await fleet.logs());
  });

  it('connects through an ssh_config alias', async () => {
    const sshConfig = await loadSshConfig(fleet.sshConfigFile, os.homedir());
    const t = await SshTransport.connect({ name: 'web', host: 'h1' }, fleetOptions(fleet, { sshConfig }));
    expect((await t.exec(cmd`printenv RIG_TEST_HOST`)).stdout).toBe('h1\n');
    expect(t.user).toBe('root');
    await t.close();
  });

  it('connects through ProxyJump via a second sshd, and fails naming the jump when it is down', async () => {
    const [jump, target] = [fleet.hosts[0]!, fleet.hosts[1]!];
    const cfg = path.join(fleet.dir, 'jump_config');
    await writeFile(
      cfg,
      `Host app\n  HostName ${target.address}\n  Port ${target.port}\n  ProxyJump bastion\n` +
        `Host bastion\n  HostName ${jump.address}\n  Port ${jump.port}\n` +
        `Host *\n  User root\n  IdentityFile ${fleet.clientKey.path}\n`,
    );
    const sshConfig = await loadSshConfig(cfg, os.homedir());
    const t = await SshTransport.connect({ name: 'app', host: 'app' }, fleetOptions(fleet, { sshConfig }));
    expect((await t.exec(cmd`printenv RIG_TEST_HOST`)).stdout).toBe('h2\n');
    expect(t.counters).toEqual({ connections: 2, execChannels: 1, sftpChannels: 0 });
    await t.close();
    await fleet.stopHost(jump);
    const err = await SshTransport.connect({ name: 'app', host: 'app' }, fleetOptions(fleet, { sshConfig })).catch(
      (e: unknown) => e,
    );
    await fleet.restart(jump);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as HostUnreachableError).host).toBe('app');
    const where = `${jump.address}:${jump.port}`;
    expect((err as Error).message).toBe(
      `app: unreachable: via ProxyJump bastion: root@${where}: connect ECONNREFUSED ${where}`,
    );
  });

  it('shares one connection to a jump host among the hosts behind it, open while one of them uses it', async () => {
    // 40 hosts at once through a bastion that drops every unauthenticated connection beyond 2 (sshd's default, 10:30:100,
    // drops some beyond 10): a connection per host lost most of them, "Connection lost before handshake"
    const [jump, target] = [fleet.hosts[0]!, fleet.hosts[1]!];
    await fleet.restart(jump, { maxStartups: '2' });
    const toJump = (): number =>
      execFileSync('ss', ['-Htn', 'state', 'established', 'dst', `${jump.address}:${jump.port}`], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.trim() !== '').length;
    try {
      const cfg = path.join(fleet.dir, 'bastion_config');
      await writeFile(
        cfg,
        `Host app*\n  HostName ${target.address}\n  Port ${target.port}\n  ProxyJump bastion\n` +
          `Host other\n  HostName ${target.address}\n  Port ${target.port}\n  ProxyJump slow-bastion\n` +
          `Host bastion\n  HostName ${jump.address}\n  Port ${jump.port}\n` +
          `Host slow-bastion\n  HostName ${jump.address}\n  Port ${jump.port}\n  ServerAliveInterval 5\n` +
          `Host *\n  User root\n  IdentityFile ${fleet.clientKey.path}\n`,
      );
      // one options object: one run (a run's hosts share its hops)
      const opts = fleetOptions(fleet, { sshConfig: await loadSshConfig(cfg, os.homedir()) });
      const hosts = Array.from({ length: 40 }, (_, i) => `app${i}`);
      const ts = await Promise.all(hosts.map((name) => SshTransport.connect({ name, host: name }, opts)));
      const outs = await Promise.all(ts.map(async (t) => (await t.exec(cmd`printenv RIG_TEST_HOST`)).stdout));
      expect(new Set(outs)).toEqual(new Set(['h2\n']));
      expect(toJump()).toBe(1);
      // the same bastion under another name, with other settings: a connection of its own
      const other = await SshTransport.connect({ name: 'other', host: 'other' }, opts);
      expect(toJump()).toBe(2);
      await other.close();
      await waitFor(() => Promise.resolve(toJump() === 1));
      await Promise.all(ts.slice(1).map((t) => t.close()));
      await ts[1]!.close(); // closed twice (an early close, then the session's end): it releases the hop once
      expect(toJump()).toBe(1); // app0 still uses it
      expect((await ts[0]!.exec(cmd`true`)).code).toBe(0);
      await ts[0]!.close();
      await waitFor(() => Promise.resolve(toJump() === 0));
      // a later host dials it again
      const again = await SshTransport.connect({ name: 'app-late', host: 'app-late' }, opts);
      expect((await again.exec(cmd`printenv RIG_TEST_HOST`)).stdout).toBe('h2\n');
      await again.close();
    } finally {
      await fleet.restart(jump, { maxStartups: '100:30:200' });
    }
  });

  it('authenticates with ssh-agent when no key file is configured', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'rig-home-'));
    const sock = path.join(home, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    started.push(agent);
    await waitFor(
      async () => (await execa('ssh-add', ['-l'], { env: { SSH_AUTH_SOCK: sock }, reject: false })).exitCode === 1,
    );
    await execa('ssh-add', [fleet.clientKey.path], { env: { SSH_AUTH_SOCK: sock } });
    const h = fleet.hosts[1]!;
    const opts = { ...fleetOptions(fleet), home, agentSocket: sock };
    const t = await SshTransport.connect({ name: 'h2', host: h.address, port: h.port, user: 'root' }, opts);
    expect((await t.exec(cmd`true`)).code).toBe(0);
    await t.close();
    const none = await SshTransport.connect(
      { name: 'h2', host: h.address, port: h.port, user: 'root' },
      { ...opts, agentSocket: undefined },
    ).catch((e: unknown) => e);
    expect((none as Error).message).toBe(
      'h2: unreachable: no identity file found and no ssh-agent (SSH_AUTH_SOCK) to authenticate with',
    );
  });

  it('reports a rejected key as an authentication failure naming what was tried', async () => {
    const other = await generateKey(path.join(fleet.dir, 'other_key'));
    const h = fleet.hosts[1]!;
    const err = await SshTransport.connect(
      { name: 'h2', host: h.address, port: h.port, user: 'root', identityFiles: [other.path] },
      fleetOptions(fleet),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as Error).message).toBe(
      `h2: unreachable: root@${h.address}:${h.port}: authentication failed (tried key ${other.path})`,
    );
  });

  it('one run, many hosts: a passphrase key it cannot use is skipped on each, the next key is used on each', async () => {
    const locked = path.join(fleet.dir, 'locked_key');
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-C', 'locked', '-f', locked]);
    // one options object for both connections, as a run has: the identity files are read and parsed once for it
    const opts = fleetOptions(fleet);
    for (const [i, h] of fleet.hosts.entries()) {
      const t = await SshTransport.connect(
        {
          name: `h${i + 1}`,
          host: h.address,
          port: h.port,
          user: 'root',
          identityFiles: [locked, fleet.clientKey.path],
        },
        opts,
      );
      expect((await t.exec(cmd`true`)).code).toBe(0);
      await t.close();
    }
  });

  it('gives up on a host that accepts TCP but never speaks SSH, within the connect timeout', async () => {
    const port = await freePort('127.0.0.1');
    const silent = net.createServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    const t0 = Date.now();
    const err = await SshTransport.connect(
      { name: 'mute', host: '127.0.0.1', port, user: 'root', identityFiles: [fleet.clientKey.path] },
      fleetOptions(fleet, { readyTimeoutMs: 300 }),
    ).catch((e: unknown) => e);
    const ms = Date.now() - t0;
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as Error).message).toBe(
      `mute: unreachable: root@127.0.0.1:${port}: no SSH handshake within the connect timeout`,
    );
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(1500);
  });

  it('fails commands on a connection the host dropped with HostUnreachableError', async () => {
    const h = fleet.hosts[1]!;
    const t = await connectTo(fleet, h);
    // The session's shell kills its connection's sshd processes (session and privsep monitor): the TCP connection
    // drops.
    const script = 'kill -KILL $PPID $(ps -o ppid= -p $PPID); sleep 5';
    const during = await t.exec(sh(script)).catch((e: unknown) => e);
    // Which comes first is up to sshd: the connection drop, or the killed session's exit status (137).
    if (during instanceof HostUnreachableError) {
      expect(during.message).toBe(`h2: unreachable: connection lost while running /bin/sh -c '${script}' sh`);
    } else {
      expect(during).toMatchObject({ code: 137 });
    }
    let after: unknown;
    await waitFor(async () => {
      after = await t.exec(cmd`true`).catch((e: unknown) => e);
      return after instanceof HostUnreachableError;
    });
    expect(after).toBeInstanceOf(HostUnreachableError);
    expect((after as Error).message).toMatch(/^h2: unreachable: cannot open a channel for true: /);
    await t.close();
  });

  it("waits ssh_config's ConnectTimeout for a handshake when RIG_CONNECT_TIMEOUT is unset, and RIG_CONNECT_TIMEOUT when set", async () => {
    const port = await freePort('127.0.0.1');
    const silent = net.createServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(port, '127.0.0.1', r));
    const home = await mkdtemp(path.join(os.tmpdir(), 'rig-home-'));
    await mkdir(path.join(home, '.ssh'));
    await writeFile(
      path.join(home, '.ssh/config'),
      `Host mute\n  HostName 127.0.0.1\n  Port ${port}\n  ConnectTimeout 1\n`,
    );
    const connection = { host: 'mute', port: undefined, user: 'root', sshKey: fleet.clientKey.path, become: false };
    const attempt = async (connectTimeoutSec?: number): Promise<{ err: unknown; ms: number }> => {
      // what every command connects with (cli/remote/host-connector.ts passes RIG_CONNECT_TIMEOUT only when set)
      const connect = await sshConnector({
        acceptNewHostKeys: false,
        env: { HOME: home },
        ...(connectTimeoutSec === undefined ? {} : { connectTimeoutSec }),
      });
      const t0 = Date.now();
      const err = await connect('mute', connection).catch((e: unknown) => e);
      return { err, ms: Date.now() - t0 };
    };
    const own = await attempt();
    expect((own.err as Error).message).toBe(
      `mute: unreachable: root@127.0.0.1:${port}: no SSH handshake within the connect timeout`,
    );
    expect(own.ms).toBeGreaterThanOrEqual(900);
    expect(own.ms).toBeLessThan(5000);
    const set = await attempt(3);
    expect(set.err).toBeInstanceOf(HostUnreachableError);
    expect(set.ms).toBeGreaterThanOrEqual(2900);
  });

  it('gives up on a host that stops answering mid-command once its keepalives go unanswered', async () => {
    const h = fleet.hosts[0]!;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rig-alive-'));
    const pidsFile = path.join(dir, 'pids');
    const sshConfig = parseSshConfig('Host *\n  ServerAliveInterval 1\n  ServerAliveCountMax 2\n', 'cfg');
    const t = await connectTo(fleet, h, { sshConfig });
    // The command freezes its own connection's sshd processes (the session and its privsep monitor), as a hung host
    // would be: the TCP connection stays up (the kernel still acknowledges), nothing answers on it.
    const script = `echo $PPID $(ps -o ppid= -p $PPID) > ${pidsFile}; (sleep 0.3; kill -STOP $(cat ${pidsFile})) & sleep 20`;
    const resume = async (): Promise<void> => {
      const pids = (await readFile(pidsFile, 'utf8').catch(() => '')).trim().split(/\s+/).filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGCONT');
        } catch {
          // gone already: rig's close ended its session
        }
      }
    };
    // whatever rig does, the frozen processes go on after 12 s (the command then ends by itself after 20 s)
    const thaw = setTimeout(() => void resume(), 12_000);
    const t0 = Date.now();
    const err = await t.exec(sh(script)).catch((e: unknown) => e);
    const ms = Date.now() - t0;
    clearTimeout(thaw);
    await resume();
    expect(err).toBeInstanceOf(HostUnreachableError);
    // the reason first: a message may cut the command short (a script of rig's)
    expect((err as Error).message).toBe(
      `h1: unreachable: ${h.address}:${h.port} answered none of 2 keepalives sent 1 s apart (ServerAliveInterval, ` +
        `ServerAliveCountMax): the host or the network is down; connection lost while running /bin/sh -c '${script}' sh`,
    );
    // the third unanswered tick ends it (~3 s), long before the command would have
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(15_000);
    const after = await t.exec(cmd`true`).catch((e: unknown) => e);
    expect((after as Error).message).toMatch(/: the host or the network is down; cannot open a channel for true: /);
    await t.close();
  });

  it('reports a refused connection as unreachable', async () => {
    const port = await freePort('127.0.0.1');
    const h = { ...fleet.hosts[0]!, port, name: 'closed' };
    const err = await connectTo(fleet, h).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as Error).message).toMatch(/^closed: unreachable: root@127\.0\.0\.31:\d+: connect ECONNREFUSED/);
  });
});

async function waitFor(check: () => Promise<boolean>, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (let delay = 10; !(await check()); delay = Math.min(delay * 2, 200)) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, delay));
  }
}
