// The compose test service local/rig-svc:1 and the docker helpers, against the real engine with docker-compose v1.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { requireDocker } from '../../helpers/testbed/index.js';
import { BUILD_IMAGES_SCRIPT } from '../../helpers/testbed/testbed-paths.js';
import {
  containerLogs,
  docker,
  dockerOk,
  httpGetInContainer,
  imageId,
  inspectContainer,
  removeContainers,
  removeNetworks,
  retagVariant,
  VARIANT_LABEL,
  waitFor,
  type ContainerInfo,
} from '../../helpers/docker/index.js';

const IMAGE = 'local/rig-svc:1';
const COMPOSE_BIN = '/usr/bin/docker-compose';

/** Without root the image cannot be built; say so instead of failing in beforeAll. */
async function imageProblem(): Promise<string | undefined> {
  if (process.getuid?.() === 0 || (await imageId(IMAGE)) !== undefined) return undefined;
  const reason = `${IMAGE} missing and only root can build it (scripts/build-images.sh)`;
  console.warn(`[svc-image] skipping: ${reason}`);
  return reason;
}

const skipReason = (await requireDocker()) ?? (await imageProblem());

const COMPOSE = `version: "2.4"
services:
  app:
    image: ${IMAGE}
    env_file: [app.env]
    volumes: ["./config:/config"]
    healthcheck:
      test: ["CMD", "/usr/local/bin/healthcheck.sh"]
      interval: 1s
      timeout: 2s
      retries: 2
  init:
    image: ${IMAGE}
    command: ["oneshot", "3"]
  broken:
    image: ${IMAGE}
    environment: { SVC_FAIL_START: "1" }
`;

const ms = (start: number): number => Math.round(performance.now() - start);

describe.skipIf(skipReason !== undefined)('local/rig-svc:1 under docker-compose v1', () => {
  const project = `rigsvc${randomBytes(4).toString('hex')}`;
  const app = `${project}_app_1`;
  const variants: string[] = [];
  let dir = '';
  let failed = false;

  const compose = async (...args: string[]): Promise<void> => {
    await execa(COMPOSE_BIN, ['-p', project, '-f', join(dir, 'compose.yml'), ...args]);
  };
  const state = async (name: string, ok: (c: ContainerInfo) => boolean): Promise<ContainerInfo | undefined> => {
    const c = await inspectContainer(name);
    return c !== undefined && ok(c) ? c : undefined;
  };

  beforeAll(async () => {
    const t0 = performance.now();
    await execa(BUILD_IMAGES_SCRIPT);
    console.log(`[svc-image] scripts/build-images.sh: ${ms(t0)} ms`);
    dir = await mkdtemp(join(tmpdir(), 'rig-svc-test-'));
    await mkdir(join(dir, 'config'));
    await writeFile(join(dir, 'config', 'app.conf'), 'greeting = one\n');
    await writeFile(join(dir, 'app.env'), 'SVC_PORT=9090\nGREETING=hello from env_file\n');
    await writeFile(join(dir, 'compose.yml'), COMPOSE);
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') failed = true;
  });
  afterAll(async () => {
    if (failed) {
      for (const service of ['app', 'init', 'broken']) {
        const logs = await containerLogs(`${project}_${service}_1`).catch((e: unknown) => String(e));
        process.stderr.write(`[svc-image] ${service} logs:\n${logs}\n`);
      }
    }
    await removeContainers(project);
    await removeNetworks(project);
    if (variants.length > 0) await docker(['rmi', '-f', ...variants]);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('turns healthy through the image healthcheck (interval 1s)', async () => {
    const t0 = performance.now();
    await compose('up', '-d', 'app');
    const upMs = ms(t0);
    const c = await waitFor('app healthy', () => state(app, (s) => s.health === 'healthy'), 30_000, 50);
    const sinceStart = Date.now() - Date.parse(c.startedAt.replace(/(\.\d{3})\d+/, '$1'));
    console.log(
      `[svc-image] up -d: ${upMs} ms; up -d to healthy: ${ms(t0)} ms; container start to healthy seen: ${sinceStart} ms`,
    );
    expect(c.running).toBe(true);
    expect(c.image).toBe(await imageId(IMAGE));
    expect(c.labels['com.docker.compose.service']).toBe('app');
    expect(await containerLogs(app)).toContain('svc: listening on :9090');
  });

  it('serves /env with the env_file values and /files from the bind-mounted dir, live', async () => {
    const env = await httpGetInContainer(app, '/env', 9090);
    expect(env.split('\n')).toEqual(expect.arrayContaining(['GREETING=hello from env_file', 'SVC_PORT=9090']));
    expect((await inspectContainer(app))?.env).toContain('GREETING=hello from env_file');
    expect(await httpGetInContainer(app, '/files/app.conf', 9090)).toBe('greeting = one\n');
    await writeFile(join(dir, 'config', 'app.conf'), 'greeting = two\n'); // same inode: a dir mount shows it at once
    expect(await httpGetInContainer(app, '/files/app.conf', 9090)).toBe('greeting = two\n');
    await expect(httpGetInContainer(app, '/files/absent', 9090)).rejects.toThrow(/404/);
    expect(await httpGetInContainer(app, '/', 9090)).toBe('rig-svc\n');
  });

  it('turns unhealthy while config/unhealthy exists, and healthy again without it', async () => {
    const marker = join(dir, 'config', 'unhealthy');
    await writeFile(marker, '');
    await expect(httpGetInContainer(app, '/cgi-bin/health', 9090)).rejects.toThrow(/503/);
    let t0 = performance.now();
    await waitFor('app unhealthy', () => state(app, (s) => s.health === 'unhealthy'), 30_000, 50);
    console.log(`[svc-image] marker to unhealthy (retries 2): ${ms(t0)} ms`);
    await unlink(marker);
    expect(await httpGetInContainer(app, '/cgi-bin/health', 9090)).toBe('ok\n');
    t0 = performance.now();
    await waitFor('app healthy again', () => state(app, (s) => s.health === 'healthy'), 30_000, 50);
    console.log(`[svc-image] marker removed to healthy: ${ms(t0)} ms`);
  });

  it('runs the oneshot mode and exits with the given code', async () => {
    await compose('up', '-d', 'init');
    const c = await waitFor('init exited', () => state(`${project}_init_1`, (s) => s.status === 'exited'), 15_000, 50);
    expect(c.exitCode).toBe(3);
    expect(c.health).toBeUndefined();
    expect(await containerLogs(`${project}_init_1`)).toBe('svc: oneshot exiting with 3');
  });

  it('refuses to start with SVC_FAIL_START=1: exit 2 at once, message on stderr', async () => {
    const t0 = performance.now();
    await compose('up', '-d', 'broken');
    const c = await waitFor(
      'broken exited',
      () => state(`${project}_broken_1`, (s) => s.status === 'exited'),
      5_000,
      50,
    );
    console.log(`[svc-image] fail-start: up -d to exited: ${ms(t0)} ms`);
    expect(c.exitCode).toBe(2);
    expect(await containerLogs(`${project}_broken_1`)).toContain('svc: refusing to start (SVC_FAIL_START=1)');
  });

  it('stops promptly on SIGTERM with exit 0', async () => {
    const t0 = performance.now();
    await dockerOk(['stop', app]);
    const stopMs = ms(t0);
    console.log(`[svc-image] docker stop: ${stopMs} ms`);
    expect(stopMs).toBeLessThan(3_000);
    expect(await inspectContainer(app)).toMatchObject({ running: false, status: 'exited', exitCode: 0 });
  });

  it('retagVariant points the same tag at a new image ID each time', async () => {
    const dst = `${project}/variant:1`;
    expect(await imageId(dst)).toBeUndefined();
    const t0 = performance.now();
    const first = await retagVariant(IMAGE, dst, 'a');
    console.log(`[svc-image] retagVariant: ${ms(t0)} ms`);
    variants.push(first);
    const second = await retagVariant(IMAGE, dst, 'a');
    variants.push(second);
    expect(first).not.toBe(await imageId(IMAGE));
    expect(second).not.toBe(first);
    expect(await imageId(dst)).toBe(second);
    const labels = await dockerOk(['image', 'inspect', '-f', '{{json .Config.Labels}}', dst]);
    expect(JSON.parse(labels)).toMatchObject({ [VARIANT_LABEL]: 'a' });
  });

  it('reports absent objects as undefined and a missed deadline with the last error', async () => {
    expect(await inspectContainer(`${project}_nothing_1`)).toBeUndefined();
    expect(await imageId(`${project}/nothing:1`)).toBeUndefined();
    const failing = (): Promise<undefined> => Promise.reject(new Error('still booting'));
    await expect(waitFor('a miracle', failing, 150, 20)).rejects.toThrow(
      'timed out after 150ms waiting for a miracle; last error: still booting',
    );
    await expect(removeContainers('rig')).rejects.toThrow(/shorter than 4/);
  });

  it('removes every container and network of the project by prefix', async () => {
    await removeContainers(project);
    await removeNetworks(project);
    const containers = await dockerOk(['ps', '-aq', '-f', `label=com.docker.compose.project=${project}`]);
    const networks = await dockerOk(['network', 'ls', '-q', '-f', `name=${project}`]);
    expect(containers + networks).toBe('');
  });
});
