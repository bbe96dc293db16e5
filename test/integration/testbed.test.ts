// The real test hosts: SSH with strict host keys, docker and compose v1 inside, the identical-path rule, stop/start, registry.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { NodeSSH } from 'node-ssh';
import {
  DOCKER,
  hostVerifier,
  requireDocker,
  startHosts,
  startRegistry,
  type Testbed,
  type TestbedHost,
} from '../helpers/testbed/index.js';

const skipReason = await requireDocker();

async function connect(host: TestbedHost): Promise<NodeSSH> {
  return new NodeSSH().connect({
    host: host.address,
    port: host.port,
    username: host.user,
    privateKeyPath: host.keyPath,
    hostVerifier: hostVerifier(host),
    readyTimeout: 10_000,
  });
}

async function run(ssh: NodeSSH, command: string, args: string[], cwd?: string): Promise<string> {
  const result = await ssh.exec(command, args, { stream: 'both', ...(cwd === undefined ? {} : { cwd }) });
  expect(result.code, `${command} ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

async function writeRemote(ssh: NodeSSH, path: string, content: string): Promise<void> {
  await ssh.withSFTP(
    (sftp) => new Promise<void>((resolve, reject) => sftp.writeFile(path, content, (e) => (e ? reject(e) : resolve()))),
  );
}

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

  beforeAll(async () => {
    tb = await startHosts(2, { compose: 'v1' });
    console.log(`[testbed] run ${tb.runId}: 2 hosts SSH-ready in ${Math.round(tb.readyMs)} ms`);
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (tb === undefined) return;
    if (failed) await tb.dumpLogs();
    await tb.stop();
  });

  it('reaches every host over SSH with a verified host key and runs docker and compose v1 there', async () => {
    for (const host of tb.hosts) {
      const ssh = await connect(host);
      try {
        expect((await run(ssh, 'hostname', [])).trim()).toBe(host.name);
        await run(ssh, 'docker', ['ps']);
        expect(await run(ssh, 'docker-compose', ['version', '--short'])).toBe('1.29.2');
        expect((await ssh.exec('docker', ['compose', 'version'], { stream: 'both' })).code).not.toBe(0);
      } finally {
        ssh.dispose();
      }
    }
  });

  it('exposes exactly one Compose flavor per run (RIG_TB_COMPOSE=v1|v2)', async () => {
    expect(tb.compose).toBe('v1');
    const v2 = await startHosts(1, { compose: 'v2' });
    try {
      expect(v2.compose).toBe('v2');
      const ssh = await connect(v2.host('h1'));
      try {
        expect(await run(ssh, 'docker', ['compose', 'version', '--short'])).toMatch(/^2\.26\.1/);
        expect((await ssh.exec('docker-compose', ['version'], { stream: 'both' })).code).not.toBe(0);
      } finally {
        ssh.dispose();
      }
    } finally {
      await v2.stop();
    }
  });

  it('rejects a host key that is not the collected one', async () => {
    const h1 = tb.host('h1');
    const other = { ...h1, hostKey: tb.host('h2').hostKey };
    await expect(new NodeSSH().connect({ ...connectConfig(h1), hostVerifier: hostVerifier(other) })).rejects.toThrow(/verification failed/i);
  });

  it('resolves a relative compose bind mount to the host data dir (identical-path rule)', async () => {
    const host = tb.host('h1');
    const dir = `${host.dataDir}/app`;
    const ssh = await connect(host);
    try {
      await run(ssh, 'mkdir', ['-p', dir]);
      await writeRemote(ssh, `${dir}/msg.txt`, `hello from ${host.name}\n`);
      await writeRemote(ssh, `${dir}/docker-compose.yml`, COMPOSE);
      await run(ssh, 'docker-compose', ['-p', host.composeProject, 'up', '-d'], dir);
      const seen = await run(ssh, 'docker-compose', ['-p', host.composeProject, 'exec', '-T', 'web', 'cat', '/msg.txt'], dir);
      expect(seen).toBe(`hello from ${host.name}`);
    } finally {
      ssh.dispose();
    }
  });

  it('makes a host unreachable with stopHost and brings it back with the same key via startHost', async () => {
    const h2 = tb.host('h2');
    await tb.stopHost('h2');
    await expect(connect(h2)).rejects.toThrow();
    await tb.startHost('h2');
    const ssh = await connect(h2);
    ssh.dispose();
  });

  it('pulls from a local registry through a host (the shared engine reaches 127.0.0.1)', async () => {
    const registry = await startRegistry();
    const ref = `${registry.host}/${tb.prefix}busybox:1`;
    const ssh = await connect(tb.host('h1'));
    try {
      await execa(DOCKER, ['tag', 'local/busybox:1', ref]);
      await execa(DOCKER, ['push', ref]);
      await execa(DOCKER, ['rmi', ref]);
      await run(ssh, 'docker', ['pull', ref]);
    } finally {
      ssh.dispose();
      await execa(DOCKER, ['rmi', ref], { reject: false });
      await registry.stop();
    }
  });

  it('stop removes the hosts and the compose containers of the run', async () => {
    await tb.stop();
    const left = await execa(DOCKER, ['ps', '-aq', '-f', `label=com.docker.compose.project=${tb.host('h1').composeProject}`]);
    const hosts = await execa(DOCKER, ['ps', '-aq', '-f', `label=rig.testbed.run=${tb.runId}`]);
    expect(left.stdout + hosts.stdout).toBe('');
  });
});

function connectConfig(host: TestbedHost): Parameters<NodeSSH['connect']>[0] {
  return { host: host.address, port: host.port, username: host.user, privateKeyPath: host.keyPath, readyTimeout: 10_000 };
}
