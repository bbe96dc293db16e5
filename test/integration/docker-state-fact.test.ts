// The docker-state and container-state facts, and the compose/docker builders, against the real engine and compose v1.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, composeConfigCheck, composeUp, type ComposeFileTarget } from '../../src/compose/compose-cmd.js';
import { dockerExec, dockerLogsTail, dockerNetworkCreate, dockerRemoveContainers } from '../../src/compose/docker-cmd.js';
import { render } from '../../src/core/cmd-render.js';
import { exec, sh, withEnv, type Cmd, type ExecNode } from '../../src/core/cmd.js';
import { containerStatesCmd, parseContainerStates, type ContainerState } from '../../src/facts/container-state.js';
import { dockerStateCmd, parseDockerState, type DockerState, type DockerStateQuery } from '../../src/facts/docker-state.js';
import { LocalTransport } from '../../src/transport/local-transport.js';
import { run } from '../../src/transport/run.js';
import { requireDocker } from '../helpers/testbed/index.js';

const skipReason = await requireDocker();
if (skipReason !== undefined) console.warn(`SKIP docker-state-fact: ${skipReason}`);

const PROJECT = `rigfactit${process.pid}`;
const NET = `${PROJECT}_made`;
const COMPOSE_FILE = `version: "2.4"
services:
  web:
    image: local/busybox:1
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 1s, retries: 1 }
  once:
    image: local/busybox:1
    command: ["sh", "-c", "sleep 1; echo bye >&2; exit 7"]
`;
/** Debian's docker 20.10 client and compose v1, as on the test hosts, whatever else PATH holds. */
const onHost = (c: Cmd): ExecNode => withEnv(sh(render(c)), { PATH: '/usr/bin:/bin' });

describe.skipIf(skipReason !== undefined)('docker-state fact on the real engine', () => {
  const t = new LocalTransport();
  const dir = mkdtempSync(path.join(tmpdir(), 'rigfact-'));
  const target: ComposeFileTarget = { flavor: 'v1', cli: 'standalone', project: PROJECT, projectDir: dir, file: path.join(dir, 'compose.yml') };
  const query: DockerStateQuery = { project: PROJECT, images: ['local/busybox:1', `${PROJECT}/absent:1`], networks: [NET, `${PROJECT}_default`, `${PROJECT}_absent`] };

  async function dockerState(q = query): Promise<DockerState> {
    const before = t.counters.execChannels;
    const r = await run(t, onHost(dockerStateCmd(q)));
    expect(t.counters.execChannels - before).toBe(1);
    return parseDockerState(r.stdout, q);
  }
  async function states(names: readonly string[]): Promise<ContainerState[]> {
    return parseContainerStates((await run(t, onHost(containerStatesCmd(names)))).stdout, names);
  }
  /** Polls the container-state fact until `done` holds for `name`, or fails after 30 s with the last state and its logs. */
  async function pollUntil(name: string, done: (c: ContainerState) => boolean): Promise<ContainerState> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [c] = await states([name]);
      if (c !== undefined && done(c)) return c;
      if (Date.now() > deadline) {
        const logs = await t.exec(onHost(dockerLogsTail(name, 20)));
        throw new Error(`${name} never reached the expected state; last: ${JSON.stringify(c)}; logs:\n${logs.stdout}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    writeFileSync(target.file, COMPOSE_FILE);
    await run(t, onHost(dockerNetworkCreate(NET, { internal: true, labels: { 'rig.test': "it's $(x)" } })));
    await run(t, onHost(composeUp(target, ['web', 'once'], { forceRecreate: false })));
  });
  afterAll(async () => {
    await t.exec(onHost(compose(target, 'down', '-t', '0')));
    await t.exec(onHost(exec(['docker', 'network', 'rm', '--', NET])));
    rmSync(dir, { recursive: true, force: true });
  });

  it('detects compose v1 1.29.2 and reads containers, images and networks in one exec', async () => {
    await pollUntil(`${PROJECT}_web_1`, (c) => c.health === 'healthy');
    const s = await dockerState();
    expect(s.compose).toEqual({ flavor: 'v1', version: '1.29.2' });
    const web = s.containers.find((c) => c.service === 'web');
    expect(web).toMatchObject({ name: `${PROJECT}_web_1`, project: PROJECT, status: 'running', running: true, health: 'healthy', restartCount: 0 });
    expect(web?.image).toBe(s.images.get('local/busybox:1')?.id);
    expect(s.containers.map((c) => c.service).sort()).toEqual(['once', 'web']);
    expect(s.images.get(`${PROJECT}/absent:1`)).toBeUndefined();
    expect(s.networks.get(NET)).toEqual({ name: NET, internal: true, labels: { 'rig.test': "it's $(x)" } });
    expect(s.networks.get(`${PROJECT}_default`)).toMatchObject({ internal: false, labels: { 'com.docker.compose.project': PROJECT } });
    expect(s.networks.get(`${PROJECT}_absent`)).toBeUndefined();
  });

  it('containerStatesCmd follows a container until it exits, skipping absent names', async () => {
    const once = await pollUntil(`${PROJECT}_once_1`, (c) => c.status === 'exited');
    expect(once).toMatchObject({ status: 'exited', running: false, exitCode: 7, service: 'once' });
    expect('health' in once).toBe(false);
    const both = await states([`${PROJECT}_nope_1`, `${PROJECT}_once_1`, `${PROJECT}_web_1`]);
    expect(both.map((c) => c.name)).toEqual([`${PROJECT}_once_1`, `${PROJECT}_web_1`]);
    expect((await run(t, onHost(dockerLogsTail(`${PROJECT}_once_1`, 5)))).stdout).toBe('bye\n');
  });

  it('reports a network or container found only by ID prefix as missing', async () => {
    const id = (await run(t, onHost(exec(['docker', 'network', 'inspect', '--format', '{{.Id}}', '--', NET])))).stdout.trim();
    const s = await dockerState({ ...query, networks: [id.slice(0, 12)] });
    expect(s.networks.get(id.slice(0, 12))).toBeUndefined();
    const web = (await states([`${PROJECT}_web_1`]))[0]!;
    expect(await states([web.id.slice(0, 12)])).toEqual([]);
  });

  it('builders drive the real tools: exec argv, config check, force-recreate, idempotent rm', async () => {
    const web = `${PROJECT}_web_1`;
    expect((await run(t, onHost(dockerExec(web, ['echo', '-n', "it's $(x)"])))).stdout).toBe("it's $(x)");
    await run(t, onHost(composeConfigCheck(target)));
    const bad = { ...target, file: path.join(dir, 'bad.yml') };
    writeFileSync(bad.file, 'services:\n  web:\n    image: [1\n');
    const r = await t.exec(onHost(composeConfigCheck(bad)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('bad.yml');
    const before = (await states([web]))[0]!;
    await run(t, onHost(composeUp(target, ['web'], { forceRecreate: true })));
    expect((await states([web]))[0]!.id).not.toBe(before.id);
    await run(t, onHost(dockerRemoveContainers([`${PROJECT}_once_1`, `${PROJECT}_nope_1`])));
    expect((await dockerState()).containers.map((c) => c.service)).toEqual(['web']);
  });

  it.skipIf(!existsSync('/usr/local/bin/docker'))('gives the same answer through the newer docker client in /usr/local/bin', async () => {
    await pollUntil(`${PROJECT}_web_1`, (c) => c.health === 'healthy'); // recreated by the test before: states settle first
    const newer = await run(t, withEnv(dockerStateCmd(query), { PATH: '/usr/local/bin:/usr/bin:/bin' }));
    expect(parseDockerState(newer.stdout, query)).toEqual(await dockerState());
  });

  it('fails with docker’s own message when the daemon is unreachable or docker is missing', async () => {
    const down = await t.exec(withEnv(onHost(dockerStateCmd(query)), { DOCKER_HOST: `unix://${dir}/no.sock` }));
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain(`Cannot connect to the Docker daemon at unix://${dir}/no.sock`);
    const missing = await t.exec(withEnv(dockerStateCmd(query), { PATH: dir }));
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/docker: not found/);
    await expect(run(t, withEnv(dockerStateCmd(query), { PATH: dir }))).rejects.toThrow(/^localhost: command failed with exit code 127: PATH=\S+ \/bin\/sh -c .*\n {2}\| sh: \d+: docker: not found$/s);
  });
});
