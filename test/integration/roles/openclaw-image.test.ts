// local/openclaw:2026.9.6 on the real engine: the image contract, `plugins list --json`, `config validate` on the
// allow-list and the incumbent's crashers, and the gateway's /healthz on a lan bind. Opt-in: the image takes minutes to
// build.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOpenclawConfig } from '../../../src/openclaw/config-checks.js';
import { notLoaded, parsePluginsList } from '../../../src/openclaw/plugins-list.js';
import {
  containerLogs,
  docker,
  dockerOk,
  imageId,
  removeContainers,
  waitFor,
  type DockerResult,
} from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const VERSION = '2026.9.6';
const IMAGE = `local/openclaw:${VERSION}`;
const SANDBOX_IMAGE = 'local/openclaw-sandbox:bookworm-slim';
const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/images/openclaw.sh', import.meta.url));
const FULL = JSON.parse(
  await readFile(new URL('../../fixtures/openclaw/openclaw.full.json', import.meta.url), 'utf8'),
) as object;
const SECRETS = { OPENCLAW_GATEWAY_TOKEN: 'test-gateway-token', TELEGRAM_BOT_TOKEN: '123456:test-token' };

/** Without the image and without RIG_IMAGES_OPENCLAW=1 (build it here), say why instead of running. */
async function imageProblem(): Promise<string | undefined> {
  if ((await imageId(IMAGE)) !== undefined || process.env['RIG_IMAGES_OPENCLAW'] === '1') return undefined;
  const reason = `${IMAGE} missing; build it with RIG_IMAGES_OPENCLAW=1 scripts/build-images.sh (about 2 min cold)`;
  console.warn(`[openclaw-image] skipping: ${reason}`);
  return reason;
}

const skipReason = (await requireDocker()) ?? (await imageProblem());

const GATEWAY = { mode: 'local', port: 18789, bind: 'loopback' };
const TELEGRAM = { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}' };

describe.skipIf(skipReason !== undefined)(`${IMAGE} on the real engine`, () => {
  const prefix = `rigoc${randomBytes(4).toString('hex')}`;
  let root = '';
  let n = 0;

  beforeAll(async () => {
    if ((await imageId(IMAGE)) === undefined) await execa(BUILD_SCRIPT, { stdio: 'inherit', timeout: 290_000 });
    root = await mkdtemp(join(tmpdir(), 'rig-openclaw-'));
    await chmod(root, 0o755);
  });

  afterAll(async () => {
    await removeContainers(prefix);
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  /**
   * A state dir at the same path on host and in the container (uid 1000 writes it), holding `config` as openclaw.json.
   */
  async function stateDir(name: string, config: object): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await chmod(dir, 0o777);
    await writeFile(join(dir, 'openclaw.json'), JSON.stringify(config, null, 2));
    return dir;
  }

  const envArgs = (env: Record<string, string>): string[] =>
    Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);

  /** `docker run --rm` of the image with the state dir mounted at its own path and the OpenClaw env pointing at it. */
  function run(dir: string, cmd: string[], env: Record<string, string> = {}): Promise<DockerResult> {
    const all = { OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: join(dir, 'openclaw.json'), ...SECRETS, ...env };
    return docker(
      ['run', '--rm', '--name', `${prefix}-${n++}`, '-v', `${dir}:${dir}`, ...envArgs(all), IMAGE, ...cmd],
      { timeout: 120_000 },
    );
  }

  it('runs the pinned CLI as user node, with the docker client, healthcheck and sandbox Dockerfile', async () => {
    expect(await dockerOk(['run', '--rm', IMAGE, 'openclaw', '--version'])).toMatch(/^OpenClaw 2026\.9\.6 \(/);
    const probe =
      'id -u; id -g; echo "$HOME"; node --version; command -v docker; command -v openclaw-healthcheck; sed -n 2p /app/Dockerfile.sandbox';
    expect((await dockerOk(['run', '--rm', IMAGE, 'sh', '-c', probe])).split('\n')).toEqual([
      '1000',
      '1000',
      '/home/node',
      'v24.21.0',
      '/usr/local/bin/docker',
      '/usr/local/bin/openclaw-healthcheck',
      'FROM debian:bookworm-slim',
    ]);
    const labels = (ref: string): Promise<string> =>
      dockerOk(['image', 'inspect', '-f', '{{index .Config.Labels "rig.openclaw.version"}}', ref]);
    expect(await labels(IMAGE)).toBe(VERSION);
    expect(await labels(SANDBOX_IMAGE)).toBe(VERSION);
    expect(await dockerOk(['run', '--rm', SANDBOX_IMAGE, 'id', '-un'])).toBe('sandbox');
  });

  it('plugins list --json: telegram loaded with channel + entry, disabled without them or with enabled:false', async () => {
    const cases: [string, object, string][] = [
      [
        'on',
        { gateway: GATEWAY, channels: { telegram: TELEGRAM }, plugins: { entries: { telegram: { enabled: true } } } },
        'loaded',
      ],
      ['default', { gateway: GATEWAY }, 'disabled'],
      [
        'off',
        { gateway: GATEWAY, channels: { telegram: TELEGRAM }, plugins: { entries: { telegram: { enabled: false } } } },
        'disabled',
      ],
      // 2026.9.6 enables the plugin from the channel alone; rig's rule still writes the entry (older releases did not).
      ['channel-only', { gateway: GATEWAY, channels: { telegram: TELEGRAM } }, 'loaded'],
    ];
    const results = await Promise.all(
      cases.map(async ([name, config]) =>
        run(await stateDir(`plugins-${name}`, config), ['openclaw', 'plugins', 'list', '--json']),
      ),
    );
    const statuses = results.map((r) => {
      expect(r.code, r.stderr).toBe(0);
      return notLoaded(parsePluginsList(r.stdout), ['telegram'])[0]?.status ?? 'loaded';
    });
    expect(statuses).toEqual(cases.map(([, , status]) => status));
  }, 120_000);

  it('config validate: the allow-list passes; the crashers fail as rig predicts; 2026.9.6 takes three old ones', async () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON
    const edit = (f: (c: any) => void): object => {
      const c = structuredClone(FULL);
      f(c);
      return c;
    };
    const cases: [string, object, number, string][] = [
      ['full', FULL, 0, 'Config valid: '],
      [
        'plugin-key',
        edit((c) => (c.plugins.entries.telegram.bogus = 1)),
        1,
        'plugins.entries.telegram: Unrecognized key: "bogus"',
      ],
      ['heartbeat', edit((c) => (c.heartbeat = { every: '0m' })), 1, '<root>: Unrecognized key: "heartbeat"'],
      [
        'retry',
        edit((c) => (c.channels.telegram.retry = { attempts: 5 })),
        1,
        'channels.telegram: invalid config: must not have additional properties: "retry"',
      ],
      [
        'access',
        edit((c) => (c.agents.defaults.sandbox.workspaceAccess = 'write')),
        1,
        'Invalid input (allowed: "none", "ro", "rw"), got: "write"',
      ],
      [
        'model-key',
        edit((c) => (c.agents.defaults.model.timeout = 30)),
        1,
        'agents.defaults.model: Unrecognized key: "timeout"',
      ],
      ['fallbacks', edit((c) => (c.agents.defaults.model.fallbacks = ['openai/gpt-4o'])), 0, 'Config valid: '],
      ['readability', edit((c) => (c.tools = { web: { fetch: { readability: true } } })), 0, 'Config valid: '],
      ['direct', edit((c) => (c.channels.telegram.direct = { 123: { enabled: true } })), 0, 'Config valid: '],
    ];
    const dir = await stateDir('validate', {});
    await Promise.all(cases.map(([name, config]) => writeFile(join(dir, `${name}.json`), JSON.stringify(config))));
    const loop = 'for f; do OPENCLAW_CONFIG_PATH="$f" openclaw config validate >"$f.out" 2>&1; echo $? >"$f.rc"; done';
    const files = cases.map(([name]) => join(dir, `${name}.json`));
    expect((await run(dir, ['sh', '-c', loop, 'sh', ...files])).code).toBe(0);
    for (const [name, config, code, text] of cases) {
      const out = await readFile(join(dir, `${name}.json.out`), 'utf8');
      expect(`${name}: ${(await readFile(join(dir, `${name}.json.rc`), 'utf8')).trim()}`, out).toBe(`${name}: ${code}`);
      expect(out).toContain(text);
      // whatever the product rejects, rig rejects before it ships
      if (code !== 0)
        expect(
          checkOpenclawConfig(config, { ...SECRETS, OPENCLAW_STATE_DIR: '/opt/p/data/openclaw/system' }),
        ).not.toEqual([]);
    }
  }, 180_000);

  it('gateway run: bind lan + token answers /healthz; without auth it refuses (exit 78)', async () => {
    const gateway = {
      mode: 'local',
      port: 18789,
      bind: 'lan',
      auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' },
    };
    const refused = await run(
      await stateDir('gw-noauth', { gateway: { ...gateway, auth: undefined } }),
      ['openclaw', 'gateway', 'run'],
      {
        OPENCLAW_GATEWAY_TOKEN: '',
      },
    );
    expect(refused.code).toBe(78);
    expect(refused.stdout + refused.stderr).toContain('Refusing to bind gateway to lan without auth');

    const dir = await stateDir('gw', { gateway });
    const name = `${prefix}-gw`;
    const env = { OPENCLAW_STATE_DIR: dir, OPENCLAW_CONFIG_PATH: join(dir, 'openclaw.json'), ...SECRETS };
    await dockerOk(['run', '-d', '--name', name, '-v', `${dir}:${dir}`, ...envArgs(env), IMAGE]);
    try {
      const ip = await dockerOk(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]);
      const started = performance.now();
      const body = await waitFor(
        'gateway /healthz',
        async () => {
          const res = await fetch(`http://${ip}:18789/healthz`, { signal: AbortSignal.timeout(2000) });
          return res.ok ? await res.text() : undefined;
        },
        120_000,
        500,
      );
      console.log(`[openclaw-image] gateway /healthz after ${Math.round(performance.now() - started)} ms: ${body}`);
      expect(JSON.parse(body)).toEqual({ ok: true, status: 'live' });
      // the image's healthcheck (node + a 3 s fetch): retried as docker retries it; a loaded 2-core VM can miss one
      await waitFor(
        'openclaw-healthcheck exit 0',
        async () => ((await docker(['exec', name, 'openclaw-healthcheck'])).code === 0 ? true : undefined),
        30_000,
        1000,
      );
      await dockerOk(['stop', '-t', '30', name], { timeout: 60_000 });
      expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', name])).toBe('0');
    } catch (err) {
      console.error(`[openclaw-image] gateway logs:\n${await containerLogs(name, 60)}`);
      throw err;
    }
  }, 240_000);
});
