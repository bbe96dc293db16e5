// The real OpenClaw 2026.9.6 gateway with channels.telegram.apiRoot at the Bot API stand-in container: what it calls at
// start and while polling (measured from the stand-in's log), quietly, with the right token; and a refused token's
// trace.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerLogs,
  dockerOk,
  imageId,
  removeContainers,
  removeNetworks,
  waitFor,
} from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';
import {
  buildStandinImage,
  runStandin,
  standinCalls,
  type LoggedCall,
} from '../../helpers/telegram/standin-container.js';

const IMAGE = 'local/openclaw:2026.9.6';
const TOKEN = '3000007:AAB-gateway_test_token_v';
const WRONG = '3000007:AAB-revoked_token_value_z';

async function problem(): Promise<string | undefined> {
  const why =
    (await imageId(IMAGE)) === undefined
      ? `${IMAGE} missing; build it with RIG_IMAGES_OPENCLAW=1 scripts/build-images.sh (about 2 min cold)`
      : await buildStandinImage().then(
          () => undefined,
          (err: unknown) =>
            `the stand-in image could not be built: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
        );
  if (why !== undefined) console.warn(`[telegram-openclaw-gateway] skipping: ${why}`);
  return why;
}

const skipReason = (await requireDocker()) ?? (await problem());

describe.skipIf(skipReason !== undefined)(`${IMAGE} gateway against the Bot API stand-in`, () => {
  const prefix = `rigtgoc${randomBytes(4).toString('hex')}`;
  const net = `${prefix}-net`;
  const api = `${prefix}-tg`;
  let root = '';
  let apiRoot = '';

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'rig-telegram-oc-'));
    await chmod(root, 0o755);
    await dockerOk(['network', 'create', '--internal', net]);
    apiRoot = await runStandin({
      name: api,
      network: net,
      dir: root,
      bots: [{ token: TOKEN, username: 'rig_gw_bot' }],
      extraArgs: ['--long-poll-cap-ms', '1000'],
    });
  });

  afterAll(async () => {
    await removeContainers(prefix);
    await removeNetworks(prefix);
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  /** Starts a gateway (bind lan + token auth) whose telegram channel uses `token` and the stand-in as apiRoot. */
  async function startGateway(name: string, token: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir);
    await chmod(dir, 0o777); // uid 1000 in the container writes it; same path on both sides, as the role mounts it
    const config = {
      gateway: { mode: 'local', port: 18789, bind: 'lan', auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' } },
      channels: { telegram: { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', apiRoot } },
      plugins: { entries: { telegram: { enabled: true } } },
    };
    await writeFile(join(dir, 'openclaw.json'), JSON.stringify(config, null, 2));
    const env = {
      OPENCLAW_STATE_DIR: dir,
      OPENCLAW_CONFIG_PATH: join(dir, 'openclaw.json'),
      OPENCLAW_GATEWAY_TOKEN: 'gw-test-token',
      TELEGRAM_BOT_TOKEN: token,
    };
    const container = `${prefix}-${name}`;
    // --dns 127.0.0.1: names other than the containers' fail at once inside the container instead of leaving the
    // machine
    await dockerOk([
      'run',
      '-d',
      '--name',
      container,
      '--network',
      net,
      '--dns',
      '127.0.0.1',
      '-v',
      `${dir}:${dir}`,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      IMAGE,
    ]);
    return container;
  }

  async function dumpOnFailure<T>(containers: string[], body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (err) {
      for (const c of [...containers, api])
        console.error(`[telegram-openclaw-gateway] ${c} logs:\n${await containerLogs(c, 80)}`);
      throw err;
    }
  }

  it.concurrent(
    'right token: getMe, webhook and command setup, then getUpdates polling; all 200, no telegram errors, no token in logs',
    async () => {
      const gw = await startGateway('gw', TOKEN);
      await dumpOnFailure([gw], async () => {
        await waitFor(
          'the telegram provider started and polling twice',
          async () => {
            const started = (await containerLogs(gw)).includes('[telegram] [default] starting provider (@rig_gw_bot)');
            const polls = (await standinCalls(api)).calls.filter(
              (c) => c.bot === 'rig_gw_bot' && c.method === 'getUpdates',
            ).length;
            return started && polls >= 2 ? true : undefined;
          },
          180_000,
          1000,
        );
        const calls = (await standinCalls(api)).calls.filter((c) => c.bot === 'rig_gw_bot');
        console.log(`[telegram-openclaw-gateway] calls of ${IMAGE}: ${sequence(calls)}`);
        expect(calls[0]?.method).toBe('getMe');
        expect([...new Set(calls.map((c) => c.method))].sort()).toEqual([
          'deleteMyCommands',
          'deleteWebhook',
          'getMe',
          'getUpdates',
          'setMyCommands',
        ]);
        expect(calls.filter((c) => c.status !== 200)).toEqual([]);
        const logs = await containerLogs(gw);
        expect(
          logs
            .split('\n')
            .filter(
              (l) =>
                /\[telegram\].*(error|fail|unauthori[sz]ed|timed out|stall)/i.test(l) ||
                /fetch failed|ECONNREFUSED|ENOTFOUND/.test(l),
            ),
        ).toEqual([]);
        expect(logs).toContain('[telegram] [diag] isolated polling ingress started');
        expect(`${logs}${(await standinCalls(api)).log}`).not.toContain(TOKEN.split(':')[1]);
      });
    },
    240_000,
  );

  it.concurrent(
    'refused token: one getMe answered 401, OpenClaw says so and stops the channel; the token is in no log',
    async () => {
      const gw = await startGateway('gw-wrong', WRONG);
      await dumpOnFailure([gw], async () => {
        const line = await waitFor(
          'the unauthorized line',
          async () => (await containerLogs(gw)).split('\n').find((l) => l.includes('Telegram bot token unauthorized')),
          180_000,
          1000,
        );
        expect(line).toContain(
          '[telegram] [default] Telegram bot token unauthorized for account "default" (getMe returned 401 from Telegram; source: config token)',
        );
        // the channel's exit is logged after that line: under load, a moment later
        const exited = await waitFor(
          'the channel exit line',
          async () => (await containerLogs(gw)).split('\n').find((l) => l.includes('channel exited')),
          60_000,
          500,
        );
        expect(exited).toContain('[telegram] [default] channel exited: Telegram bot token unauthorized');
        const refused = (await standinCalls(api)).calls.filter((c) => c.bot === null);
        expect(refused.map((c) => [c.method, c.status, c.description])).toEqual([['getMe', 401, 'Unauthorized']]);
        expect(`${await containerLogs(gw)}${(await standinCalls(api)).log}`).not.toContain(WRONG.split(':')[1]);
      });
    },
    240_000,
  );
});

/** `getMe, deleteWebhook, deleteMyCommands×2, …`: the calls in order, repeats folded. */
function sequence(calls: readonly LoggedCall[]): string {
  const runs: [string, number][] = [];
  for (const c of calls) {
    const last = runs.at(-1);
    if (last !== undefined && last[0] === c.method) last[1]++;
    else runs.push([c.method, 1]);
  }
  return runs.map(([m, n]) => (n === 1 ? m : `${m}×${n}`)).join(', ');
}
