// openclaw.json allow-list and lesson checks (each: broken → finding at its path, fixed → clean), and the plugins-list
// parser on output recorded from the real CLI (OpenClaw 2026.9.6 in local/openclaw:2026.9.6).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkOpenclawConfig, type OpenclawEnv } from '../../../src/openclaw/config-checks.js';
import { OpenclawConfigSchema } from '../../../src/openclaw/config-schema.js';
import { notLoaded, parsePluginsList, PluginsListParseError } from '../../../src/openclaw/plugins-list.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drafts are arbitrary JSON that the tests break on purpose
type Draft = Record<string, any>;

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/openclaw/${name}`, import.meta.url), 'utf8');

/**
 * Every key of the allow-list; `openclaw config validate` of 2026.9.6 says "Config valid" for it (integration test).
 */
const FULL = JSON.parse(fixture('openclaw.full.json')) as Draft;
const ENV: OpenclawEnv = {
  OPENCLAW_STATE_DIR: '/opt/p/data/openclaw/system',
  OPENCLAW_CONFIG_PATH: '/opt/p/data/openclaw/system/openclaw.json',
  OPENCLAW_GATEWAY_TOKEN: 'gateway-token',
  TELEGRAM_BOT_TOKEN: '123456:telegram-token',
};

/** A deep copy of the full config with `edit` applied. */
function variant(edit: (c: Draft) => void): Draft {
  const c = structuredClone(FULL);
  edit(c);
  return c;
}

const codesAndPaths = (input: unknown, env: OpenclawEnv = ENV): string[] =>
  checkOpenclawConfig(input, env).map((f) => `${f.code} ${f.path}`);

describe('openclaw.json allow-list', () => {
  it('accepts the full config the role renders, and the schema types it', () => {
    expect(checkOpenclawConfig(FULL, ENV)).toEqual([]);
    expect(OpenclawConfigSchema.parse(FULL).agents.defaults.sandbox.workspaceAccess).toBe('rw');
  });

  // The incumbent's crashers (docs/lessons.md §10.14) and their fixes. 2026.9.6 still rejects the root heartbeat, retry
  // and bad enums; it accepts fallbacks, readability and direct, which stay out of the allow-list (older releases
  // crashed).
  const lessons: [string, (c: Draft) => void, string, string][] = [
    [
      'root heartbeat',
      (c) => (c.heartbeat = { every: '0m' }),
      'unknown-key heartbeat',
      'use agents.defaults.heartbeat',
    ],
    [
      'model beyond {primary}',
      (c) => (c.agents.defaults.model.fallbacks = ['openai/gpt-4o']),
      'unknown-key agents.defaults.model.fallbacks',
      'only {primary}',
    ],
    [
      'tools.web.fetch.readability',
      (c) => (c.tools = { web: { fetch: { readability: true } } }),
      'unknown-key tools',
      'readability crashed',
    ],
    [
      'channels.telegram.direct',
      (c) => (c.channels.telegram.direct = { 123: { enabled: true } }),
      'unknown-key channels.telegram.direct',
      'refuses to start',
    ],
    [
      'channels.telegram.retry',
      (c) => (c.channels.telegram.retry = { attempts: 5 }),
      'unknown-key channels.telegram.retry',
      'must not have additional properties: "retry"',
    ],
    [
      'plugin entry extra key',
      (c) => (c.plugins.entries.telegram.bogus = true),
      'unknown-key plugins.entries.telegram.bogus',
      'refuses to start',
    ],
    [
      'workspaceAccess outside none|ro|rw',
      (c) => (c.agents.defaults.sandbox.workspaceAccess = 'write'),
      'invalid-value agents.defaults.sandbox.workspaceAccess',
      '"none"|"ro"|"rw"',
    ],
    [
      'sandbox mode typo',
      (c) => (c.agents.defaults.sandbox.mode = 'nonmain'),
      'invalid-value agents.defaults.sandbox.mode',
      '"off"|"non-main"|"all"',
    ],
    [
      'bot token inline',
      (c) => (c.channels.telegram.botToken = '123:abc'),
      'invalid-value channels.telegram.botToken',
      'env reference',
    ],
    ['bind to an address', (c) => (c.gateway.bind = '0.0.0.0'), 'invalid-value gateway.bind', '"loopback"|"lan"'],
  ];
  it.each(lessons)('%s → finding at its path', (_name, edit, expected, words) => {
    const findings = checkOpenclawConfig(variant(edit), ENV);
    expect(findings.map((f) => `${f.code} ${f.path}`)).toEqual([expected]);
    expect(findings[0]?.message).toContain(words);
  });

  it('suggests the key that was meant', () => {
    const findings = checkOpenclawConfig(
      variant((c) => ((c.gateway.prot = 18789), delete c.gateway.port)),
      ENV,
    );
    expect(findings.map((f) => `${f.path}: ${f.message}`)).toEqual([
      'gateway.port: Invalid input: expected number, received undefined',
      'gateway.prot: unknown key "prot" (did you mean "port"?): OpenClaw refuses to start on keys it does not know',
    ]);
  });

  it('collects every problem in one pass', () => {
    const broken = variant((c) => {
      c.heartbeat = {};
      c.agents.defaults.sandbox.workspaceAccess = 'write';
      c.channels.telegram.botToken = '${TG_TOKEN}';
    });
    expect(codesAndPaths(broken)).toEqual([
      'invalid-value agents.defaults.sandbox.workspaceAccess',
      'unknown-key heartbeat',
      'env-undefined channels.telegram.botToken',
    ]);
  });
});

describe('openclaw lessons', () => {
  it('REX-45: an enabled channel needs its plugin entry enabled', () => {
    const missing = variant((c) => delete c.plugins);
    expect(checkOpenclawConfig(missing, ENV)).toEqual([
      {
        code: 'channel-plugin-missing',
        path: 'plugins.entries.telegram.enabled',
        message:
          'channels.telegram is enabled but plugins.entries.telegram.enabled is not set: channel plugins are disabled by default since 2026.2.22; set it to true',
      },
    ]);
    expect(codesAndPaths(variant((c) => (c.plugins.entries.telegram.enabled = false)))).toEqual([
      'channel-plugin-disabled plugins.entries.telegram.enabled',
    ]);
    expect(codesAndPaths(variant((c) => ((c.channels.telegram.enabled = false), delete c.plugins)))).toEqual([]);
  });

  it('§11.17: every ${VAR} is defined (and not empty) in the env file; $${VAR} is a literal', () => {
    const env = { ...ENV, TELEGRAM_BOT_TOKEN: '' };
    expect(checkOpenclawConfig(FULL, env)).toEqual([
      {
        code: 'env-undefined',
        path: 'channels.telegram.botToken',
        message:
          '${TELEGRAM_BOT_TOKEN} is not defined in the env file: OpenClaw leaves it unresolved and the feature using it is unavailable',
      },
    ]);
    const escaped = variant((c) => (c.gateway.controlUi.basePath = '/$${NOT_A_REF}'));
    expect(codesAndPaths(escaped)).toEqual([]);
    const nested = variant((c) => (c.gateway.controlUi.allowedOrigins = ['https://${ADMIN_HOST}']));
    expect(codesAndPaths(nested)).toEqual(['env-undefined gateway.controlUi.allowedOrigins.0']);
  });

  it('§11.23: state dir, config path and workspace are absolute and under the state dir', () => {
    expect(codesAndPaths(FULL, { ...ENV, OPENCLAW_STATE_DIR: 'data/openclaw' })).toEqual([
      'path-not-absolute env.OPENCLAW_STATE_DIR',
    ]);
    expect(codesAndPaths(variant((c) => (c.agents.defaults.workspace = 'workspace')))).toEqual([
      'path-not-absolute agents.defaults.workspace',
    ]);
    expect(codesAndPaths(variant((c) => (c.agents.defaults.workspace = '/opt/p/data/openclaw/systemx/ws')))).toEqual([
      'outside-state-dir agents.defaults.workspace',
    ]);
    expect(codesAndPaths(FULL, { ...ENV, OPENCLAW_CONFIG_PATH: '/etc/openclaw.json' })).toEqual([
      'outside-state-dir env.OPENCLAW_CONFIG_PATH',
    ]);
    const { OPENCLAW_STATE_DIR: _unset, ...noStateDir } = ENV;
    expect(codesAndPaths(FULL, noStateDir)).toEqual(['state-dir-unset env.OPENCLAW_STATE_DIR']);
    expect(
      codesAndPaths(
        variant((c) => (c.agents.defaults.sandbox.mode = 'off')),
        noStateDir,
      ),
    ).toEqual([]);
  });

  it('a lan bind needs auth, in the config or the env (else `gateway run` exits 78)', () => {
    const noAuth = variant((c) => delete c.gateway.auth);
    const { OPENCLAW_GATEWAY_TOKEN: _t, ...noToken } = ENV;
    expect(codesAndPaths(noAuth, noToken)).toEqual(['gateway-auth-missing gateway.auth']);
    expect(codesAndPaths(noAuth, ENV)).toEqual([]);
    expect(
      codesAndPaths(
        variant((c) => ((c.gateway.bind = 'loopback'), delete c.gateway.auth)),
        noToken,
      ),
    ).toEqual([]);
  });

  it('Telegram DM policies that drop every DM (the product warns, then drops them)', () => {
    expect(codesAndPaths(variant((c) => (c.channels.telegram.allowFrom = [])))).toEqual([
      'telegram-dms-dropped channels.telegram.allowFrom',
    ]);
    expect(codesAndPaths(variant((c) => (c.channels.telegram.dmPolicy = 'open')))).toEqual([
      'telegram-dms-dropped channels.telegram.allowFrom',
    ]);
    expect(
      codesAndPaths(variant((c) => ((c.channels.telegram.dmPolicy = 'open'), (c.channels.telegram.allowFrom = ['*'])))),
    ).toEqual([]);
  });
});

describe('openclaw plugins list --json', () => {
  it('telegram is loaded with the channel and its plugin entry enabled (recorded)', () => {
    const list = parsePluginsList(fixture('plugins-list.json'));
    expect(list.plugins).toHaveLength(63);
    expect(list.loaded).toHaveLength(41);
    expect(list.loaded).toContain('telegram');
    expect(list.plugins.find((p) => p.id === 'telegram')).toEqual({
      id: 'telegram',
      enabled: true,
      status: 'loaded',
      channelIds: ['telegram'],
      origin: 'bundled',
      error: undefined,
    });
    expect(notLoaded(list, ['telegram'])).toEqual([]);
  });

  it('telegram is disabled by default (recorded without channel or entry)', () => {
    const list = parsePluginsList(fixture('plugins-list-disabled.json'));
    expect(list.loaded).toHaveLength(40);
    expect(notLoaded(list, ['telegram', 'whatsapp'])).toEqual([
      { id: 'telegram', status: 'disabled' },
      { id: 'whatsapp', status: 'absent' },
    ]);
  });

  it('skips a log line before the document; rejects what is not the document', () => {
    const list = parsePluginsList(`[sqlite] slow transaction\n${fixture('plugins-list.json')}`);
    expect(list.loaded).toContain('telegram');
    expect(() => parsePluginsList('Plugins (41/63 enabled)\n')).toThrow(PluginsListParseError);
    expect(() => parsePluginsList('{"plugins":[{"id":"x"}]}')).toThrow(
      'openclaw plugins list --json: unexpected shape, plugins.0.enabled: Invalid input: expected boolean, received undefined',
    );
  });
});
