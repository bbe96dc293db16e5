// rig's Telegram client against the Bot API stand-in on 127.0.0.1: answers, classified failures, and no token anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTelegramFake, type TelegramFake } from '../../../scripts/fakes/telegram-botapi.mjs';
import { callBotApi } from '../../../src/telegram/bot-api-call.js';
import { TelegramError, telegramGetMe, telegramSendMessage } from '../../../src/telegram/client.js';
import { echoingHtmlServer, everythingShown, silentServer, type LocalServer } from '../../helpers/telegram/index.js';

const TOKEN = '7000001:AAHk-unit_test_token_value';
const WRONG = '7000001:AAHk-some_other_token_xyz';
const ADMIN = 4242;

/** Runs `call`, expects a TelegramError and checks that neither token (nor its secret half) shows anywhere in it. */
async function failure(call: Promise<unknown>, ...tokens: string[]): Promise<TelegramError> {
  const err: unknown = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TelegramError);
  const shown = everythingShown(err);
  for (const t of [TOKEN, ...tokens]) {
    expect(shown).not.toContain(t);
    expect(shown).not.toContain(t.split(':')[1]);
  }
  return err as TelegramError;
}

describe('telegram client against the stand-in', () => {
  let fake: TelegramFake;

  beforeAll(async () => {
    fake = await startTelegramFake({
      bots: { [TOKEN]: { username: 'rig_unit_bot', first_name: 'Rig Unit' } },
      chats: [{ id: ADMIN, first_name: 'Admin', username: 'admin' }],
    });
  });
  afterAll(() => fake.close());

  it('getMe returns the bot', async () => {
    const me = await telegramGetMe(fake.url, TOKEN);
    expect(me).toMatchObject({
      id: 7000001,
      is_bot: true,
      first_name: 'Rig Unit',
      username: 'rig_unit_bot',
      can_join_groups: true,
    });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'getMe', bot: 'rig_unit_bot', status: 200 });
  });

  it('a wrong token is unauthorized (401), and the token is in no message, endpoint, cause or stack', async () => {
    const err = await failure(telegramGetMe(fake.url, WRONG), WRONG);
    expect(err.kind).toBe('unauthorized');
    expect(err.detail).toEqual({ status: 401, description: 'Unauthorized' });
    expect(err.endpoint).toBe(`${fake.url}/bot***/getMe`);
    expect(err.message).toBe(`Telegram getMe (${fake.url}/bot***/getMe): unauthorized: 401 Unauthorized`);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'getMe', bot: null, status: 401 });
  });

  it('sendMessage returns the Message; message ids increase per chat', async () => {
    const first = await telegramSendMessage(fake.url, TOKEN, ADMIN, 'smoke: local/alpha pass');
    const second = await telegramSendMessage(fake.url, TOKEN, String(ADMIN), '<b>second</b>', {
      parseMode: 'HTML',
      disableNotification: true,
    });
    expect(first).toMatchObject({
      from: { id: 7000001, is_bot: true, username: 'rig_unit_bot' },
      chat: { id: ADMIN, type: 'private', first_name: 'Admin' },
      text: 'smoke: local/alpha pass',
    });
    expect(second.message_id).toBe(first.message_id + 1);
    expect(Math.abs(first.date - Date.now() / 1000)).toBeLessThan(5);
    expect(fake.calls.at(-1)).toMatchObject({
      method: 'sendMessage',
      chat_id: String(ADMIN),
      text: '<b>second</b>',
      status: 200,
    });
  });

  it('sendMessage: chat not found and empty text are bad requests with the API description', async () => {
    const notFound = await failure(telegramSendMessage(fake.url, TOKEN, 999, 'hello'));
    expect([notFound.kind, notFound.detail.description]).toEqual(['bad-request', 'Bad Request: chat not found']);
    const empty = await failure(telegramSendMessage(fake.url, TOKEN, ADMIN, '  '));
    expect([empty.kind, empty.detail]).toEqual([
      'bad-request',
      { status: 400, description: 'Bad Request: message text is empty' },
    ]);
    expect(empty.message).toContain(': bad-request: 400 Bad Request: message text is empty');
  });

  it('an unknown method is not-found (404)', async () => {
    const err = await failure(callBotApi({ baseUrl: fake.url, token: TOKEN, method: 'getMee' }, z.unknown()));
    expect([err.kind, err.detail.status, err.detail.description]).toEqual(['not-found', 404, 'Not Found']);
  });

  it('the base URL may carry a path prefix and a trailing slash', async () => {
    const err = await failure(telegramGetMe(`${fake.url}/tg/`, TOKEN));
    expect([err.kind, err.endpoint]).toEqual(['not-found', `${fake.url}/tg/bot***/getMe`]);
  });
});

describe('telegram client when the API cannot be used', () => {
  const servers: LocalServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('server down: network error with the socket reason, no token', async () => {
    const fake = await startTelegramFake({ bots: { [TOKEN]: { username: 'gone_bot' } } });
    await fake.close();
    const err = await failure(telegramGetMe(fake.url, TOKEN));
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/: network: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a server that never answers: timeout after the deadline', async () => {
    const silent = await silentServer();
    servers.push(silent);
    const started = performance.now();
    const err = await failure(telegramGetMe(silent.url, TOKEN, { timeoutMs: 300 }));
    expect([err.kind, err.message.endsWith('timeout: no answer within 300 ms')]).toEqual(['timeout', true]);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it("the caller's signal: aborted", async () => {
    const silent = await silentServer();
    servers.push(silent);
    const controller = new AbortController();
    const call = telegramSendMessage(silent.url, TOKEN, ADMIN, 'x', { signal: controller.signal });
    controller.abort();
    expect((await failure(call)).kind).toBe('aborted');
  });

  it('a non-JSON answer quoting the path: bad-response with the snippet masked', async () => {
    const html = await echoingHtmlServer(502);
    servers.push(html);
    const err = await failure(telegramGetMe(html.url, TOKEN));
    expect([err.kind, err.detail.status]).toEqual(['bad-response', 502]);
    expect(err.message).toContain(
      'HTTP 502, not JSON: "<html><body><h1>502</h1><p>no route for /bot***/getMe</p></body></html>"',
    );
  });

  it.each([
    ['credentials in the base URL', 'http://user:pw@127.0.0.1:9/', TOKEN, 'the base URL must not hold credentials'],
    ['a base URL that is not one', 'http:// bad host/', TOKEN, 'the base URL is not a URL'],
    ['a /bot<TOKEN> endpoint as base', `https://api.telegram.org/bot${TOKEN}`, TOKEN, 'not a /bot<TOKEN> endpoint'],
    ['a token with a newline', 'https://api.telegram.org', `${TOKEN}\n`, 'leading or trailing whitespace'],
    [
      'a token without its bot id',
      'https://api.telegram.org',
      'AAHk-unit_test_token_value',
      'not of the form <bot id>:<secret> (26 characters)',
    ],
  ])('config error, nothing sent: %s', async (_name, base, token, reason) => {
    const err = await failure(telegramGetMe(base, token));
    expect(err.kind).toBe('config');
    expect(err.message).toContain(reason);
  });
});
