// The openclaw.json the openclaw role renders, as a STRICT allow-list: OpenClaw refuses to start on a key it does not
// know.
//
// Every key and enum value allowed here was run through the real `openclaw config validate` of OpenClaw 2026.9.6
// (exit 0; see test/unit/openclaw/openclaw-config.test.ts for the config). The allow-list is deliberately narrower than
// the product: it holds what the role needs, and leaves out what crashed the incumbent's releases even where 2026.9.6
// now accepts it (`agents.defaults.model.fallbacks`, `tools.web.fetch.readability`, `channels.telegram.direct`).
import { z } from 'zod';

/** `${VAR}`: OpenClaw substitutes it from its environment when it reads the file (names match `[A-Z_][A-Z0-9_]*`). */
export const EnvRefSchema = z
  .string()
  .regex(
    /^\$\{[A-Z_][A-Z0-9_]*\}$/,
    'must be an env reference such as "${TELEGRAM_BOT_TOKEN}": secrets live in openclaw.env',
  )
  .describe('An env reference "${NAME}"; the value comes from the container environment');

/**
 * Shared-secret auth. `gateway run` refuses a non-loopback bind without it (exit 78, "Refusing to bind gateway to lan
 * without auth").
 */
export const GatewayAuthSchema = z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('token'), token: EnvRefSchema }),
    z.strictObject({ mode: z.literal('password'), password: EnvRefSchema }),
  ])
  .describe('Gateway auth: a bearer token or a password, from the environment');

export const GatewaySchema = z
  .strictObject({
    mode: z
      .literal('local')
      .describe('The gateway runs here; without it `gateway run` exits 78 ("missing gateway.mode")'),
    port: z.int().min(1).max(65535).describe('HTTP + WebSocket port (18789)'),
    bind: z.enum(['loopback', 'lan']).describe('lan = 0.0.0.0: needed inside a container; loopback = 127.0.0.1 only'),
    auth: GatewayAuthSchema.optional(),
    trustedProxies: z.array(z.string()).optional().describe('Reverse proxies (CIDRs) whose X-Forwarded-* are trusted'),
    controlUi: z
      .strictObject({
        enabled: z.boolean().optional(),
        basePath: z.string().optional(),
        allowedOrigins: z.array(z.string()).optional().describe('Origins of the Control UI behind the proxy'),
      })
      .optional(),
  })
  .describe('gateway');

export const SandboxDockerSchema = z
  .strictObject({
    image: z
      .string()
      .min(1)
      .describe('Sandbox image; OpenClaw never pulls or builds it (default openclaw-sandbox:bookworm-slim)'),
    network: z.string().optional().describe('Docker network of the sandboxes (default: none)'),
    user: z.string().optional().describe('uid:gid inside the sandbox'),
    readOnlyRoot: z.boolean().optional(),
    tmpfs: z.array(z.string()).optional(),
    capDrop: z.array(z.string()).optional(),
    pidsLimit: z.int().positive().optional(),
    memory: z.union([z.string(), z.number()]).optional().describe('e.g. "1g"'),
    cpus: z.number().positive().optional(),
  })
  .describe('agents.defaults.sandbox.docker');

export const SandboxSchema = z
  .strictObject({
    mode: z.enum(['off', 'non-main', 'all']).describe('Which sessions run their tools in a sandbox'),
    scope: z
      .enum(['session', 'agent', 'shared'])
      .optional()
      .describe('One sandbox per session, per agent, or one for all'),
    workspaceAccess: z.enum(['none', 'ro', 'rw']).describe('How the agent workspace is mounted into the sandbox'),
    docker: SandboxDockerSchema,
    prune: z
      .strictObject({ idleHours: z.int().nonnegative().optional(), maxAgeDays: z.int().nonnegative().optional() })
      .optional(),
  })
  .describe('agents.defaults.sandbox');

export const AgentDefaultsSchema = z
  .strictObject({
    // Only {primary}: extra keys here crashed the incumbent (§11.3); 2026.9.6 also takes `fallbacks`.
    model: z.strictObject({ primary: z.string().min(1).describe('provider/model, e.g. custom-litellm/gpt-4o-mini') }),
    workspace: z
      .string()
      .optional()
      .describe('Absolute; under OPENCLAW_STATE_DIR so sandbox mounts resolve on the host'),
    sandbox: SandboxSchema,
  })
  .describe('agents.defaults');

export const TelegramSchema = z
  .strictObject({
    enabled: z.boolean(),
    botToken: EnvRefSchema,
    dmPolicy: z.enum(['pairing', 'allowlist', 'open', 'disabled']).optional().describe('default pairing'),
    allowFrom: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .describe('Sender ids allowed to DM; "*" for open'),
    groupPolicy: z.enum(['open', 'disabled', 'allowlist']).optional().describe('default allowlist'),
    customCommands: z.array(z.strictObject({ command: z.string().min(1), description: z.string().min(1) })).optional(),
    apiRoot: z
      .url({ protocol: /^https?$/ })
      .refine((u) => !/\/bot[^/]*\/?$/.test(u), 'the API root, without /bot<TOKEN>')
      .optional()
      .describe("Bot API root URL (default https://api.telegram.org); rig's Telegram smoke check asks the same one"),
  })
  .describe('channels.telegram (no `retry`: 2026.9.6 rejects it; no `direct`)');

/** Plugin ids as OpenClaw spells them (`telegram`, `device-pair`). */
const PluginIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'plugin ids are lower-case words joined by "-"');

export const PluginsSchema = z
  .strictObject({
    entries: z.record(PluginIdSchema, z.strictObject({ enabled: z.boolean() })),
  })
  .describe('plugins: channel plugins are disabled unless a channel or an entry enables them');

/** The whole openclaw.json the role writes. */
export const OpenclawConfigSchema = z
  .strictObject({
    gateway: GatewaySchema,
    agents: z.strictObject({ defaults: AgentDefaultsSchema }),
    channels: z.strictObject({ telegram: TelegramSchema.optional() }).optional(),
    plugins: PluginsSchema.optional(),
  })
  .describe('openclaw.json (OpenClaw 2026.9.6), the subset rig renders');

export type OpenclawConfig = z.infer<typeof OpenclawConfigSchema>;
