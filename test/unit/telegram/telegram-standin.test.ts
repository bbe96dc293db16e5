// The Bot API stand-in's protocol: request encodings, errors worded as Telegram's, long polls, webhook and commands
// state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramFake, type TelegramFake } from '../../../scripts/fakes/telegram-botapi.mjs';
import { waitFor } from '../../helpers/docker/wait-for.js';

const TOKEN = '9000003:AAE-standin_test_token';
const CAP_MS = 300;

/** A request of `method` has arrived and is not answered yet. */
const inFlight = (fake: TelegramFake, method: string): boolean =>
  fake.calls.some((c) => c.method === method && c.status === undefined);

describe('telegram Bot API stand-in', () => {
  let fake: TelegramFake;
  const api = (method: string, init?: RequestInit): Promise<{ status: number; body: unknown }> =>
    fetch(`${fake.url}/bot${TOKEN}/${method}`, init).then(async (r) => ({ status: r.status, body: await r.json() }));
  const json = (body: object): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

  beforeAll(async () => {
    fake = await startTelegramFake({
      bots: [{ token: TOKEN, username: 'standin_bot', supports_inline_queries: true }],
      chats: { '-1001': { type: 'supergroup', title: 'Ops', username: 'ops_room' }, '55': { first_name: 'Dana' } },
      longPollCapMs: CAP_MS,
    });
  });
  afterAll(() => fake.close());

  it('getMe: the User shape of getMe, the id from the token', async () => {
    expect(await api('getMe')).toEqual({
      status: 200,
      body: {
        ok: true,
        result: {
          id: 9000003,
          is_bot: true,
          first_name: 'standin_bot',
          username: 'standin_bot',
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: true,
          can_connect_to_business: false,
          has_main_web_app: false,
        },
      },
    });
  });

  it('errors as Telegram words them: malformed token 404, unknown token 401, unknown method 404, other paths 404', async () => {
    const get = (path: string) => fetch(`${fake.url}${path}`).then(async (r) => [r.status, await r.json()]);
    expect(await get('/botnot-a-token/getMe')).toEqual([404, { ok: false, error_code: 404, description: 'Not Found' }]);
    expect(await get('/bot9000003:wrong/getMe')).toEqual([
      401,
      { ok: false, error_code: 401, description: 'Unauthorized' },
    ]);
    expect(await get(`/bot${TOKEN}/getMeNow`)).toEqual([404, { ok: false, error_code: 404, description: 'Not Found' }]);
    expect(await get(`/bot${TOKEN}/getMe/extra`)).toEqual([
      404,
      { ok: false, error_code: 404, description: 'Not Found' },
    ]);
    expect(await get(`/bot${TOKEN}/constructor`)).toEqual([
      404,
      { ok: false, error_code: 404, description: 'Not Found' },
    ]);
    expect(await get('/healthz')).toEqual([200, { ok: true }]);
  });

  it('sendMessage from a query, a form, multipart and JSON; method names are case-insensitive', async () => {
    const form = new FormData();
    form.set('chat_id', '55');
    form.set('text', 'multipart ünïcode');
    const answers = await Promise.all([
      api('sendMessage?chat_id=55&text=query'),
      api('sendmessage', { method: 'POST', body: new URLSearchParams({ chat_id: '55', text: 'form' }) }),
      api('SENDMESSAGE', { method: 'POST', body: form }),
      api('sendMessage', json({ chat_id: '@ops_room', text: 'to the group by @username' })),
    ]);
    expect(answers.map((a) => [a.status, (a.body as { result: { text: string } }).result.text])).toEqual([
      [200, 'query'],
      [200, 'form'],
      [200, 'multipart ünïcode'],
      [200, 'to the group by @username'],
    ]);
    expect((answers[3]?.body as { result: unknown }).result).toMatchObject({
      chat: { id: -1001, type: 'supergroup', title: 'Ops' },
      message_id: 1,
    });
    const ids = answers.slice(0, 3).map((a) => (a.body as { result: { message_id: number } }).result.message_id);
    expect(ids.sort()).toEqual([1, 2, 3]);
  });

  it.each([
    ['no chat_id', { text: 'x' }, 'Bad Request: chat_id is empty'],
    ['no text', { chat_id: 55 }, 'Bad Request: message text is empty'],
    ['4097 characters', { chat_id: 55, text: 'x'.repeat(4097) }, 'Bad Request: message is too long'],
    ['an unknown chat', { chat_id: 56, text: 'x' }, 'Bad Request: chat not found'],
    ['a private chat by @username', { chat_id: '@Dana', text: 'x' }, 'Bad Request: chat not found'],
    ['parse_mode BBCode', { chat_id: 55, text: 'x', parse_mode: 'BBCode' }, 'Bad Request: unsupported parse_mode'],
  ])('sendMessage with %s: 400 %s', async (_name, params, description) => {
    expect(await api('sendMessage', json(params))).toEqual({
      status: 400,
      body: { ok: false, error_code: 400, description },
    });
  });

  it('getUpdates: timeout 0 answers at once, a long poll is capped, a second poll ends the first with 409', async () => {
    let started = performance.now();
    expect(await api('getUpdates', json({ timeout: 0 }))).toEqual({ status: 200, body: { ok: true, result: [] } });
    expect(performance.now() - started).toBeLessThan(CAP_MS);
    started = performance.now();
    expect((await api('getUpdates', json({ timeout: 30, allowed_updates: ['message'] }))).body).toEqual({
      ok: true,
      result: [],
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(CAP_MS - 20);
    expect(performance.now() - started).toBeLessThan(CAP_MS + 1000);
    const first = api('getUpdates?timeout=30');
    await waitFor(
      'the first poll in flight',
      () => Promise.resolve(inFlight(fake, 'getUpdates') ? true : undefined),
      2000,
      5,
    );
    const second = api('getUpdates?timeout=0');
    expect(await first).toEqual({
      status: 409,
      body: {
        ok: false,
        error_code: 409,
        description:
          'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
      },
    });
    expect((await second).status).toBe(200);
  });

  it('webhook state: getUpdates refused while a webhook is set, deleteWebhook says what it did', async () => {
    expect((await api('setWebhook', json({ url: 'http://plain' }))).body).toMatchObject({
      description: 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook',
    });
    expect((await api('setWebhook', json({ url: 'https://hook.example/tg' }))).body).toEqual({
      ok: true,
      result: true,
      description: 'Webhook was set',
    });
    expect((await api('getWebhookInfo')).body).toEqual({
      ok: true,
      result: { url: 'https://hook.example/tg', has_custom_certificate: false, pending_update_count: 0 },
    });
    expect((await api('getUpdates')).body).toMatchObject({
      error_code: 409,
      description: expect.stringContaining("can't use getUpdates method while webhook is active"),
    });
    expect((await api('deleteWebhook', json({ drop_pending_updates: false }))).body).toEqual({
      ok: true,
      result: true,
      description: 'Webhook was deleted',
    });
    expect((await api('deleteWebhook')).body).toEqual({
      ok: true,
      result: true,
      description: 'Webhook is already deleted',
    });
  });

  it('commands per scope and language: set, get, delete; getChat and sendChatAction know the chats', async () => {
    const commands = [{ command: 'status', description: 'Stack status' }];
    expect((await api('setMyCommands', json({ commands }))).body).toEqual({ ok: true, result: true });
    expect((await api('setMyCommands', json({ commands, language_code: 'de' }))).body).toEqual({
      ok: true,
      result: true,
    });
    expect((await api('getMyCommands')).body).toEqual({ ok: true, result: commands });
    expect((await api('deleteMyCommands', json({ scope: { type: 'default' } }))).body).toEqual({
      ok: true,
      result: true,
    });
    expect((await api('getMyCommands')).body).toEqual({ ok: true, result: [] });
    expect((await api(`getMyCommands?language_code=de`)).body).toEqual({ ok: true, result: commands });
    expect((await api('setMyCommands', json({ commands: [{ command: 'x' }] }))).status).toBe(400);
    expect((await api('getChat?chat_id=55')).body).toEqual({
      ok: true,
      result: { id: 55, first_name: 'Dana', type: 'private', accent_color_id: 0, max_reaction_count: 11 },
    });
    expect((await api('sendChatAction', json({ chat_id: 55, action: 'typing' }))).body).toEqual({
      ok: true,
      result: true,
    });
  });

  it('records every Bot API call by method and bot username, never the token', () => {
    expect(fake.calls.length).toBeGreaterThan(20);
    expect(JSON.stringify(fake.calls)).not.toContain(TOKEN.split(':')[1]);
    expect(fake.calls.find((c) => c.status === 401)).toMatchObject({ method: 'getMe', bot: null });
    expect(fake.calls.find((c) => c.text === 'form')).toMatchObject({
      method: 'sendmessage',
      bot: 'standin_bot',
      chat_id: '55',
      status: 200,
    });
  });

  it('close() ends a pending long poll at once', async () => {
    const other = await startTelegramFake({ bots: { [TOKEN]: { username: 'b' } }, longPollCapMs: 60_000 });
    const poll = fetch(`${other.url}/bot${TOKEN}/getUpdates?timeout=50`).then((r) => r.json());
    await waitFor(
      'the poll in flight',
      () => Promise.resolve(inFlight(other, 'getUpdates') ? true : undefined),
      2000,
      5,
    );
    const started = performance.now();
    await other.close();
    expect(await poll).toEqual({ ok: true, result: [] });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
