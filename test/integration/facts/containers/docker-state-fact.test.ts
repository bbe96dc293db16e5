// The docker-state and container-state facts, and the compose/docker builders, against the real engine, under
// Compose v1 (Debian's 1.29.2) and v2 (the 2.26.1 plugin of rig/target:1), and a v2 installed as docker-compose.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, composeConfigCheck, composeUp, type ComposeFileTarget } from '../../../../src/compose/compose-cmd.js';
import {
  dockerExec,
  dockerLogsTail,
  dockerNetworkCreate,
  dockerRemoveContainers,
} from '../../../../src/compose/docker-cmd.js';
import { exec, withEnv } from '../../../../src/core/cmd/cmd.js';
import {
  containerStatesCmd,
  parseContainerStates,
  type ContainerState,
} from '../../../../src/facts/containers/container-state.js';
import {
  dockerStateCmd,
  parseDockerState,
  type DockerState,
  type DockerStateQuery,
} from '../../../../src/facts/containers/docker-state.js';
import { LocalTransport } from '../../../../src/transport/local-transport.js';
import { run } from '../../../../src/transport/run.js';
import { localCompose, type LocalCompose } from '../../../helpers/docker/local-compose.js';
import { requireImages } from '../../../bed/require-images.js';

const skipReason = await requireImages(
  'docker-state-fact',
  ['local/busybox:1', 'rig/target:1'],
  'scripts/build-images.sh',
);

const COMPOSE_FILE = (v: 'v1' | 'v2') => `${v === 'v1' ? 'version: "2.4"\n' : ''}services:
  web:
    image: local/busybox:1
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 10s, retries: 3 }
  once:
    image: local/busybox:1
    command: ["sh", "-c", "sleep 1; echo bye >&2; exit 7"]
`;
const FLAVORS = {
  v1: { compose: { flavor: 'v1', version: '1.29.2', cli: 'standalone' }, sep: '_' },
  v2: { compose: { flavor: 'v2', version: '2.26.1-4', cli: 'plugin' }, sep: '-' },
} as const;

describe.skipIf(skipReason !== undefined).each(['v1', 'v2'] as const)(
  'docker-state fact on the real engine, Compose %s',
  (flavor) => {
    const t = new LocalTransport();
    const dir = mkdtempSync(path.join(tmpdir(), 'rigfact-'));
    const PROJECT = `rigfactit${process.pid}${flavor}`;
    const NET = `${PROJECT}_made`;
    /** Compose's own container name of a service (no container_name here): `p_web_1` (v1), `p-web-1` (v2). */
    const named = (service: string): string => [PROJECT, service, '1'].join(FLAVORS[flavor].sep);
    const { cli } = FLAVORS[flavor].compose;
    const target: ComposeFileTarget = {
      flavor,
      cli,
      project: PROJECT,
      projectDir: dir,
      file: path.join(dir, 'compose.yml'),
    };
    let local: LocalCompose;
    const onHost: LocalCompose['wrap'] = (c, o) => local.wrap(c, o);
    const query: DockerStateQuery = {
      project: PROJECT,
      images: ['local/busybox:1', `${PROJECT}/absent:1`],
      networks: [NET, `${PROJECT}_default`, `${PROJECT}_absent`],
    };

    async function dockerState(q = query): Promise<DockerState> {
      const before = t.counters.execChannels;
      const r = await run(t, onHost(dockerStateCmd(q)));
      expect(t.counters.execChannels - before).toBe(1);
      return parseDockerState(r.stdout, q);
    }
    async function states(names: readonly string[]): Promise<ContainerState[]> {
      return parseContainerStates((await run(t, onHost(containerStatesCmd(names)))).stdout, names);
    }
    /**
     * Polls the container-state fact until `done` holds for `name`, or fails after 30 s with the last state and its
     * logs.
     */
    async function pollUntil(name: string, done: (c: ContainerState) => boolean): Promise<ContainerState> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [c] = await states([name]);
        if (c !== undefined && done(c)) return c;
        if (Date.now() > deadline) {
          const logs = await t.exec(onHost(dockerLogsTail(name, 20)));
          throw new Error(
            `${name} never reached the expected state; last: ${JSON.stringify(c)}; logs:\n${logs.stdout}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    beforeAll(async () => {
      local = localCompose(flavor);
      writeFileSync(target.file, COMPOSE_FILE(flavor));
      await run(t, onHost(dockerNetworkCreate(NET, { internal: true, labels: { 'rig.test': "it's $(x)" } })));
      await run(t, onHost(composeUp(target, ['web', 'once'], { forceRecreate: false })));
    });
    afterAll(async () => {
      const oneOffs = await t.exec(
        exec(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]),
      );
      const ids = oneOffs.stdout.split('\n').filter((l) => l !== '');
      if (ids.length > 0) await t.exec(exec(['docker', 'rm', '-f', ...ids]));
      await t.exec(onHost(compose(target, 'down', '-t', '0')));
      await t.exec(onHost(exec(['docker', 'network', 'rm', '--', NET])));
      rmSync(dir, { recursive: true, force: true });
      local.remove();
    });

    it('detects the compose by what it reports and reads containers, images and networks in one exec', async () => {
      await pollUntil(named('web'), (c) => c.health === 'healthy');
      const s = await dockerState();
      expect(s.compose).toEqual(FLAVORS[flavor].compose);
      expect(s.engine).toEqual({
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        minApi: expect.stringMatching(/^1\.\d+$/),
      });
      const web = s.containers.find((c) => c.service === 'web');
      expect(web).toMatchObject({
        name: named('web'),
        project: PROJECT,
        status: 'running',
        running: true,
        health: 'healthy',
        restartCount: 0,
      });
      expect(web?.image).toBe(s.images.get('local/busybox:1')?.id);
      expect(s.containers.map((c) => c.service).sort()).toEqual(['once', 'web']);
      expect(s.images.get(`${PROJECT}/absent:1`)).toBeUndefined();
      expect(s.networks.get(NET)).toEqual({ name: NET, internal: true, labels: { 'rig.test': "it's $(x)" } });
      expect(s.networks.get(`${PROJECT}_default`)).toMatchObject({
        internal: false,
        labels: { 'com.docker.compose.project': PROJECT },
      });
      expect(s.networks.get(`${PROJECT}_absent`)).toBeUndefined();
    });

    it('containerStatesCmd follows a container until it exits, skipping absent names', async () => {
      const once = await pollUntil(named('once'), (c) => c.status === 'exited');
      expect(once).toMatchObject({ status: 'exited', running: false, exitCode: 7, service: 'once' });
      expect('health' in once).toBe(false);
      const both = await states([named('nope'), named('once'), named('web')]);
      expect(both.map((c) => c.name)).toEqual([named('once'), named('web')]);
      expect((await run(t, onHost(dockerLogsTail(named('once'), 5)))).stdout).toBe('bye\n');
    });

    it('reports a network or container found only by ID prefix as missing', async () => {
      const id = (
        await run(t, onHost(exec(['docker', 'network', 'inspect', '--format', '{{.Id}}', '--', NET])))
      ).stdout.trim();
      const s = await dockerState({ ...query, networks: [id.slice(0, 12)] });
      expect(s.networks.get(id.slice(0, 12))).toBeUndefined();
      const web = (await states([named('web')]))[0]!;
      expect(await states([web.id.slice(0, 12)])).toEqual([]);
    });

    it('builders drive the real tools: exec argv, config check, force-recreate, idempotent rm', async () => {
      const web = named('web');
      expect((await run(t, onHost(dockerExec(web, ['echo', '-n', "it's $(x)"])))).stdout).toBe("it's $(x)");
      await run(t, onHost(composeConfigCheck(target)));
      const bad = { ...target, file: path.join(dir, 'bad.yml') };
      writeFileSync(bad.file, 'services:\n  web:\n    image: [1\n');
      const r = await t.exec(onHost(composeConfigCheck(bad)));
      expect(r.code).not.toBe(0);
      // v1 names the file; v2 prints only the YAML parser's line (rig's own message names the file: compose-recreate)
      expect(r.stderr).toContain(flavor === 'v1' ? 'bad.yml' : 'yaml: line 2: did not find expected');
      const before = (await states([web]))[0]!;
      await run(t, onHost(composeUp(target, ['web'], { forceRecreate: true })));
      expect((await states([web]))[0]!.id).not.toBe(before.id);
      await run(t, onHost(dockerRemoveContainers([named('once'), named('nope')])));
      expect((await dockerState()).containers.map((c) => c.service)).toEqual(['web']);
    });

    it('leaves out a `compose run` one-off of a service', async () => {
      await run(t, onHost(compose(target, 'run', '-d', '--no-deps', 'web', 'sleep', '1000')));
      const all = await run(
        t,
        exec([
          'docker',
          'ps',
          '-a',
          '--filter',
          `label=com.docker.compose.project=${PROJECT}`,
          '--format',
          '{{.Names}}',
        ]),
      );
      expect(all.stdout).toMatch(new RegExp(`^${PROJECT}[_-]web[_-]run[_-]`, 'm'));
      expect((await dockerState()).containers.map((c) => c.name)).toEqual([named('web')]);
    });

    it("sees containers outside the project that hold its name prefix (a project's - is _ there), no others", async () => {
      // project `<P>-x` names its containers `<P>_x_…` under compose v1: a hand-made one holds such a name
      const holder = `${PROJECT}_x_hand`;
      const other = `${PROJECT}_y_hand`;
      for (const name of [holder, other])
        await run(t, onHost(exec(['docker', 'create', '--name', name, 'local/busybox:1', 'true'])));
      try {
        const s = await dockerState({ project: `${PROJECT}-x`, images: [], networks: [] });
        expect(s.containers).toEqual([]);
        expect(s.nameHolders.map((c) => c.name)).toEqual([holder]);
        // and the project's own containers are still read by their label, with none of these
        expect((await dockerState()).containers.map((c) => c.name)).toEqual([named('web')]);
      } finally {
        await run(t, onHost(exec(['docker', 'rm', '-f', holder, other])));
      }
    });

    it.skipIf(!existsSync('/usr/local/bin/docker'))(
      'gives the same answer through the newer docker client in /usr/local/bin',
      async () => {
        // recreated by the test before: states settle first
        await pollUntil(named('web'), (c) => c.health === 'healthy');
        const newer = await run(t, onHost(dockerStateCmd(query), { newerDocker: true }));
        expect(parseDockerState(newer.stdout, query)).toEqual(await dockerState());
      },
    );

    it('fails with docker’s own message when the daemon is unreachable or docker is missing', async () => {
      const down = await t.exec(withEnv(onHost(dockerStateCmd(query)), { DOCKER_HOST: `unix://${dir}/no.sock` }));
      expect(down.code).not.toBe(0);
      expect(down.stderr).toContain(`Cannot connect to the Docker daemon at unix://${dir}/no.sock`);
      const missing = await t.exec(withEnv(dockerStateCmd(query), { PATH: dir }));
      expect(missing.code).toBe(127);
      expect(missing.stderr).toMatch(/docker: not found/);
      await expect(run(t, withEnv(dockerStateCmd(query), { PATH: dir }))).rejects.toThrow(
        /^localhost: command failed with exit code 127: PATH=\S+ \/bin\/sh -c .*\n {2}\| sh: \d+: docker: not found$/s,
      );
    });
  },
);

describe.skipIf(skipReason !== undefined)('a Compose v2 installed as docker-compose (standalone)', () => {
  it('is detected as v2 by what it reports, and driven as docker-compose', async () => {
    const t = new LocalTransport();
    const local = localCompose('v2-standalone');
    const dir = mkdtempSync(path.join(tmpdir(), 'rigfact-'));
    const project = `rigfactit${process.pid}sa`;
    const target: ComposeFileTarget = {
      flavor: 'v2',
      cli: 'standalone',
      project,
      projectDir: dir,
      file: path.join(dir, 'compose.yml'),
    };
    try {
      const q = { project, images: [], networks: [] };
      const s = parseDockerState((await run(t, local.wrap(dockerStateCmd(q)))).stdout, q);
      expect(s.compose).toEqual({ flavor: 'v2', version: '2.26.1-4', cli: 'standalone' });
      writeFileSync(
        target.file,
        'services:\n  web:\n    image: local/busybox:1\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n',
      );
      const up = await run(t, local.wrap(composeUp(target, ['web'], { forceRecreate: false })));
      expect(up.stderr).not.toMatch(/warn/i);
      const after = parseDockerState((await run(t, local.wrap(dockerStateCmd(q)))).stdout, q);
      expect(after.containers.map((c) => [c.name, c.labels['com.docker.compose.version']])).toEqual([
        [`${project}-web-1`, '2.26.1'],
      ]);
    } finally {
      await t.exec(local.wrap(compose(target, 'down', '-t', '0')));
      rmSync(dir, { recursive: true, force: true });
      local.remove();
    }
  });
});
