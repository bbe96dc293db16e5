// Where nightly alerts go: the env's `rig_alert_telegram_token` (from the vault) and `rig_alert_telegram_chat_id`.
import type { Project } from '../config/project.js';
import type { ResolvedVar } from '../config/vars/resolve-vars.js';
import { formatLocation } from '../core/errors/diagnostic.js';
import { UserError } from '../core/errors/errors.js';

/** The inventory variables, host-independent: set them in `group_vars/all` (the token in a vault file). */
export const ALERT_VARS = { token: 'rig_alert_telegram_token', chat: 'rig_alert_telegram_chat_id' } as const;

/** Alerts on: the bot token, the admin chat, and where each came from (for messages; never the token itself). */
export interface AlertTarget {
  readonly token: string;
  readonly chatId: string | number;
  /** `file:line:col` of the token. */
  readonly tokenAt: string;
  /** `file:line:col` of the chat id, or `--chat`. */
  readonly chatAt: string;
  /** False when the token is written in plain text (it should come from the vault). */
  readonly tokenFromVault: boolean;
}

/** Alerts on, or off with the reason. */
export type AlertConfig =
  { readonly on: true; readonly target: AlertTarget } | { readonly on: false; readonly reason: string };

/**
 * Reads the two variables from the env's hosts: they must have one value across hosts (an alert is per env, not per
 * host). `chat` (`--chat ID`) overrides the chat id. No token: alerts are off (the night still fails by exit code).
 */
export function alertConfig(project: Project, chat: string | undefined, cwd: string): AlertConfig {
  const token = envWide(project, ALERT_VARS.token, cwd);
  if (token === undefined)
    return {
      on: false,
      reason: `no ${ALERT_VARS.token} in inventory/${project.env} (set it in group_vars/all, from the vault)`,
    };
  if (typeof token.v.value !== 'string' || token.v.value === '')
    throw new UserError(`${token.at}: ${ALERT_VARS.token} must be a non-empty string (the bot token)`);
  const chatVar = chat === undefined ? envWide(project, ALERT_VARS.chat, cwd) : undefined;
  const chatId = chat ?? chatVar?.v.value;
  if (chatId === undefined)
    return {
      on: false,
      reason: `no admin chat: set ${ALERT_VARS.chat} in inventory/${project.env}/group_vars/all or give --chat ID`,
    };
  if (typeof chatId !== 'number' && (typeof chatId !== 'string' || !/^(-?\d+|@\w+)$/.test(chatId))) {
    throw new UserError(`${chatVar?.at ?? '--chat'}: ${ALERT_VARS.chat} must be a chat id (a number) or @channelname`);
  }
  return {
    on: true,
    target: {
      token: token.v.value,
      chatId,
      tokenAt: token.at,
      chatAt: chatVar?.at ?? '--chat',
      tokenFromVault: token.v.secret,
    },
  };
}

/** The variable's one value across the project's hosts, or undefined when no host has it. */
function envWide(project: Project, name: string, cwd: string): { v: ResolvedVar; at: string } | undefined {
  const found = [...project.hosts.values()].flatMap((h) => {
    const v = h.vars.get(name);
    return v === undefined ? [] : [{ host: h.name, v, at: formatLocation(v.loc, cwd) }];
  });
  const [first] = found;
  const other = found.find((f) => JSON.stringify(f.v.value) !== JSON.stringify(first?.v.value));
  if (first && other) {
    throw new UserError(
      `${other.at}: ${name} differs between hosts ${first.host} (${first.at}) and ${other.host}: alerts are per env, set it once in group_vars/all`,
    );
  }
  if (first && found.length < project.hosts.size)
    throw new UserError(
      `${first.at}: ${name} is set for ${found.map((f) => f.host).join(', ')} only: alerts are per env, set it in group_vars/all`,
    );
  return first;
}
