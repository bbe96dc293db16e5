// The bed's target hosts: SSH with strict host keys, docker and compose inside, the identical-path rule,
// stop/start and rekey, the compose flavor switch, a registry the hosts pull from, and stop leaving nothing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../../src/core/cmd/cmd.js';
import { run } from '../../../src/transport/run.js';
import type { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { docker, dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import {
  connectHost,
  requireDocker,
  startHosts,
  startRegistry,
  type Testbed,
  type TestbedHost,
} from '../../bed/index.js';

const skipReason = await requireDocker();

const COMPOSE = `version: "3.8"
services:
  web:
    image: local/busybox:1
    command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    volumes: ["./msg.txt:/msg.txt:ro"]
`;

describe.skipIf(skipReason !== undefined)('testbed: two real target hosts', () => {
  let tb: Testbed;
  let failed = false;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'rig-testbed-test-'));

  /** Runs `fn` on a transport to `host` (strict host key from the run's known_hosts) and closes it. */
  async function on<T>(host: TestbedHost, fn: (t: SshTransport) => Promise<T>): Promise<T> {
    const t = await connectHost(tb, host);
    try {
      return await fn(t);
    } finally {
      await t.close();
    }
  }
  const out = async (t: SshTransport, argv: string[]) => (await run(t, exec(argv))).stdout.trim();

  beforeAll(async () => {
    tb = await startHosts(2, { compose: 'v1' });
    console.log(`[testbed] run ${tb.runId}: 2 hosts SSH-ready in ${Math.round(tb.readyMs)} ms`);
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    if (tb === undefined) return;
    if (failed) await tb.dumpLogs();
    await tb.stop();
  });

  it('reaches every host over SSH with a verified host key and runs docker and compose there', async () => {
    for (const host of tb.hosts) {
      await on(host, async (t) => {
        expect(await out(t, ['hostname'])).toBe(host.name);
        await run(t, exec(['docker', 'ps']));
        // exactly one flavor per run: v1 here, `docker compose` absent (the flavor switch below: v2)
        expect(await out(t, ['docker-compose', 'version', '--short'])).toBe('1.29.2');
        expect((await t.exec(exec(['docker', 'compose', 'version']))).code).not.toBe(0);
      });
    }
    const config = readFileSync(tb.sshConfigPath, 'utf8');
    expect(config).toContain(`Host h2\n  HostName 127.0.0.1\n  Port ${tb.host('h2').port}\n`);
    const container = await inspectContainer(tb.host('h1').container);
    expect(container?.status).toBe('running');
  });

  it('publishes SSH on 127.0.0.1 only, and labels each host with the run and its owner process', async () => {
    const h1 = tb.host('h1').container;
    const inspect = async (what: string): Promise<Record<string, unknown>> =>
      JSON.parse(await dockerOk(['inspect', '-f', `{{json ${what}}}`, h1])) as Record<string, unknown>;
    const ports = await inspect('.NetworkSettings.Ports');
    expect(ports['22/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(tb.host('h1').port) }]);
    const labels = await inspect('.Config.Labels');
    expect(labels).toMatchObject({ 'rig.testbed.run': tb.runId, 'rig.testbed.host': 'h1' });
    expect(labels['rig.testbed.pid']).toBe(String(process.pid));
  });

  it('rejects a host key that is not the collected one', async () => {
    const h1 = tb.host('h1');
    const wrong = path.join(scratch, 'wrong_known_hosts');
    writeFileSync(wrong, `[${h1.address}]:${h1.port} ${tb.host('h2').hostKey}\n`);
    await expect(connectHost(tb, h1, wrong)).rejects.toThrow(/host key/i);
  });

  it('resolves a relative compose bind mount to the host data dir (identical-path rule)', async () => {
    const host = tb.host('h1');
    const dir = `${host.dataDir}/app`;
    await on(host, async (t) => {
      await run(t, exec(['mkdir', '-p', dir]));
      await t.putFiles([
        { path: `${dir}/msg.txt`, content: Buffer.from(`hello from ${host.name}\n`), mode: 0o644 },
        { path: `${dir}/docker-compose.yml`, content: Buffer.from(COMPOSE), mode: 0o644 },
      ]);
      const inDir = 'cd "$1" && shift && docker-compose "$@"';
      const compose = (...args: string[]) => ['sh', '-c', inDir, 'sh', dir, ...args];
      await run(t, exec(compose('-p', host.composeProject, 'up', '-d')));
      const seen = await out(t, compose('-p', host.composeProject, 'exec', '-T', 'web', 'cat', '/msg.txt'));
      expect(seen).toBe(`hello from ${host.name}`);
    });
    // the same path on this machine: what a test reads after a deploy
    expect(readFileSync(`${dir}/msg.txt`, 'utf8')).toBe(`hello from ${host.name}\n`);
  });

  it('makes a host unreachable with stopHost and brings it back on the same port and key with startHost', async () => {
    const h2 = tb.host('h2');
    const before = { port: h2.port, key: h2.hostKey };
    await tb.stopHost('h2');
    await expect(connectHost(tb, h2)).rejects.toThrow();
    await tb.startHost('h2');
    expect({ port: h2.port, key: h2.hostKey }).toEqual(before);
    expect(await on(h2, (t) => out(t, ['hostname']))).toBe('h2');
  });

  it('restartHost with newHostKey: a new key, known_hosts rewritten, the old one refused', async () => {
    const h2 = tb.host('h2');
    const old = path.join(scratch, 'old_known_hosts');
    writeFileSync(old, readFileSync(tb.knownHostsPath));
    const oldKey = h2.hostKey;
    await tb.restartHost('h2', { newHostKey: true });
    expect(h2.hostKey).not.toBe(oldKey);
    expect(readFileSync(tb.knownHostsPath, 'utf8')).toContain(`[127.0.0.1]:${h2.port} ${h2.hostKey}\n`);
    await expect(connectHost(tb, h2, old)).rejects.toThrow(/host key/i);
    expect(await on(h2, (t) => out(t, ['hostname']))).toBe('h2');
  });

  it('dumpLogs returns every host container log', async () => {
    const logs = await tb.dumpLogs();
    for (const h of tb.hosts) expect(logs).toContain(`===== ${h.container} =====`);
    expect(logs).toMatch(/Accepted publickey for root/);
  });

  it('pulls from a local registry through a host (the shared engine reaches 127.0.0.1)', async () => {
    const registry = await startRegistry();
    const ref = `${registry.host}/${tb.prefix}busybox:1`;
    try {
      await dockerOk(['tag', 'local/busybox:1', ref]);
      await dockerOk(['push', ref]);
      await dockerOk(['rmi', ref]);
      await on(tb.host('h1'), (t) => run(t, exec(['docker', 'pull', ref])));
    } finally {
      await docker(['rmi', ref]);
      await registry.stop();
    }
  });

  it("stop removes the hosts, the compose containers of the run, rig's networks of its hosts, and its files", async () => {
    // a role's network as rig makes it: `<project with _>_<name>`, labelled rig.managed only (no compose project)
    const rigNet = `${tb.host('h1').composeProject.replace(/-/g, '_')}_backend`;
    await dockerOk(['network', 'create', '--internal', '--label', 'rig.managed=true', rigNet]);
    await tb.stop();
    const project = tb.host('h1').composeProject;
    const left = await dockerOk(['ps', '-aq', '-f', `label=com.docker.compose.project=${project}`]);
    const hosts = await dockerOk(['ps', '-aq', '-f', `label=rig.testbed.run=${tb.runId}`]);
    const nets = await dockerOk(['network', 'ls', '-q', '-f', `name=${rigNet}`]);
    expect(left + hosts + nets).toBe('');
    expect(() => readFileSync(tb.knownHostsPath)).toThrow(/ENOENT/);
  });
});

describe.skipIf(skipReason !== undefined)('testbed: the compose flavor switch', () => {
  it('gives the hosts RIG_TB_COMPOSE from the compose option, and they expose that flavor only', async () => {
    const tb = await startHosts(1, { compose: 'v2' });
    try {
      expect(tb.compose).toBe('v2');
      const env = JSON.parse(await dockerOk(['inspect', '-f', '{{json .Config.Env}}', tb.host('h1').container]));
      expect(env).toContain('RIG_TB_COMPOSE=v2');
      // the image honours it: Compose v2 as the CLI plugin, and no `docker-compose` (rig would pick v1 first)
      const t = await connectHost(tb, tb.host('h1'));
      try {
        expect((await run(t, exec(['docker', 'compose', 'version', '--short']))).stdout.trim()).toMatch(/^2\.26\.1/);
        expect((await t.exec(exec(['docker-compose', 'version']))).code).not.toBe(0);
      } finally {
        await t.close();
      }
    } finally {
      await tb.stop();
    }
  });
});
