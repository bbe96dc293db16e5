// Types of the Telegram Bot API stand-in (telegram-botapi.mjs) for the TypeScript tests that import it.

/** A bot as configured: the getMe flags default to the real API's answer for a new bot (can_join_groups true, the rest false). */
export interface StandinBot {
  id?: number;
  username: string;
  first_name?: string;
  can_join_groups?: boolean;
  can_read_all_group_messages?: boolean;
  supports_inline_queries?: boolean;
  can_connect_to_business?: boolean;
  has_main_web_app?: boolean;
}

/** A chat sendMessage, getChat and sendChatAction know; `type` defaults to `private`. */
export interface StandinChat {
  id: number;
  type?: 'private' | 'group' | 'supergroup' | 'channel';
  first_name?: string;
  last_name?: string;
  username?: string;
  title?: string;
}

/**
 * One request to /bot<TOKEN>/<method>, recorded on arrival: never the token; `bot` is the username it belongs to, or
 * null; `status` is set once answered (absent while a long poll waits).
 */
export interface StandinCall {
  time: string;
  method: string;
  bot: string | null;
  status?: number;
  chat_id?: string | number;
  text?: string;
  description?: string;
}

export interface StandinOptions {
  host?: string;
  port?: number;
  bots: Record<string, StandinBot> | (StandinBot & { token: string })[];
  chats?: Record<string, Omit<StandinChat, 'id'>> | StandinChat[];
  longPollCapMs?: number;
  log?: (call: StandinCall) => void;
}

export interface TelegramFake {
  /** `http://127.0.0.1:<port>`: the apiRoot / base URL, without `/bot…`. */
  url: string;
  /** Live list of the calls so far. */
  calls: StandinCall[];
  close(): Promise<void>;
}

export function startTelegramFake(options: StandinOptions): Promise<TelegramFake>;
