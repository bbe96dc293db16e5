// local/telegram-botapi-standin:1 on the real engine, on an internal network: rig's in-container getMe from another
// container (token on stdin) answers ok / 401 / network, the env file's chats take messages, logs never hold a token.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inContainerGetMe,
  parseInContainerGetMe,
  type InContainerGetMe,
} from '../../../src/telegram/in-container-getme.js';
import { docker, dockerOk, imageId, removeContainers, removeNetworks } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';
import {
  STANDIN_IMAGE,
  buildStandinImage,
  runStandin,
  standinCalls,
} from '../../helpers/telegram/standin-container.js';

const OPENCLAW_IMAGE = 'local/openclaw:2026.9.6';
const TOKEN = '4000006:AAC-image_test_token_valu';
const ADMIN = 777;

async function imageProblem(): Promise<string | undefined> {
  try {
    await buildStandinImage();
    return undefined;
  } catch (err) {
    const reason = `${STANDIN_IMAGE} could not be built: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    console.warn(`[telegram-standin-image] skipping: ${reason}`);
    return reason;
  }
}

const skipReason = (await requireDocker()) ?? (await imageProblem());

describe.skipIf(skipReason !== undefined)(`${STANDIN_IMAGE} on the real engine`, () => {
  const prefix = `rigtg${randomBytes(4).toString('hex')}`;
  const net = `${prefix}-net`;
  const api = `${prefix}-api`;
  const client = `${prefix}-client`;
  let dir = '';
  let baseUrl = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rig-telegram-'));
    await dockerOk(['network', 'create', '--internal', net]); // no way out: the containers reach each other only
    // OpenClaw's image, so the getMe runs on the node OpenClaw runs on; else the stand-in's own node
    const clientImage = (await imageId(OPENCLAW_IMAGE)) === undefined ? STANDIN_IMAGE : OPENCLAW_IMAGE;
    if (clientImage !== OPENCLAW_IMAGE)
      console.warn(`[telegram-standin-image] ${OPENCLAW_IMAGE} missing: getMe runs from ${STANDIN_IMAGE}`);
    [baseUrl] = await Promise.all([
      runStandin({
        name: api,
        network: net,
        dir,
        bots: [{ token: TOKEN, username: 'rig_image_bot' }],
        chats: [{ id: ADMIN, first_name: 'Admin' }],
      }),
      dockerOk(['run', '-d', '--name', client, '--network', net, '--entrypoint', 'sleep', clientImage, '3600']),
    ]);
  });

  afterAll(async () => {
    await removeContainers(prefix);
    await removeNetworks(prefix);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  /** What the smoke check does on the host: `docker exec -i <client> node -e …` with the token on stdin. */
  async function getMeFromClient(base: string, token: string): Promise<InContainerGetMe> {
    const call = inContainerGetMe({ container: client, baseUrl: base, token, timeoutMs: 5000 });
    const argv = call.cmd.kind === 'exec' ? call.cmd.argv : [];
    const r = await docker(argv.slice(1), { input: call.stdin });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(token.split(':')[1]);
    return parseInContainerGetMe(r.stdout);
  }

  it('getMe from another container: ok with the token, 401 unauthorized with another, network for a closed port', async () => {
    expect(await getMeFromClient(baseUrl, TOKEN)).toEqual({
      ok: true,
      status: 200,
      username: 'rig_image_bot',
      id: 4000006,
    });
    expect(await getMeFromClient(baseUrl, '4000006:AAC-wrong_token_value_x')).toEqual({
      ok: false,
      kind: 'unauthorized',
      status: 401,
      description: 'Unauthorized',
    });
    // a port the stand-in does not serve (a name that does not resolve would send the engine's DNS off this machine)
    const refused = await getMeFromClient(`http://${api}:8082`, TOKEN);
    expect(refused).toMatchObject({ ok: false, kind: 'network', status: null });
    expect(refused.ok ? '' : refused.description).toMatch(/^connect ECONNREFUSED \d+\.\d+\.\d+\.\d+:8082$/);
    const { calls, log } = await standinCalls(api);
    expect(calls.map((c) => [c.method, c.bot, c.status])).toEqual([
      ['getMe', 'rig_image_bot', 200],
      ['getMe', null, 401],
    ]);
    expect(log).toMatch(
      /^telegram-botapi-standin: a stand-in for the Telegram Bot API \(not Telegram\) on http:\/\/0\.0\.0\.0:8081; bots @rig_image_bot; 1 chat\(s\)$/m,
    );
    expect(log).not.toContain(TOKEN.split(':')[1]);
  });

  it('sendMessage to the chat of the env file: the Message; an unknown chat: 400 chat not found', async () => {
    const send = `fetch(process.argv[1] + '/bot' + process.argv[2] + '/sendMessage', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: Number(process.argv[3]), text: 'smoke from the image test' }) }).then((r) => r.text()).then(console.log)`;
    const sent = JSON.parse(await dockerOk(['exec', client, 'node', '-e', send, '--', baseUrl, TOKEN, String(ADMIN)]));
    expect(sent).toMatchObject({
      ok: true,
      result: {
        message_id: 1,
        chat: { id: ADMIN, type: 'private', first_name: 'Admin' },
        text: 'smoke from the image test',
      },
    });
    const refused = JSON.parse(await dockerOk(['exec', client, 'node', '-e', send, '--', baseUrl, TOKEN, '778']));
    expect(refused).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
    expect((await standinCalls(api)).calls.at(-1)).toMatchObject({
      method: 'sendMessage',
      chat_id: 778,
      text: 'smoke from the image test',
      status: 400,
    });
  });

  it('runs as nobody and stops on SIGTERM with exit 0', async () => {
    expect(await dockerOk(['exec', api, 'id', '-u'])).toBe('65534');
    const started = performance.now();
    await dockerOk(['stop', '-t', '10', api]);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await dockerOk(['inspect', '-f', '{{.State.ExitCode}}', api])).toBe('0');
  });
});
