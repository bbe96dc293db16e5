// The LiteLLM config checks, lesson by lesson (docs/lessons.md §10.3, fact 6): the broken config is refused with its
// exact text, the fixed one passes.
import { describe, expect, it } from 'vitest';
import {
  checkHealthProbe,
  checkLiteLLMConfig,
  dailyHealthChecks,
  type Finding,
  type LiteLLMCheckOptions,
} from '../../../src/litellm/placement.js';

type Settings = Record<string, unknown>;

/** A parsed config, typed just enough for the cases to break it. */
interface Config {
  model_list: { model_name: string; litellm_params: Settings; model_info?: Settings }[];
  router_settings: Settings;
  litellm_settings: Settings & { fallbacks: Record<string, string[]>[] };
  general_settings: Settings;
}

/**
 * The incumbent's config (§4) after its fixes: no health_check_interval, background checks off, max_tokens on
 * OpenRouter.
 */
function fixedConfig(): Config {
  return {
    model_list: [
      {
        model_name: 'claude-haiku',
        litellm_params: {
          model: 'anthropic/claude-3-5-haiku-latest',
          api_key: 'os.environ/ANTHROPIC_API_KEY',
          max_tokens: 4096,
        },
        model_info: { metadata: { tier: 'paid', tags: ['fast'] } },
      },
      {
        model_name: 'gpt-4o-mini',
        litellm_params: { model: 'openai/gpt-4o-mini', api_key: 'os.environ/OPENAI_API_KEY' },
      },
      {
        model_name: 'qwen3-coder',
        litellm_params: {
          model: 'openrouter/qwen/qwen3-coder:free',
          api_key: 'os.environ/OPENROUTER_API_KEY',
          max_tokens: 8192,
        },
        model_info: { metadata: { tier: 'free' } },
      },
      {
        model_name: 'embedding',
        litellm_params: { model: 'openai/text-embedding-3-small', api_key: 'os.environ/OPENAI_API_KEY' },
        model_info: { mode: 'embedding' },
      },
    ],
    router_settings: {
      routing_strategy: 'usage-based-routing-v2',
      enable_tag_filtering: true,
      cooldown_time: 60,
      num_retries: 2,
      timeout: 120,
      disable_cooldowns: false,
    },
    litellm_settings: {
      drop_params: true,
      num_retries: 2,
      request_timeout: 120,
      fallbacks: [{ 'claude-haiku': ['gpt-4o-mini', 'qwen3-coder'] }],
      success_callback: ['prometheus'],
      cache: true,
      cache_params: {
        type: 'qdrant-semantic',
        qdrant_api_base: 'http://qdrant:6333',
        qdrant_api_key: 'os.environ/QDRANT_API_KEY',
        ttl: 3600,
      },
    },
    general_settings: {
      master_key: 'os.environ/LITELLM_MASTER_KEY',
      database_url: 'os.environ/DATABASE_URL',
      max_budget: 5,
      budget_duration: '1d',
      background_health_checks: false,
      alerting: ['webhook'],
    },
  };
}

const ENV = {
  ANTHROPIC_API_KEY: 'a',
  OPENAI_API_KEY: 'o',
  OPENROUTER_API_KEY: 'r',
  QDRANT_API_KEY: 'q',
  LITELLM_MASTER_KEY: 'm',
  DATABASE_URL: 'postgresql://x',
};
const OPTS: LiteLLMCheckOptions = { backgroundHealthChecksOptIn: false, paidModels: ['claude-*', 'gpt-4o*'] };

const ROUTER_CRASH =
  'not a router_settings parameter: LiteLLM v1.81.3 refuses to start with it ("ValueError … not a valid router_settings parameter") and the container crash-loops; remove it (background health checks stay off with general_settings.background_health_checks: false)';
const OPT_IN = 'set litellm_background_health_checks_opt_in: true to accept the cost';

interface Case {
  name: string;
  broken: (c: Config, env: Record<string, string>) => void;
  opts?: Partial<LiteLLMCheckOptions>;
  expected: Finding[];
}

// One case per row: the table reads down (Prettier would spread each case over several lines).
// prettier-ignore
const CASES: Case[] = [
  {
    name: 'health_check_interval in router_settings (the v1.81.3 crash loop)',
    broken: (c) => { c.router_settings['health_check_interval'] = 0; },
    expected: [{ severity: 'error', path: ['router_settings', 'health_check_interval'], message: ROUTER_CRASH }],
  },
  {
    name: 'an unknown router_settings key',
    broken: (c) => { c.router_settings['routing_stratgy'] = 'simple-shuffle'; },
    expected: [{ severity: 'error', path: ['router_settings', 'routing_stratgy'], message: 'unknown router_settings key (known: routing_strategy, enable_tag_filtering, cooldown_time, num_retries, timeout, disable_cooldowns): LiteLLM refuses an invalid one at startup and the container crash-loops' }],
  },
  {
    name: 'health_check_interval: 0 in general_settings (continuous checks)',
    broken: (c) => { c.general_settings['health_check_interval'] = 0; },
    expected: [{ severity: 'error', path: ['general_settings', 'health_check_interval'], message: `0 means "check continuously" (about 2500 calls per model a day), each a real billed request (docs/lessons.md REX-36); remove it and keep background_health_checks: false, or ${OPT_IN}` }],
  },
  {
    name: 'health_check_interval: 600 in general_settings',
    broken: (c) => { c.general_settings['health_check_interval'] = 600; },
    expected: [{ severity: 'error', path: ['general_settings', 'health_check_interval'], message: `every 600 s means 144 calls per model a day, each a real billed request (docs/lessons.md REX-36); remove it and keep background_health_checks: false, or ${OPT_IN}` }],
  },
  {
    name: 'health_check_interval elsewhere',
    broken: (c) => { c.litellm_settings['health_check_interval'] = 60; },
    expected: [{ severity: 'error', path: ['litellm_settings', 'health_check_interval'], message: 'health_check_interval is read only in general_settings (background health checks, off here); remove it' }],
  },
  {
    name: 'background_health_checks: true without the opt-in',
    broken: (c) => { c.general_settings['background_health_checks'] = true; },
    expected: [{ severity: 'error', path: ['general_settings', 'background_health_checks'], message: `background health checks call every model of model_list (and those stored in the DB) again and again, each a real billed request (docs/lessons.md REX-36); set it to false, or ${OPT_IN}` }],
  },
  {
    name: 'background_health_checks not written (a config rig did not render)',
    broken: (c) => { delete c.general_settings['background_health_checks']; },
    expected: [{ severity: 'error', path: ['general_settings', 'background_health_checks'], message: 'must be false, written explicitly, so that background health checks stay off' }],
  },
  {
    name: 'opted in, default interval: the cost is a warning with the number',
    broken: (c) => { c.general_settings['background_health_checks'] = true; },
    opts: { backgroundHealthChecksOptIn: true },
    expected: [{ severity: 'warning', path: ['general_settings', 'background_health_checks'], message: "background health checks are on (litellm_background_health_checks_opt_in: true): 4 models × 288 checks a day (every 300 s, LiteLLM's default) ≈ 1152 billed model calls a day, plus every model stored in the DB" }],
  },
  {
    name: 'opted in, interval 0: continuously',
    broken: (c) => { c.general_settings['background_health_checks'] = true; c.general_settings['health_check_interval'] = 0; },
    opts: { backgroundHealthChecksOptIn: true },
    expected: [{ severity: 'warning', path: ['general_settings', 'background_health_checks'], message: 'background health checks are on (litellm_background_health_checks_opt_in: true): 4 models × 2500 checks a day (health_check_interval 0 = continuously) ≈ 10000 billed model calls a day, plus every model stored in the DB' }],
  },
  {
    name: 'os.environ/OPENROUTER_API_KEY not defined in the env',
    broken: (_c, env) => { delete env['OPENROUTER_API_KEY']; },
    expected: [{ severity: 'error', path: ['model_list', 2, 'litellm_params', 'api_key'], message: 'refers to OPENROUTER_API_KEY, which litellm_env (litellm.env) does not define: LiteLLM would read it as unset' }],
  },
  {
    name: 'the master key empty in the env, and a nested reference missing',
    broken: (_c, env) => { env['LITELLM_MASTER_KEY'] = ''; delete env['QDRANT_API_KEY']; },
    expected: [
      { severity: 'error', path: ['litellm_settings', 'cache_params', 'qdrant_api_key'], message: 'refers to QDRANT_API_KEY, which litellm_env (litellm.env) does not define: LiteLLM would read it as unset' },
      { severity: 'error', path: ['general_settings', 'master_key'], message: 'refers to LITELLM_MASTER_KEY, which is empty in litellm_env (litellm.env): LiteLLM would read it as unset' },
    ],
  },
  {
    name: 'an OpenRouter model without max_tokens (docs/lessons.md REX-37)',
    broken: (c) => { delete c.model_list[2]!.litellm_params['max_tokens']; },
    expected: [{ severity: 'error', path: ['model_list', 2, 'litellm_params'], message: 'OpenRouter model "openrouter/qwen/qwen3-coder:free" has no max_tokens: OpenRouter reserves its whole output budget against the credit and answers 402 (docs/lessons.md REX-37); set litellm_params.max_tokens' }],
  },
  {
    name: 'a fallback chain ending on a paid model',
    broken: (c) => { c.litellm_settings.fallbacks.push({ 'qwen3-coder': ['gpt-4o-mini'] }); },
    expected: [{ severity: 'warning', path: ['litellm_settings', 'fallbacks', 1, 'qwen3-coder', 0], message: 'the fallback chain of "qwen3-coder" ends on "gpt-4o-mini", a paid model (litellm_paid_models): every request that exhausts the chain is billed there; end it on a free model' }],
  },
];

describe('checkLiteLLMConfig', () => {
  it('the fixed config of docs/lessons.md §4 passes', () => {
    expect(checkLiteLLMConfig(fixedConfig(), { ...ENV }, OPTS)).toEqual([]);
  });

  it.each(CASES)('$name', ({ broken, opts, expected }) => {
    const config = fixedConfig();
    const env: Record<string, string> = { ...ENV };
    broken(config, env);
    expect(checkLiteLLMConfig(config, env, { ...OPTS, ...opts })).toEqual(expected);
  });

  it('opted in with background checks off: nothing to say', () => {
    const config = fixedConfig();
    config.general_settings['health_check_interval'] = 300;
    expect(checkLiteLLMConfig(config, ENV, { ...OPTS, backgroundHealthChecksOptIn: true })).toEqual([]);
  });

  it('every finding at once, and a config that is not a mapping', () => {
    const config = fixedConfig();
    config.router_settings['health_check_interval'] = 0;
    config.general_settings['background_health_checks'] = true;
    expect(checkLiteLLMConfig(config, {}, OPTS).map((f) => f.path.join('.'))).toEqual([
      'router_settings.health_check_interval',
      'general_settings.background_health_checks',
      'model_list.0.litellm_params.api_key',
      'model_list.1.litellm_params.api_key',
      'model_list.2.litellm_params.api_key',
      'model_list.3.litellm_params.api_key',
      'litellm_settings.cache_params.qdrant_api_key',
      'general_settings.master_key',
      'general_settings.database_url',
    ]);
    expect(checkLiteLLMConfig(['model_list'], ENV, OPTS)).toEqual([
      {
        severity: 'error',
        path: [],
        message:
          'the LiteLLM config must be a mapping (model_list, router_settings, litellm_settings, general_settings)',
      },
    ]);
  });
});

describe('checkHealthProbe', () => {
  const py = (url: string): string[] => [
    'python3',
    '-c',
    `import urllib.request; urllib.request.urlopen('${url}', timeout=4)`,
  ];

  it.each([
    ['readiness (argv)', py('http://127.0.0.1:4000/health/readiness')],
    ['liveliness (shell line)', 'curl -fsS http://127.0.0.1:4000/health/liveliness || exit 1'],
  ])('%s passes', (_name, test) => {
    expect(checkHealthProbe(test)).toEqual([]);
  });

  it.each([
    ['/health', py('http://127.0.0.1:4000/health')],
    ['/health/ with a query', 'curl -fsS "http://127.0.0.1:4000/health/?model=x"'],
  ])('%s is refused: it calls every model', (_name, test) => {
    expect(checkHealthProbe(test)).toEqual([
      {
        severity: 'error',
        path: [],
        message:
          'the healthcheck probes /health, which calls every model of model_list (real, billed requests) each time it runs; probe /health/readiness (no auth, checks the DB) or /health/liveliness',
      },
    ]);
  });

  it('a probe of something else is refused', () => {
    expect(checkHealthProbe(['pgrep', 'litellm'])).toEqual([
      {
        severity: 'error',
        path: [],
        message: 'the healthcheck must probe http://127.0.0.1:<port>/health/readiness or /health/liveliness',
      },
    ]);
  });
});

describe('dailyHealthChecks', () => {
  it.each([
    [1, 300, 288],
    [12, 60, 17280],
    [3, 0, 7500],
  ])('%i models every %i s: %i calls a day', (models, interval, calls) => {
    expect(dailyHealthChecks(models, interval)).toBe(calls);
  });
});
