// rig's Telegram Bot API client: getMe (is the token alive) and sendMessage (alerts), base URL always a parameter.
import { BotSelfSchema, MessageSchema, type TelegramBotSelf, type TelegramMessage } from './bot-api-schema.js';
import { callBotApi, type TelegramCallOptions } from './bot-api-call.js';

export { TELEGRAM_API_BASE } from './bot-endpoint.js';
export { TELEGRAM_TIMEOUT_MS, type TelegramCallOptions } from './bot-api-call.js';
export { TelegramError, type TelegramErrorKind, type TelegramErrorDetail } from './telegram-error.js';
export type { TelegramBotSelf, TelegramMessage } from './bot-api-schema.js';

/**
 * `getMe`: the bot the token belongs to. Throws {@link TelegramError}: `unauthorized` for a refused token,
 * `network` / `timeout` when `baseUrl` cannot be reached, `bad-response` for anything but the Bot API's answer.
 */
export function telegramGetMe(
  baseUrl: string,
  token: string,
  opts: TelegramCallOptions = {},
): Promise<TelegramBotSelf> {
  return callBotApi({ baseUrl, token, method: 'getMe' }, BotSelfSchema, opts);
}

/** Options of {@link telegramSendMessage}. */
export interface SendMessageOptions extends TelegramCallOptions {
  readonly parseMode?: 'HTML' | 'MarkdownV2' | 'Markdown';
  /** Deliver without a sound (a nightly report that is all green). */
  readonly disableNotification?: boolean;
}

/**
 * `sendMessage` of `text` to `chatId` (a number, or `@channel`); returns the Message Telegram stored.
 * Throws {@link TelegramError} `bad-request` with the API's description (`Bad Request: chat not found`) and as getMe.
 */
export function telegramSendMessage(
  baseUrl: string,
  token: string,
  chatId: number | string,
  text: string,
  opts: SendMessageOptions = {},
): Promise<TelegramMessage> {
  const params = {
    chat_id: chatId,
    text,
    ...(opts.parseMode === undefined ? {} : { parse_mode: opts.parseMode }),
    ...(opts.disableNotification === undefined ? {} : { disable_notification: opts.disableNotification }),
  };
  return callBotApi({ baseUrl, token, method: 'sendMessage', params }, MessageSchema, opts);
}
