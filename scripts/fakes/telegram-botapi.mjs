// A STAND-IN for the Telegram Bot API (not Telegram): the methods rig and the OpenClaw gateway call, with the real
// response shapes, at /bot<TOKEN>/<method>. Importable (startTelegramFake) and runnable (`node telegram-botapi.mjs`).
// Plain Node, no dependencies. Never writes a token anywhere: calls and log lines name the bot by its username.
//
// Requests: GET with a query string, or POST with application/json, application/x-www-form-urlencoded or
// multipart/form-data (text fields; files are ignored), query parameters merged in, as the real API accepts.
// Method names are case-insensitive, as on api.telegram.org. Errors, as the real API words them:
//   path not /bot<TOKEN>/<method>, or a TOKEN not of the form <digits>:<[A-Za-z0-9_-]+>  404 Not Found
//   a well-formed TOKEN of no configured bot                                           401 Unauthorized
//   an unknown method                                                                  404 Not Found
//   400 Bad Request: chat_id is empty | message text is empty | message is too long | chat not found |
//       unsupported parse_mode;  409 Conflict: terminated by other getUpdates request… | can't use getUpdates method
//       while webhook is active…  (a malformed JSON body or commands list is 400 in the stand-in's own words)
// Methods: getMe, sendMessage, sendChatAction, getChat, getUpdates (long poll: `timeout` seconds honoured up to
// longPollCapMs, then []; never any update), deleteWebhook, setWebhook, getWebhookInfo, setMyCommands,
// getMyCommands, deleteMyCommands. GET /healthz (not a Bot API path) answers {"ok":true}.
import { readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

const TOKEN_FORMAT = /^\d+:[A-Za-z0-9_-]+$/;
const MAX_BODY_BYTES = 1 << 20;
const MAX_TEXT = 4096;
const PARSE_MODES = new Set(['html', 'markdown', 'markdownv2']);
const GETME_FLAGS = ['can_join_groups', 'can_read_all_group_messages', 'supports_inline_queries', 'can_connect_to_business', 'has_main_web_app'];

/** An answer of the Bot API: HTTP status and the JSON envelope. */
class ApiError extends Error {
  constructor(status, description) {
    super(description);
    this.status = status;
  }
}
const badRequest = (what) => new ApiError(400, `Bad Request: ${what}`);

/** Bots as `{ '<token>': {id?, username, first_name?, …flags} }` or `[{ token, username, … }]` → Map token → User. */
function normalizeBots(bots) {
  const entries = Array.isArray(bots) ? bots.map((b, i) => [b?.token, b, `bots[${i}]`]) : Object.entries(bots ?? {}).map(([t, b], i) => [t, b, `bots #${i + 1}`]);
  if (entries.length === 0) throw new Error('telegram stand-in: no bots configured');
  const map = new Map();
  for (const [token, bot, where] of entries) {
    // the token is never echoed, not even in a configuration error
    if (typeof token !== 'string' || !TOKEN_FORMAT.test(token)) throw new Error(`telegram stand-in: ${where}: token is not of the form <digits>:<letters, digits, _ or ->`);
    if (typeof bot?.username !== 'string' || bot.username === '') throw new Error(`telegram stand-in: ${where}: username missing`);
    const user = { id: bot.id ?? Number(token.split(':')[0]), is_bot: true, first_name: bot.first_name ?? bot.username, username: bot.username };
    for (const flag of GETME_FLAGS) user[flag] = bot[flag] ?? flag === 'can_join_groups';
    map.set(token, user);
  }
  return map;
}

/** Chats as `{ '<id>': {type, …} }` or `[{ id, type, first_name?, username?, title? }]` → Map String(id) → Chat. */
function normalizeChats(chats) {
  const list = Array.isArray(chats) ? chats : Object.entries(chats ?? {}).map(([id, c]) => ({ ...c, id: Number(id) }));
  return new Map(list.map(({ id, type, ...names }) => [String(id), { id: Number(id), ...names, type: type ?? 'private' }]));
}

/**
 * Starts the stand-in. Options: host (127.0.0.1), port (0: any free one), bots (required), chats ({}), longPollCapMs
 * (1000), log (called with each call record once answered). Resolves to { url, calls, close() }: `calls` is the live
 * list of { time, method, bot, status, chat_id?, text?, description? } (bot: the username the token belongs to, or
 * null; method as requested, e.g. `sendmessage`), in order of arrival; `status` is absent while the request is in
 * flight (a long poll).
 */
export async function startTelegramFake(options) {
  const state = {
    bots: normalizeBots(options.bots),
    chats: normalizeChats(options.chats),
    capMs: options.longPollCapMs ?? 1000,
    calls: [],
    perBot: new Map(), // token -> { webhook, commands: Map, poll, nextMessageId: Map }
    log: options.log ?? (() => {}),
  };
  const server = createServer((req, res) => {
    handle(state, req, res).catch(() => reply(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' }));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address();
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    calls: state.calls,
    close: () =>
      new Promise((resolve) => {
        for (const bot of state.perBot.values()) bot.poll?.finish(200, []);
        server.close(() => resolve());
        setImmediate(() => server.closeAllConnections()); // after the polls just ended have written their answers
      }),
  };
}

async function handle(state, req, res) {
  const url = new URL(req.url ?? '/', 'http://stand-in');
  if (url.pathname === '/healthz') return reply(res, 200, { ok: true });
  const time = new Date().toISOString();
  const match = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
  const token = match ? safeDecode(match[1]) : undefined;
  const method = match ? match[2] : '(none)';
  const user = token === undefined ? undefined : state.bots.get(token);
  // recorded on arrival, so that a long poll in flight shows (without a status); logged once answered
  const call = { time, method, bot: user?.username ?? null };
  state.calls.push(call);
  const record = (status, params, description) => {
    call.status = status;
    if (params?.chat_id !== undefined) call.chat_id = params.chat_id;
    if (params?.text !== undefined) call.text = String(params.text);
    if (description !== undefined) call.description = description;
    state.log(call);
  };
  let params;
  try {
    if (token === undefined || !TOKEN_FORMAT.test(token)) throw new ApiError(404, 'Not Found');
    if (user === undefined) throw new ApiError(401, 'Unauthorized');
    const fn = Object.hasOwn(METHODS, method.toLowerCase()) ? METHODS[method.toLowerCase()] : undefined; // not `constructor`
    if (fn === undefined) throw new ApiError(404, 'Not Found');
    params = await readParams(req, url);
    const answer = await fn({ state, bot: botState(state, token), user, params, res });
    record(200, params);
    return reply(res, 200, { ok: true, result: answer.result, ...(answer.description ? { description: answer.description } : {}) });
  } catch (err) {
    if (!(err instanceof ApiError)) {
      record(500, params, 'Internal Server Error');
      throw err;
    }
    record(err.status, params, err.message);
    return reply(res, err.status, { ok: false, error_code: err.status, description: err.message });
  }
}

function botState(state, token) {
  let bot = state.perBot.get(token);
  if (bot === undefined) state.perBot.set(token, (bot = { webhook: '', commands: new Map(), poll: undefined, nextMessageId: new Map() }));
  return bot;
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function reply(res, status, body) {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Query parameters, then the body's (JSON values keep their types; form values are strings). */
async function readParams(req, url) {
  const params = Object.fromEntries(url.searchParams);
  if (req.method !== 'POST') return params;
  const body = await readBody(req);
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (body.length === 0) return params;
  if (type.startsWith('application/json')) {
    let json;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest('invalid JSON in the request body');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) throw badRequest('the JSON request body must be an object');
    return { ...params, ...json };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  const boundary = /^multipart\/form-data;.*boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
  return boundary === undefined ? params : { ...params, ...multipartFields(body, boundary) };
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new ApiError(413, 'Request Entity Too Large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The text fields of a multipart/form-data body; file parts (with a filename) are skipped. */
function multipartFields(body, boundary) {
  const fields = {};
  for (const part of body.toString('latin1').split(`--${boundary}`).slice(1)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (name === undefined || /filename=/i.test(head)) continue;
    fields[name] = Buffer.from(part.slice(split + 4).replace(/\r\n$/, ''), 'latin1').toString('utf8');
  }
  return fields;
}

/** A chat by id (`42`, `-100…`) or, for groups and channels, by `@username`. */
function findChat(state, params) {
  const id = params.chat_id === undefined ? '' : String(params.chat_id).trim();
  if (id === '') throw badRequest('chat_id is empty');
  const chat = id.startsWith('@') ? [...state.chats.values()].find((c) => c.type !== 'private' && `@${c.username}` === id) : state.chats.get(id);
  if (chat === undefined) throw badRequest('chat not found');
  return chat;
}

/** A JSON-serialised parameter as form requests send it, or the JSON value itself. */
function jsonParam(value, what) {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw badRequest(`can't parse ${what} JSON object`);
  }
}

const commandsKey = (params) => JSON.stringify([jsonParam(params.scope ?? { type: 'default' }, 'scope'), params.language_code ?? '']);

const METHODS = {
  getme: ({ user }) => ({ result: user }),
  sendmessage: ({ state, bot, user, params }) => {
    const text = params.text === undefined ? '' : String(params.text);
    if (params.chat_id === undefined || String(params.chat_id).trim() === '') throw badRequest('chat_id is empty');
    if (text.trim() === '') throw badRequest('message text is empty');
    if (text.length > MAX_TEXT) throw badRequest('message is too long');
    if (params.parse_mode !== undefined && params.parse_mode !== '' && !PARSE_MODES.has(String(params.parse_mode).toLowerCase())) {
      throw badRequest('unsupported parse_mode');
    }
    const chat = findChat(state, params);
    const messageId = (bot.nextMessageId.get(chat.id) ?? 0) + 1;
    bot.nextMessageId.set(chat.id, messageId);
    const from = { id: user.id, is_bot: true, first_name: user.first_name, username: user.username };
    return { result: { message_id: messageId, from, chat, date: Math.floor(Date.now() / 1000), text } };
  },
  sendchataction: ({ state, params }) => {
    findChat(state, params);
    if (params.action === undefined || params.action === '') throw badRequest('action is empty');
    return { result: true };
  },
  getchat: ({ state, params }) => ({ result: { ...findChat(state, params), accent_color_id: 0, max_reaction_count: 11 } }),
  getupdates: ({ state, bot, params, res }) => {
    if (bot.webhook !== '') {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    bot.poll?.finish(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    const waitMs = Math.min(Math.max(Number(params.timeout) || 0, 0) * 1000, state.capMs);
    return new Promise((resolve, reject) => {
      // `res`, not `req`: a request's 'close' fires once its body is read, the response's when the client goes away
      const onClose = () => finish(200, []);
      const finish = (status, value) => {
        if (bot.poll !== poll) return;
        bot.poll = undefined;
        clearTimeout(timer);
        res.off('close', onClose);
        if (status === 200) resolve({ result: value });
        else reject(new ApiError(status, value));
      };
      const poll = { finish };
      const timer = setTimeout(() => finish(200, []), waitMs);
      res.on('close', onClose);
      bot.poll = poll;
    });
  },
  deletewebhook: ({ bot }) => {
    const was = bot.webhook !== '';
    bot.webhook = '';
    return { result: true, description: was ? 'Webhook was deleted' : 'Webhook is already deleted' };
  },
  setwebhook: ({ bot, params }) => {
    const url = params.url === undefined ? '' : String(params.url);
    if (url === '') return METHODS.deletewebhook({ bot });
    if (!url.startsWith('https://')) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    bot.webhook = url;
    return { result: true, description: 'Webhook was set' };
  },
  getwebhookinfo: ({ bot }) => ({ result: { url: bot.webhook, has_custom_certificate: false, pending_update_count: 0 } }),
  setmycommands: ({ bot, params }) => {
    const commands = jsonParam(params.commands, 'commands');
    const valid = (c) => typeof c?.command === 'string' && c.command !== '' && typeof c?.description === 'string' && c.description !== '';
    if (!Array.isArray(commands) || !commands.every(valid)) throw badRequest("can't parse commands JSON object");
    bot.commands.set(commandsKey(params), commands.map((c) => ({ command: c.command, description: c.description })));
    return { result: true };
  },
  getmycommands: ({ bot, params }) => ({ result: bot.commands.get(commandsKey(params)) ?? [] }),
  deletemycommands: ({ bot, params }) => {
    bot.commands.delete(commandsKey(params));
    return { result: true };
  },
};

// --- as a program -------------------------------------------------------------------------------------------------
const USAGE = `usage: node telegram-botapi.mjs [--host H] [--port N] [--bots-file F] [--chats-file F] [--long-poll-cap-ms N (5000)]
  bots:  --bots-file F or $TELEGRAM_STANDIN_BOTS, JSON: [{"token":"<digits>:<secret>","username":"…","first_name":"…"}]
  chats: --chats-file F or $TELEGRAM_STANDIN_CHATS, JSON: [{"id":42,"type":"private","first_name":"…"}]`;

function parseArgs(argv, env) {
  // a program's long polls wait longer than the module's (tests): a gateway's poll loop then logs a line per 5 s, not per 1 s
  const opts = { host: '0.0.0.0', port: 8081, bots: env.TELEGRAM_STANDIN_BOTS, chats: env.TELEGRAM_STANDIN_CHATS ?? '[]', longPollCapMs: 5000 };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag}: needs a value\n${USAGE}`);
    if (flag === '--host') opts.host = value;
    else if (flag === '--port') opts.port = Number(value);
    else if (flag === '--bots-file') opts.bots = readFileSync(value, 'utf8');
    else if (flag === '--chats-file') opts.chats = readFileSync(value, 'utf8');
    else if (flag === '--long-poll-cap-ms') opts.longPollCapMs = Number(value);
    else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (opts.bots === undefined) throw new Error(`no bots: give --bots-file or TELEGRAM_STANDIN_BOTS\n${USAGE}`);
  const json = (text, what) => {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${what} is not JSON`); // its text may hold tokens: not quoted
    }
  };
  return { ...opts, bots: json(opts.bots, 'the bots list'), chats: json(opts.chats, 'the chats list') };
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2), process.env);
    const fake = await startTelegramFake({ ...opts, log: (call) => console.log(JSON.stringify(call)) });
    const names = [...normalizeBots(opts.bots).values()].map((u) => `@${u.username}`).join(', ');
    console.log(`telegram-botapi-standin: a stand-in for the Telegram Bot API (not Telegram) on ${fake.url}; bots ${names}; ${normalizeChats(opts.chats).size} chat(s)`);
    const stop = () => fake.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    console.error(`telegram-botapi-standin: ${err.message.replace(/^telegram stand-in: /, '')}`);
    process.exit(2);
  }
}

function isMain() {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isMain()) await main();
