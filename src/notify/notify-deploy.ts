// Deploy notifications: one Telegram message per deploy/rollback to the env's chat, the nightly's alert settings.
import type { Project } from '../config/project.js';
import type { Redactor } from '../core/redact/redactor.js';
import { alertConfig, type AlertTarget } from '../cron/alert-config.js';
import { telegramSendMessage } from '../telegram/client.js';
import { deployMessage } from './deploy-message.js';
import type { RunSummary } from './run-summary.js';

/**
 * Where this env's deploys are announced: the alert settings (`rig_alert_telegram_token` / `_chat_id`), unless env.yml
 * says `notify: false`. Undefined when off. Throws a UserError for settings that are there but wrong: called before
 * anything changes, so a deploy never runs that could not be announced.
 */
export function deployNotifyTarget(project: Project, cwd: string): AlertTarget | undefined {
  if (!project.inventory.settings.notify) return undefined;
  const cfg = alertConfig(project, undefined, cwd);
  return cfg.on ? cfg.target : undefined;
}

/**
 * Sends the summary; resolves with the error text (token-free, masked) when it could not be sent: the deploy has
 * happened, so a failed message is reported, never a failed deploy. A run that changed nothing is sent silently.
 */
export async function notifyDeploy(
  baseUrl: string,
  target: AlertTarget,
  summary: RunSummary,
  redactor: Redactor,
): Promise<string | undefined> {
  try {
    await telegramSendMessage(baseUrl, target.token, target.chatId, redactor.redact(deployMessage(summary)), {
      disableNotification: summary.result === 'ok',
    });
    return undefined;
  } catch (err) {
    return redactor.redact(err instanceof Error ? err.message : String(err));
  }
}
