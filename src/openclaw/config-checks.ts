// Pure checks of a would-be openclaw.json and its env: the schema allow-list plus the incumbent's lessons, every
// finding at once.
import path from 'node:path';
import { z } from 'zod';
import { didYouMean } from '../core/suggest.js';
import { OpenclawConfigSchema, type OpenclawConfig } from './config-schema.js';

export type OpenclawFindingCode =
  | 'unknown-key'
  | 'invalid-value'
  | 'channel-plugin-missing'
  | 'channel-plugin-disabled'
  | 'env-undefined'
  | 'path-not-absolute'
  | 'outside-state-dir'
  | 'state-dir-unset'
  | 'gateway-auth-missing'
  | 'telegram-dms-dropped';

/** One problem, at a dotted path into openclaw.json (`<root>` for the top) or `env.NAME` for the environment. */
export interface OpenclawFinding {
  readonly code: OpenclawFindingCode;
  readonly path: string;
  readonly message: string;
}

/** The environment the container gets (openclaw.env): name → value. */
export type OpenclawEnv = Readonly<Record<string, string | undefined>>;

type Rule = (config: OpenclawConfig, env: OpenclawEnv) => OpenclawFinding[];

/**
 * Every finding for `input` (a parsed JSON value) run with `env`: schema violations (each unknown key, each bad value),
 * `${VAR}`s the env leaves undefined, and, when the schema holds, the rules below. Empty means deployable.
 */
export function checkOpenclawConfig(input: unknown, env: OpenclawEnv): OpenclawFinding[] {
  const parsed = OpenclawConfigSchema.safeParse(input);
  const findings = [...envRefFindings(input, env)];
  if (!parsed.success) return [...parsed.error.issues.flatMap((issue) => schemaFindings(issue)), ...findings];
  return [...findings, ...RULES.flatMap((rule) => rule(parsed.data, env))];
}

const dotted = (p: readonly PropertyKey[]): string => (p.length === 0 ? '<root>' : p.map(String).join('.'));

/** What the real product said about the incumbent's crashers (OpenClaw 2026.9.6, `openclaw config validate`). */
const CRASHER_HINTS: Readonly<Record<string, string>> = {
  heartbeat:
    'there is no root heartbeat (2026.9.6: `<root>: Unrecognized key: "heartbeat"`); use agents.defaults.heartbeat',
  'channels.telegram.retry':
    '2026.9.6: `channels.telegram: invalid config: must not have additional properties: "retry"`',
  'agents.defaults.model.fallbacks':
    'agents.defaults.model takes only {primary} here (extra keys crashed the incumbent)',
  tools: 'tools is outside the allow-list (tools.web.fetch.readability crashed the incumbent)',
};

function schemaFindings(issue: z.core.$ZodIssue): OpenclawFinding[] {
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(issue.path);
    return issue.keys.map((key) => {
      const at = dotted([...issue.path, key]);
      const hint = CRASHER_HINTS[at] ?? CRASHER_HINTS[key];
      const why = hint === undefined ? 'OpenClaw refuses to start on keys it does not know' : hint;
      return { code: 'unknown-key', path: at, message: `unknown key "${key}"${didYouMean(key, known)}: ${why}` };
    });
  }
  return [{ code: 'invalid-value', path: dotted(issue.path), message: issue.message }];
}

/** The keys the schema allows at `at` (for "did you mean"). */
function keysAt(at: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType | undefined = OpenclawConfigSchema;
  for (const key of at) schema = schema === undefined ? undefined : childOf(schema, String(key));
  return schema === undefined ? [] : objectKeys(schema);
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  return schema instanceof z.ZodOptional ? unwrap(schema.unwrap()) : schema;
}

function objectKeys(schema: z.core.$ZodType): string[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return Object.keys(s.shape);
  if (s instanceof z.ZodDiscriminatedUnion) return [...new Set(s.options.flatMap((o) => objectKeys(o)))];
  return [];
}

function childOf(schema: z.core.$ZodType, key: string): z.core.$ZodType | undefined {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return (s.shape as Record<string, z.core.$ZodType | undefined>)[key];
  if (s instanceof z.ZodRecord) return s.valueType;
  if (s instanceof z.ZodArray) return s.element;
  if (s instanceof z.ZodDiscriminatedUnion) return s.options.map((o) => childOf(o, key)).find((c) => c !== undefined);
  return undefined;
}

/**
 * `${NAME}` as OpenClaw substitutes it; `$${NAME}` is its escape for a literal. Missing and empty both stay unresolved.
 */
const ENV_REF = /(\$?)\$\{([A-Z_][A-Z0-9_]*)\}/g;

function envRefFindings(value: unknown, env: OpenclawEnv, at: readonly string[] = []): OpenclawFinding[] {
  if (typeof value === 'string') {
    return [...value.matchAll(ENV_REF)]
      .filter((m) => m[1] === '' && !env[m[2] ?? ''])
      .map((m) => ({
        code: 'env-undefined' as const,
        path: dotted(at),
        message: `\${${m[2]}} is not defined in the env file: OpenClaw leaves it unresolved and the feature using it is unavailable`,
      }));
  }
  if (Array.isArray(value)) return value.flatMap((v: unknown, i) => envRefFindings(v, env, [...at, String(i)]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => envRefFindings(v, env, [...at, k]));
  }
  return [];
}

/**
 * Each enabled channel needs `plugins.entries.<id>.enabled: true`. Channel plugins are bundled-disabled since 2026.2.22
 * (REX-45: Telegram silent, container healthy). 2026.9.6 enables the plugin from the channel config alone, but an entry
 * with `enabled: false` keeps it `disabled` (verified with `plugins list --json`); rig always writes the entry.
 */
const channelPlugins: Rule = (config) =>
  Object.entries(config.channels ?? {}).flatMap(([id, channel]): OpenclawFinding[] => {
    if (channel === undefined || !channel.enabled) return [];
    const at = `plugins.entries.${id}.enabled`;
    const entry = config.plugins?.entries[id];
    if (entry === undefined) {
      return [
        {
          code: 'channel-plugin-missing',
          path: at,
          message: `channels.${id} is enabled but ${at} is not set: channel plugins are disabled by default since 2026.2.22; set it to true`,
        },
      ];
    }
    if (!entry.enabled) {
      return [
        {
          code: 'channel-plugin-disabled',
          path: at,
          message: `channels.${id} is enabled but ${at} is false: the plugin stays disabled and the channel is silent`,
        },
      ];
    }
    return [];
  });

/**
 * DooD (docs/lessons.md §11.23): sandboxes mount host paths, so state, config and workspace are absolute and under one
 * state dir.
 */
const statePaths: Rule = (config, env) => {
  const stateDir = env.OPENCLAW_STATE_DIR;
  const paths: [string, string | undefined][] = [
    ['env.OPENCLAW_CONFIG_PATH', env.OPENCLAW_CONFIG_PATH],
    ['agents.defaults.workspace', config.agents.defaults.workspace],
  ];
  if (stateDir === undefined || stateDir === '') {
    if (config.agents.defaults.sandbox.mode === 'off') return [];
    return [
      {
        code: 'state-dir-unset',
        path: 'env.OPENCLAW_STATE_DIR',
        message:
          'OPENCLAW_STATE_DIR is unset: sandboxes mount workspace paths that must exist on the host at the same place',
      },
    ];
  }
  if (!path.posix.isAbsolute(stateDir)) {
    return [
      { code: 'path-not-absolute', path: 'env.OPENCLAW_STATE_DIR', message: `"${stateDir}" is not an absolute path` },
    ];
  }
  return paths.flatMap(([at, p]): OpenclawFinding[] => {
    if (p === undefined) return [];
    if (!path.posix.isAbsolute(p))
      return [{ code: 'path-not-absolute', path: at, message: `"${p}" is not an absolute path` }];
    if (!isUnder(p, stateDir)) {
      return [
        {
          code: 'outside-state-dir',
          path: at,
          message: `"${p}" is outside OPENCLAW_STATE_DIR "${stateDir}": the host-path identity of the state mount does not cover it`,
        },
      ];
    }
    return [];
  });
};

function isUnder(p: string, dir: string): boolean {
  const rel = path.posix.relative(path.posix.normalize(dir), path.posix.normalize(p));
  return rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel));
}

/** `gateway run` exits 78 "Refusing to bind gateway to lan without auth" unless config or env gives a secret. */
const gatewayAuth: Rule = (config, env) => {
  if (config.gateway.bind === 'loopback' || config.gateway.auth !== undefined) return [];
  if (env.OPENCLAW_GATEWAY_TOKEN || env.OPENCLAW_GATEWAY_PASSWORD) return [];
  return [
    {
      code: 'gateway-auth-missing',
      path: 'gateway.auth',
      message: `bind "${config.gateway.bind}" without auth: the gateway refuses to start (exit 78); set gateway.auth to a token from the env`,
    },
  ];
};

/** The product's own warnings (2026.9.6 `config validate`): these DM policies drop every direct message. */
const telegramDms: Rule = (config) => {
  const tg = config.channels?.telegram;
  if (tg === undefined) return [];
  const allow = (tg.allowFrom ?? []).map(String);
  const at = 'channels.telegram.allowFrom';
  if (tg.dmPolicy === 'allowlist' && allow.length === 0) {
    return [
      {
        code: 'telegram-dms-dropped',
        path: at,
        message: 'dmPolicy "allowlist" with an empty allowFrom: all DMs will be dropped',
      },
    ];
  }
  if (tg.dmPolicy === 'open' && !allow.includes('*')) {
    return [
      {
        code: 'telegram-dms-dropped',
        path: at,
        message: 'dmPolicy "open" needs "*" in allowFrom, else all DMs will be dropped',
      },
    ];
  }
  return [];
};

const RULES: readonly Rule[] = [channelPlugins, statePaths, gatewayAuth, telegramDms];
