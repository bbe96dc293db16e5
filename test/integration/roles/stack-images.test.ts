// The stack images built by scripts/images/{postgres,redis,caddy,litellm-standin,headscale-standin}.sh, run for real.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { requireDocker } from '../../helpers/testbed/index.js';
import {
  containerLogs,
  docker,
  dockerOk,
  execIn,
  httpGetInContainer,
  imageId,
  inspectContainer,
  removeContainers,
  removeNetworks,
  waitFor,
} from '../../helpers/docker/index.js';

const IMAGES = {
  postgres: 'local/postgres:15-rig',
  redis: 'local/redis:7-rig',
  caddy: 'local/caddy:2.6-rig',
  'litellm-standin': 'local/litellm-standin:2',
  'headscale-standin': 'local/headscale-standin:2',
} as const;
const SERVICES = ['pg', 'redis', 'redis_auth', 'caddy', 'litellm', 'headscale'] as const;
const COMPOSE_BIN = '/usr/bin/docker-compose';
const script = (name: string): string => fileURLToPath(new URL(`../../../scripts/images/${name}.sh`, import.meta.url));
const ms = (start: number): number => Math.round(performance.now() - start);

/** Only root can build the images; without root, run only when all of them exist already. */
async function imageProblem(): Promise<string | undefined> {
  if (process.getuid?.() === 0) return undefined;
  for (const tag of Object.values(IMAGES)) {
    if ((await imageId(tag)) === undefined) {
      console.warn(`[stack-images] skipping: ${tag} missing and only root can build it (scripts/build-images.sh)`);
      return `${tag} missing`;
    }
  }
  return undefined;
}
const skipReason = (await requireDocker()) ?? (await imageProblem());

const healthcheck = (test: string): string =>
  `healthcheck: { test: ${JSON.stringify(test)}, interval: 250ms, timeout: 3s, retries: 40 }`;
const COMPOSE = `version: "2.4"
services:
  pg:
    image: ${IMAGES.postgres}
    environment: { POSTGRES_PASSWORD_FILE: /run/secrets/pg, POSTGRES_USER: litellm, POSTGRES_DB: litellm }
    volumes: ["./pg-password:/run/secrets/pg:ro"]
    ${healthcheck('pg_isready -h 127.0.0.1 -U postgres')}
  redis:
    image: ${IMAGES.redis}
    ${healthcheck('redis-cli -h 127.0.0.1 ping | grep -qx PONG')}
  redis_auth:
    image: ${IMAGES.redis}
    environment: { REDIS_PASSWORD: "r3dis pw" }
    ${healthcheck('REDISCLI_AUTH="$$REDIS_PASSWORD" redis-cli -h 127.0.0.1 ping | grep -qx PONG')}
  caddy:
    image: ${IMAGES.caddy}
    volumes: ["./caddy:/etc/caddy"]
    ${healthcheck('timeout 3 wget -qO- http://127.0.0.1:8080/health')}
  litellm:
    image: ${IMAGES['litellm-standin']}
    command: ["--config", "/cfg/good.yaml", "--port", "4000"]
    environment: { LITELLM_MASTER_KEY: sk-test }
    volumes: ["./litellm:/cfg:ro"]
    ${healthcheck('timeout 3 wget -qO- http://127.0.0.1:4000/health/readiness')}
  headscale:
    image: ${IMAGES['headscale-standin']}
    volumes: ["./headscale:/etc/headscale:ro"]
    ${healthcheck('timeout 3 wget -qO- http://127.0.0.1:8080/health')}
`;
const caddyfile = (version: string): string =>
  `{\n\tadmin localhost:2019\n\tauto_https off\n}\n:8080 {\n\trespond /health "ok" 200\n\trespond /version "${version}" 200\n}\n`;
const LITELLM_GOOD = `model_list:
  - model_name: claude-haiku
    litellm_params: { model: anthropic/claude-3-haiku, api_key: os.environ/ANTHROPIC_API_KEY }
  - litellm_params:
      model: openai/gpt-4o
      model_name: not-a-model-name
    model_name: "gpt-4o"
router_settings:
  routing_strategy: usage-based-routing-v2
  # health_check_interval: 0
  model_group_alias:
    health_check_interval: 0
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  health_check_interval: 300
`;
/** Placements of health_check_interval and whether v1.81.3 (so the stand-in) refuses them. */
const PLACEMENTS: [name: string, yaml: string, refused: boolean][] = [
  ['router-block', 'router_settings:\n    num_retries: 2\n    health_check_interval: 0\n', true],
  ['router-flow', 'router_settings: {num_retries: 2, health_check_interval: 0}\n', true],
  ['router-quoted-crlf', '"router_settings":\r\n  "health_check_interval": 0\r\n', true],
  ['router-nested-flow', 'router_settings: {model_group_alias: {health_check_interval: 0}}\n', false],
  ['general', 'router_settings:\n  num_retries: 2\ngeneral_settings:\n  health_check_interval: 0\n', false],
  ['top-level', 'health_check_interval: 0\nrouter_settings:\n  num_retries: 2\n', false],
  ['in-block-scalar', 'router_settings:\n  note: |\n    health_check_interval: 0\n', false],
];
const HEADSCALE = `server_url: https://vpn.example.test
listen_addr: 0.0.0.0:8080
dns:
  base_domain: ts.example.test
  extra_records:
  - { name: grafana.example.test, type: A, value: 100.64.0.1 }
  - name: n8n.example.test
    type: A
    value: 100.64.0.1
  override_local_dns: true
`;

describe.skipIf(skipReason !== undefined)(
  'stack images: postgres, redis, caddy, LiteLLM and Headscale stand-ins',
  () => {
    const project = `rigimg${randomBytes(4).toString('hex')}`;
    const name = (service: (typeof SERVICES)[number]): string => `${project}_${service}_1`;
    let runs = 0;
    let dir = '';
    let failed = false;

    /** `docker run --rm` of a container expected to refuse to start: its exit code and output. */
    const refusal = async (args: string[]): Promise<{ code: number; output: string }> => {
      const r = await docker(['run', '--rm', '--name', `${project}_run${runs++}`, ...args]);
      return { code: r.code, output: r.stdout + r.stderr };
    };
    const stopsOnSigterm = async (container: string): Promise<void> => {
      const t0 = performance.now();
      await dockerOk(['kill', '-s', 'TERM', container]);
      const c = await waitFor(
        `${container} exited`,
        async () => ((await inspectContainer(container))?.running === false ? true : undefined),
        10_000,
        20,
      );
      expect(c).toBe(true);
      console.log(`[stack-images] ${container}: SIGTERM to exited ${ms(t0)} ms`);
      expect(await inspectContainer(container)).toMatchObject({ status: 'exited', exitCode: 0 });
    };

    beforeAll(async () => {
      for (const [image, tag] of Object.entries(IMAGES)) {
        const t0 = performance.now();
        const { stderr } = await execa(script(image));
        const size = await dockerOk(['image', 'inspect', '-f', '{{.Size}}', tag]);
        console.log(`[stack-images] ${stderr.trim()} (script ${ms(t0)} ms, ${(Number(size) / 1e6).toFixed(1)} MB)`);
      }
      dir = await mkdtemp(join(tmpdir(), 'rig-stack-images-'));
      for (const sub of ['caddy', 'litellm', 'headscale']) await mkdir(join(dir, sub));
      await writeFile(join(dir, 'pg-password'), 'pg s3cret\n', { mode: 0o644 });
      await writeFile(join(dir, 'caddy', 'Caddyfile'), caddyfile('one'));
      await writeFile(join(dir, 'caddy', 'bad.Caddyfile'), ':8080 {\n\trespond /health "ok"\n\tbogus_directive\n}\n');
      await writeFile(join(dir, 'litellm', 'good.yaml'), LITELLM_GOOD);
      for (const [file, yaml] of PLACEMENTS) await writeFile(join(dir, 'litellm', `${file}.yaml`), yaml);
      await writeFile(join(dir, 'headscale', 'config.yaml'), HEADSCALE);
      await writeFile(join(dir, 'compose.yml'), COMPOSE);
    });
    afterEach((ctx) => {
      if (ctx.task.result?.state === 'fail') failed = true;
    });
    afterAll(async () => {
      if (failed) {
        for (const service of SERVICES) {
          const logs = await containerLogs(name(service), 40).catch((e: unknown) => String(e));
          process.stderr.write(`[stack-images] ${service} logs:\n${logs}\n`);
        }
      }
      await removeContainers(project);
      await removeNetworks(project);
      if (dir !== '') await rm(dir, { recursive: true, force: true });
    });

    it('starts each service under docker-compose v1 and turns it healthy through its healthcheck', async () => {
      for (const service of SERVICES) {
        const t0 = performance.now();
        await execa(COMPOSE_BIN, ['-p', project, '-f', join(dir, 'compose.yml'), 'up', '-d', service]);
        const c = await waitFor(
          `${service} healthy`,
          async () => {
            const s = await inspectContainer(name(service));
            return s?.health === 'healthy' ? s : undefined;
          },
          30_000,
          25,
        );
        const sinceStart = Date.now() - Date.parse(c.startedAt.replace(/(\.\d{3})\d+/, '$1'));
        console.log(
          `[stack-images] ${service}: up -d to healthy ${ms(t0)} ms, container start to healthy ${sinceStart} ms`,
        );
      }
    });

    it('postgres: password from the file over TCP, the POSTGRES_USER/DB pair, a clean SIGTERM stop and a restart', async () => {
      const pg = name('pg');
      const psql = (
        user: string,
        password: string,
        db = 'postgres',
      ): Promise<{ code: number; stdout: string; stderr: string }> =>
        docker([
          'exec',
          '-e',
          `PGPASSWORD=${password}`,
          pg,
          'psql',
          '-h',
          '127.0.0.1',
          '-U',
          user,
          '-d',
          db,
          '-Atc',
          'select 1, current_user',
        ]);
      expect(await psql('postgres', 'pg s3cret')).toMatchObject({ code: 0, stdout: '1|postgres' });
      expect(await psql('litellm', 'pg s3cret', 'litellm')).toMatchObject({ code: 0, stdout: '1|litellm' });
      const wrong = await psql('postgres', 'nope');
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain('password authentication failed for user "postgres"');
      expect((await execIn(pg, ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres'])).stdout).toBe(
        '127.0.0.1:5432 - accepting connections\n',
      );
      await stopsOnSigterm(pg);
      expect(await containerLogs(pg)).toContain('database system is shut down');
      await dockerOk(['start', pg]);
      await waitFor(
        'pg healthy after restart',
        async () => ((await inspectContainer(pg))?.health === 'healthy' ? true : undefined),
        30_000,
        25,
      );
      expect((await containerLogs(pg)).match(/rig-postgres: initialised/g)).toHaveLength(1);
      const noPassword = await refusal([IMAGES.postgres]);
      expect(noPassword).toMatchObject({
        code: 1,
        output: expect.stringContaining('rig-postgres: error: no password for the new cluster'),
      });
    });

    it('redis: PONG; with REDIS_PASSWORD a bare ping gets NOAUTH (exit 0!) and REDISCLI_AUTH gets PONG', async () => {
      expect((await execIn(name('redis'), ['redis-cli', '-h', '127.0.0.1', 'ping'])).stdout).toBe('PONG\n');
      expect(await execIn(name('redis_auth'), ['redis-cli', '-h', '127.0.0.1', 'ping'])).toMatchObject({
        code: 0,
        stdout: 'NOAUTH Authentication required.\n\n',
      });
      const authed = await docker([
        'exec',
        '-e',
        'REDISCLI_AUTH=r3dis pw',
        name('redis_auth'),
        'redis-cli',
        '-h',
        '127.0.0.1',
        'ping',
      ]);
      expect(authed.stdout).toBe('PONG');
      await stopsOnSigterm(name('redis'));
    });

    it('caddy: validate accepts the file and rejects bogus_directive with file:line; reload swaps the config in place', async () => {
      const caddy = name('caddy');
      const validate = (file: string): Promise<{ code: number; stdout: string; stderr: string }> =>
        docker(['exec', caddy, 'caddy', 'validate', '--config', `/etc/caddy/${file}`, '--adapter', 'caddyfile']);
      const good = await validate('Caddyfile');
      expect(good.code).toBe(0);
      expect(good.stdout + good.stderr).toContain('Valid configuration');
      const bad = await validate('bad.Caddyfile');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(
        'Error: adapting config using caddyfile: /etc/caddy/bad.Caddyfile:3: unrecognized directive: bogus_directive',
      );
      expect(await httpGetInContainer(caddy, '/health')).toBe('ok');
      expect(await httpGetInContainer(caddy, '/version')).toBe('one');
      const before = await inspectContainer(caddy);
      await writeFile(join(dir, 'caddy', 'Caddyfile'), caddyfile('two'));
      const t0 = performance.now();
      await dockerOk(['exec', caddy, 'caddy', 'reload', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile']);
      console.log(`[stack-images] caddy reload: ${ms(t0)} ms`);
      expect(await httpGetInContainer(caddy, '/version')).toBe('two');
      expect(await inspectContainer(caddy)).toMatchObject({
        id: before?.id,
        startedAt: before?.startedAt,
        running: true,
      });
      await stopsOnSigterm(caddy);
    });

    it('caddy: with `admin off` in the running config, reload cannot reach the instance', async () => {
      const caddy = `${project}_caddy_admin_off`;
      await writeFile(
        join(dir, 'caddy', 'admin-off.Caddyfile'),
        caddyfile('one').replace('admin localhost:2019', 'admin off'),
      );
      const config = ['--config', '/etc/caddy/admin-off.Caddyfile', '--adapter', 'caddyfile'];
      await dockerOk([
        'run',
        '-d',
        '--name',
        caddy,
        '-v',
        `${join(dir, 'caddy')}:/etc/caddy:ro`,
        IMAGES.caddy,
        'caddy',
        'run',
        ...config,
      ]);
      expect(await waitFor('caddy serving', () => httpGetInContainer(caddy, '/version'), 10_000, 50)).toBe('one');
      const reload = await docker(['exec', caddy, 'caddy', 'reload', ...config]);
      expect(reload.code).toBe(1);
      expect(reload.stderr).toContain('dial tcp 127.0.0.1:2019: connect: connection refused');
    });

    it('litellm-standin: health endpoints, models from the config, /health calls counted, Bearer key enforced', async () => {
      const litellm = name('litellm');
      const get = async (path: string, key?: string): Promise<string> => {
        const auth = key === undefined ? [] : ['--header', `Authorization: Bearer ${key}`];
        const r = await execIn(litellm, ['timeout', '5', 'wget', '-qO-', ...auth, `http://127.0.0.1:4000${path}`]);
        return r.code === 0 ? r.stdout : `exit ${r.code}: ${r.stderr.trim()}`;
      };
      expect(await get('/health/liveliness')).toBe('"I\'m alive!"');
      expect(JSON.parse(await get('/health/readiness'))).toEqual({ status: 'healthy', db: 'connected' });
      expect(await get('/stats/health-calls')).toBe('0');
      const models = JSON.parse(await get('/v1/models', 'sk-test')) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(['claude-haiku', 'gpt-4o']);
      expect(await get('/v1/models')).toContain('401 Unauthorized');
      expect(JSON.parse(await get('/health', 'sk-test'))).toMatchObject({ healthy_count: 2, unhealthy_count: 0 });
      expect(await get('/health', 'wrong')).toContain('401 Unauthorized');
      expect(await get('/stats/health-calls')).toBe('2');
      expect(await get('/chat')).toContain('404 Not Found');
      expect(await containerLogs(litellm)).toContain('INFO:     Uvicorn running on http://0.0.0.0:4000');
      await stopsOnSigterm(litellm);
    });

    it('litellm-standin: refuses health_check_interval inside router_settings, as v1.81.3, and a missing master key', async () => {
      const mount = ['-v', `${join(dir, 'litellm')}:/cfg:ro`];
      const bad = await refusal([
        ...mount,
        '-e',
        'LITELLM_MASTER_KEY=k',
        IMAGES['litellm-standin'],
        '--config',
        '/cfg/router-block.yaml',
      ]);
      expect(bad.code).toBe(1);
      expect(bad.output).toContain('ValueError: health_check_interval is not a valid router_settings parameter');
      const noKey = await refusal([...mount, IMAGES['litellm-standin'], '--config', '/cfg/good.yaml']);
      expect(noKey).toMatchObject({ code: 1, output: expect.stringContaining('LITELLM_MASTER_KEY is not set') });
      const checker = `${project}_checker`;
      await dockerOk([
        'run',
        '-d',
        '--name',
        checker,
        ...mount,
        '--entrypoint',
        'sleep',
        IMAGES['litellm-standin'],
        '60',
      ]);
      for (const [file, , refused] of PLACEMENTS) {
        const r = await execIn(checker, ['litellm-standin-check', `/cfg/${file}.yaml`]);
        expect({ file, code: r.code, valueError: r.stderr.includes('ValueError') }).toEqual({
          file,
          code: refused ? 1 : 0,
          valueError: refused,
        });
      }
    });

    it('headscale-standin: serves /health and the dns values it read; refuses a missing or malformed config', async () => {
      const headscale = name('headscale');
      expect(JSON.parse(await httpGetInContainer(headscale, '/health'))).toEqual({ status: 'pass' });
      expect(JSON.parse(await httpGetInContainer(headscale, '/config/dns'))).toEqual({
        override_local_dns: true,
        extra_records: 2,
      });
      const missing = await refusal([IMAGES['headscale-standin']]);
      expect(missing).toMatchObject({
        code: 1,
        output: expect.stringContaining('/etc/headscale/config.yaml: config file not found'),
      });
      await writeFile(join(dir, 'headscale', 'broken.yaml'), 'server_url: https://x\n\tdns: {}\nlisten_addr 8080\n');
      const broken = await refusal([
        '-v',
        `${join(dir, 'headscale')}:/etc/headscale:ro`,
        IMAGES['headscale-standin'],
        '-c',
        '/etc/headscale/broken.yaml',
      ]);
      expect(broken.code).toBe(1);
      expect(broken.output).toContain('/etc/headscale/broken.yaml:2: tab in indentation');
      expect(broken.output).toContain('/etc/headscale/broken.yaml:3: expected a top-level `key: value` entry');
      expect(broken.output).toContain('missing required key listen_addr');
      await stopsOnSigterm(headscale);
    });
  },
);
