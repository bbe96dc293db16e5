// Role telegram-standin: the demo's stand-in for the Telegram Bot API (not Telegram), as a compose service on the
// egress network.
import { defineRole, z } from 'rig';

const token = z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, 'a bot token "<digits>:<letters>"');

const varsSchema = z.object({
  telegram_standin_image: z
    .string()
    .min(1)
    .describe('local/telegram-botapi-standin:1 (scripts/images/telegram-standin.sh)'),
  telegram_standin_bots: z
    .array(
      z.strictObject({ token, username: z.string().regex(/^[A-Za-z0-9_]{5,32}$/), first_name: z.string().optional() }),
    )
    .min(1)
    .describe('Bots it knows (getMe answers for these tokens, 401 for any other)'),
  telegram_standin_chats: z
    .array(
      z.strictObject({
        id: z.int(),
        type: z.enum(['private', 'group', 'supergroup', 'channel']).default('private'),
        first_name: z.string().optional(),
      }),
    )
    .describe('Chats sendMessage accepts'),
  telegram_standin_networks: z.record(
    z.string(),
    z.strictObject({ internal: z.boolean().default(false), external: z.boolean().default(false) }),
  ),
});

export default defineRole({
  name: 'telegram-standin',
  description:
    'A stand-in for the Telegram Bot API (getMe, sendMessage, getUpdates…) for the demo and tests, where Telegram cannot be reached',
  vars: varsSchema,
  tasks: ({ vars, hostVars, dir, template, service, network }) => {
    const confDir = `${String(hostVars['project_dir'])}/configs/telegram-standin`;
    const env = {
      TELEGRAM_STANDIN_BOTS: JSON.stringify(vars.telegram_standin_bots),
      TELEGRAM_STANDIN_CHATS: JSON.stringify(vars.telegram_standin_chats),
    };
    return [
      dir(confDir, { mode: 0o755 }),
      // the tokens are the demo's bots: 0600 like any file holding a token
      template('standin.env.hbs', `${confDir}/standin.env`, { mode: 0o600, extra: { envmap: env } }),
      ...Object.entries(vars.telegram_standin_networks).map(([name, n]) => network(name, n)),
      service(
        'telegram-api',
        {
          image: vars.telegram_standin_image,
          envFiles: [`${confDir}/standin.env`],
          networks: Object.keys(vars.telegram_standin_networks),
          healthcheck: {
            test: ['timeout', '3', 'wget', '-qO-', 'http://127.0.0.1:8081/healthz'],
            interval: '3s',
            timeout: '4s',
            retries: 5,
          },
          memLimit: '128m',
          cpus: 0.25,
        },
        { phase: 'infra', gate: { timeoutSec: 30 } },
      ),
    ];
  },
});
