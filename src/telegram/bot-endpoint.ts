// Where a Bot API call goes: `<base>/bot<TOKEN>/<method>`, and the same with the token masked for messages.
import { TelegramError, redactToken } from './telegram-error.js';

/** The Bot API's base URL; a setting everywhere (`RIG_TELEGRAM_API_BASE`), a local stand-in in tests. */
export const TELEGRAM_API_BASE = 'https://api.telegram.org';

/** Bot tokens as BotFather issues them: the bot's id, a colon, then letters, digits, `_` and `-`. */
export const BOT_TOKEN_FORMAT = /^\d+:[A-Za-z0-9_-]+$/;

/** A call's URL (holds the token: never print it) and its display form, the token shown as `***`. */
export interface BotEndpoint {
  readonly url: URL;
  readonly shown: string;
}

/**
 * The endpoint of `method` under `baseUrl` (an http(s) API root, optionally with a path prefix). Throws
 * {@link TelegramError} `config`, naming neither the token nor anything after the root, when the token or the base
 * URL is malformed: undici would put the whole URL, token included, into its own error message.
 */
export function botEndpoint(baseUrl: string, token: string, method: string): BotEndpoint {
  const base = parseBase(baseUrl);
  const root =
    typeof base === 'string' ? '<base URL>' : redactToken(`${base.origin}${base.pathname.replace(/\/+$/, '')}`, token);
  const shown = `${root}/bot***/${method}`;
  if (typeof base === 'string') throw new TelegramError('config', method, shown, base);
  const problem = tokenProblem(token);
  if (problem !== undefined) throw new TelegramError('config', method, shown, problem);
  return { url: new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}/bot${token}/${method}`), shown };
}

/** Why a token cannot be one, without quoting it; `undefined` when it has the right form. */
export function tokenProblem(token: string): string | undefined {
  if (BOT_TOKEN_FORMAT.test(token)) return undefined;
  if (token === '') return 'the bot token is empty';
  if (token.trim() !== token) return 'the bot token has leading or trailing whitespace (a newline from a file?)';
  return `the bot token is not of the form <bot id>:<secret> (${token.length} characters)`;
}

function parseBase(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'the base URL is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `the base URL must be http(s), not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') return 'the base URL must not hold credentials';
  if (url.search !== '' || url.hash !== '') return 'the base URL must not have a query or fragment';
  if (/\/bot\d+(:|%3A)[^/]*\/?$/i.test(url.pathname)) return 'the base URL is the API root, not a /bot<TOKEN> endpoint';
  return url;
}
