// Nightly alerts: the Telegram message of one failure (evidence, capped to Bot API's limit) and sending them.
import type { Redactor } from '../core/redact/redactor.js';
import { telegramSendMessage } from '../telegram/client.js';
import type { AlertTarget } from './alert-config.js';
import type { NightlyFailure } from './nightly-checks.js';

/** sendMessage's limit is 4096 characters; a little is kept for the footer. */
const MAX_TEXT = 3900;
const MAX_EVIDENCE_LINES = 40;
const MAX_LINE = 300;

/** The message: what failed where, the evidence, then when and where the full log is. Secrets masked. */
export function alertText(
  env: string,
  f: NightlyFailure,
  ctx: { readonly now: Date; readonly log: string; readonly redactor: Redactor },
): string {
  const where = f.host === '-' ? `env ${env}` : `${f.host} (env ${env})`;
  const head = `rig nightly: ${f.check} failed on ${where}`;
  const lines = f.evidence
    .slice(0, MAX_EVIDENCE_LINES)
    .map((l) => (l.length > MAX_LINE ? `${l.slice(0, MAX_LINE)}…` : l));
  const more =
    f.evidence.length > MAX_EVIDENCE_LINES ? [`… ${f.evidence.length - MAX_EVIDENCE_LINES} more lines in the log`] : [];
  const foot = `${ctx.now.toISOString().replace(/\.\d+Z$/, 'Z')} · log: ${ctx.log} · one alert per check and host per UTC day`;
  let body = [head, '', ...lines, ...more].join('\n');
  if (body.length > MAX_TEXT) body = `${body.slice(0, MAX_TEXT)}\n… (cut; see the log)`;
  return ctx.redactor.redact(`${body}\n\n${foot}`);
}

/** What sending did: each failure sent, or not with the (token-free) reason. */
export interface AlertOutcome {
  readonly sent: readonly NightlyFailure[];
  readonly failed: readonly { readonly failure: NightlyFailure; readonly error: string }[];
}

/** Sends one message per failure, in order; a failed send is reported and the rest are still tried. */
export async function sendAlerts(
  baseUrl: string,
  target: AlertTarget,
  env: string,
  failures: readonly NightlyFailure[],
  ctx: { now: Date; log: string; redactor: Redactor },
): Promise<AlertOutcome> {
  const sent: NightlyFailure[] = [];
  const failed: { failure: NightlyFailure; error: string }[] = [];
  for (const f of failures) {
    try {
      await telegramSendMessage(baseUrl, target.token, target.chatId, alertText(env, f, ctx));
      sent.push(f);
    } catch (err) {
      // A TelegramError masks the token in its message; the redactor masks it again (and any other secret).
      const msg = err instanceof Error ? err.message : String(err);
      failed.push({ failure: f, error: ctx.redactor.redact(msg) });
    }
  }
  return { sent, failed };
}
