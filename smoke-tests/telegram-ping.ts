// Telegram ping: the bot token works (Bot API getMe), asked from inside the OpenClaw container: its DNS, egress and
// proxy.
import { defineSmoke, inContainerGetMe, parseInContainerGetMe } from 'rig';

interface TelegramVars {
  readonly enabled: boolean;
  readonly botToken: string;
  readonly apiRoot?: string;
}

export default defineSmoke({
  id: 'telegram-ping',
  description: 'the Telegram bot token is accepted by the Bot API (getMe), asked from inside the OpenClaw container',
  target: { roles: ['openclaw'], services: ['openclaw'] },
  deadlineSec: 30,
  blocking: true,
  async run(ctx) {
    const tg = ctx.vars['openclaw_telegram'] as TelegramVars | null;
    if (tg === null || !tg.enabled)
      return { status: 'skip', evidence: ['no Telegram channel is configured (openclaw_telegram)'] };
    const ref = /^\$\{([A-Z_][A-Z0-9_]*)\}$/.exec(tg.botToken)?.[1];
    const env = ctx.vars['openclaw_env'] as Record<string, unknown>;
    const token = ref === undefined ? undefined : env[ref];
    if (typeof token !== 'string' || token === '')
      return { status: 'fail', evidence: [`the bot token ${tg.botToken} is not defined in openclaw_env`] };
    // OpenClaw's own apiRoot when the role sets one (the demo's stand-in), else rig's setting (api.telegram.org)
    const base = tg.apiRoot ?? ctx.settings.RIG_TELEGRAM_API_BASE;
    const call = inContainerGetMe({ container: ctx.container('openclaw'), baseUrl: base, token, timeoutMs: 15_000 });
    const r = await ctx.exec(call.cmd, { stdin: call.stdin });
    if (r.code !== 0 && r.stdout.trim() === '')
      return {
        status: 'fail',
        evidence: [
          `getMe could not run in ${ctx.container('openclaw')} (exit ${r.code})`,
          ...r.stderr.trim().split('\n').slice(-3),
        ],
      };
    const got = parseInContainerGetMe(r.stdout);
    if (got.ok)
      return {
        status: 'pass',
        evidence: [`getMe: @${got.username}${got.id === undefined ? '' : ` (id ${got.id})`} via ${base}`],
      };
    const why = got.kind === 'unauthorized' ? `: the token in openclaw_env.${ref} is wrong or revoked` : '';
    return {
      status: 'fail',
      evidence: [
        `getMe via ${base}: ${got.kind}${got.status === null ? '' : ` ${got.status}`} ${got.description}${why}`,
      ],
    };
  },
});
