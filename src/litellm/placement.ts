// Pure checks of a LiteLLM proxy config (plain parsed YAML) and its env: where a key is placed decides a crash loop or
// a bill. Used by roles/litellm on the variables before anything is rendered, and by the litellm-config smoke check on
// the config read back from a host (one rule set for lint and smoke)

/** Where in the config a finding is (`['router_settings', 'health_check_interval']`). */
export type FindingPath = readonly (string | number)[];

/** One problem of a config. Messages name no value but model and variable names: values may be secrets. */
export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly path: FindingPath;
  readonly message: string;
}

export interface LiteLLMCheckOptions {
  /**
   * `litellm_background_health_checks_opt_in`: background health checks are accepted; their daily cost is a warning.
   */
  readonly backgroundHealthChecksOptIn: boolean;
  /** Model names that cost money (a trailing `*` matches a prefix: `claude-*`); no fallback chain may end on one. */
  readonly paidModels: readonly string[];
}

/** The router_settings keys the incumbent uses; LiteLLM refuses an invalid one at startup (v1.81.3: crash loop). */
export const ROUTER_SETTINGS_KEYS = [
  'routing_strategy',
  'enable_tag_filtering',
  'cooldown_time',
  'num_retries',
  'timeout',
  'disable_cooldowns',
] as const;

/** health_check_interval 0 means "check continuously": about 2500 checks per model a day (docs/lessons.md REX-36). */
export const CONTINUOUS_CHECKS_PER_DAY = 2500;
/** LiteLLM's interval when background checks are on and none is set (the value its docs use), in seconds. */
export const DEFAULT_HEALTH_CHECK_INTERVAL = 300;

const OPT_IN = 'set litellm_background_health_checks_opt_in: true to accept the cost';

type YamlMap = Readonly<Record<string, unknown>>;

/** Every finding of `config` (the parsed litellm_config.yaml) against `env` (the parsed litellm.env). */
export function checkLiteLLMConfig(
  config: unknown,
  env: Readonly<Record<string, unknown>>,
  opts: LiteLLMCheckOptions,
): Finding[] {
  if (!isMap(config))
    return [
      error(
        [],
        'the LiteLLM config must be a mapping (model_list, router_settings, litellm_settings, general_settings)',
      ),
    ];
  return [
    ...checkRouterSettings(config['router_settings']),
    ...checkStrayIntervals(config),
    ...checkBackgroundHealthChecks(config, opts),
    ...checkEnvReferences(config, env),
    ...checkOpenRouterMaxTokens(config['model_list']),
    ...checkFallbacks(config['litellm_settings'], opts.paidModels),
  ];
}

/** A container healthcheck (argv or shell line) must probe /health/readiness or /health/liveliness, never /health. */
export function checkHealthProbe(test: string | readonly string[]): Finding[] {
  const text = typeof test === 'string' ? test : test.join(' ');
  const paths = [...text.matchAll(/https?:\/\/[^\s'"]+/g)].map((m) => urlPath(m[0]));
  if (paths.includes('/health')) {
    return [
      error(
        [],
        'the healthcheck probes /health, which calls every model of model_list (real, billed requests) each time it runs; probe /health/readiness (no auth, checks the DB) or /health/liveliness',
      ),
    ];
  }
  if (!paths.some((p) => p === '/health/readiness' || p === '/health/liveliness')) {
    return [error([], 'the healthcheck must probe http://127.0.0.1:<port>/health/readiness or /health/liveliness')];
  }
  return [];
}

function urlPath(url: string): string {
  try {
    return new URL(url).pathname.replace(/(.)\/+$/, '$1');
  } catch {
    return '';
  }
}

/** Billed health-check calls a day for `models` models checked every `intervalSec` seconds (0: continuously). */
export function dailyHealthChecks(models: number, intervalSec: number): number {
  return models * (intervalSec === 0 ? CONTINUOUS_CHECKS_PER_DAY : Math.round(86_400 / intervalSec));
}

function checkRouterSettings(router: unknown): Finding[] {
  if (!isMap(router)) return [];
  const known: readonly string[] = ROUTER_SETTINGS_KEYS;
  return Object.keys(router).flatMap((key) => {
    if (key === 'health_check_interval') {
      return [
        error(
          ['router_settings', key],
          'not a router_settings parameter: LiteLLM v1.81.3 refuses to start with it ("ValueError … not a valid router_settings parameter") and the container crash-loops; remove it (background health checks stay off with general_settings.background_health_checks: false)',
        ),
      ];
    }
    if (known.includes(key)) return [];
    return [
      error(
        ['router_settings', key],
        `unknown router_settings key (known: ${known.join(', ')}): LiteLLM refuses an invalid one at startup and the container crash-loops`,
      ),
    ];
  });
}

/** health_check_interval is read in general_settings only; router_settings has its own, sharper finding. */
function checkStrayIntervals(config: YamlMap): Finding[] {
  return walk(config, [])
    .filter(({ path }) => path.at(-1) === 'health_check_interval')
    .filter(({ path }) => !(path.length === 2 && (path[0] === 'router_settings' || path[0] === 'general_settings')))
    .map(({ path }) =>
      error(
        path,
        'health_check_interval is read only in general_settings (background health checks, off here); remove it',
      ),
    );
}

function checkBackgroundHealthChecks(config: YamlMap, opts: LiteLLMCheckOptions): Finding[] {
  const general = isMap(config['general_settings']) ? config['general_settings'] : {};
  const on = general['background_health_checks'];
  const interval = general['health_check_interval'];
  const here = ['general_settings', 'background_health_checks'];
  if (opts.backgroundHealthChecksOptIn) {
    if (on !== true) return [];
    const seconds = typeof interval === 'number' && interval >= 0 ? interval : DEFAULT_HEALTH_CHECK_INTERVAL;
    const models = Array.isArray(config['model_list']) ? config['model_list'].length : 0;
    const every =
      seconds === 0
        ? 'health_check_interval 0 = continuously'
        : `every ${seconds} s${interval === undefined ? ", LiteLLM's default" : ''}`;
    return [
      warning(
        here,
        `background health checks are on (litellm_background_health_checks_opt_in: true): ${models} models × ${dailyHealthChecks(1, seconds)} checks a day (${every}) ≈ ${dailyHealthChecks(models, seconds)} billed model calls a day, plus every model stored in the DB`,
      ),
    ];
  }
  const out: Finding[] = [];
  if (on === true)
    out.push(
      error(
        here,
        `background health checks call every model of model_list (and those stored in the DB) again and again, each a real billed request (docs/lessons.md REX-36); set it to false, or ${OPT_IN}`,
      ),
    );
  else if (on !== false)
    out.push(error(here, 'must be false, written explicitly, so that background health checks stay off'));
  if (interval !== undefined) {
    out.push(
      error(
        ['general_settings', 'health_check_interval'],
        `${intervalMeaning(interval)}, each a real billed request (docs/lessons.md REX-36); remove it and keep background_health_checks: false, or ${OPT_IN}`,
      ),
    );
  }
  return out;
}

function intervalMeaning(interval: unknown): string {
  if (interval === 0) return `0 means "check continuously" (about ${CONTINUOUS_CHECKS_PER_DAY} calls per model a day)`;
  if (typeof interval === 'number' && interval > 0)
    return `every ${interval} s means ${dailyHealthChecks(1, interval)} calls per model a day`;
  return 'it sets how often background health checks call every model';
}

/** Every `os.environ/NAME` must be defined (and non-empty) in the env file, or LiteLLM reads it as unset. */
function checkEnvReferences(config: YamlMap, env: Readonly<Record<string, unknown>>): Finding[] {
  return walk(config, []).flatMap(({ path, value }) => {
    const name = typeof value === 'string' ? /^os\.environ\/(.*)$/.exec(value)?.[1] : undefined;
    if (name === undefined) return [];
    if (!Object.hasOwn(env, name))
      return [
        error(
          path,
          `refers to ${name}, which litellm_env (litellm.env) does not define: LiteLLM would read it as unset`,
        ),
      ];
    if (env[name] === '')
      return [
        error(path, `refers to ${name}, which is empty in litellm_env (litellm.env): LiteLLM would read it as unset`),
      ];
    return [];
  });
}

/**
 * REX-37: OpenRouter reserves the model's whole output budget against the credit and answers 402 without max_tokens.
 */
function checkOpenRouterMaxTokens(models: unknown): Finding[] {
  if (!Array.isArray(models)) return [];
  return models.flatMap((m: unknown, i) => {
    const params = isMap(m) && isMap(m['litellm_params']) ? m['litellm_params'] : undefined;
    const model = params?.['model'];
    if (typeof model !== 'string' || !model.startsWith('openrouter/') || params?.['max_tokens'] !== undefined)
      return [];
    return [
      error(
        ['model_list', i, 'litellm_params'],
        `OpenRouter model "${model}" has no max_tokens: OpenRouter reserves its whole output budget against the credit and answers 402 (docs/lessons.md REX-37); set litellm_params.max_tokens`,
      ),
    ];
  });
}

/** `fallbacks: [{ model: [fb1, fb2] }]`: a chain that ends on a paid model bills every request that exhausts it. */
function checkFallbacks(settings: unknown, paid: readonly string[]): Finding[] {
  const chains = isMap(settings) && Array.isArray(settings['fallbacks']) ? (settings['fallbacks'] as unknown[]) : [];
  return chains.flatMap((entry, i) =>
    Object.entries(isMap(entry) ? entry : {}).flatMap(([model, chain]) => {
      const last: unknown = Array.isArray(chain) ? chain.at(-1) : undefined;
      if (typeof last !== 'string' || !isPaid(last, paid) || !Array.isArray(chain)) return [];
      return [
        warning(
          ['litellm_settings', 'fallbacks', i, model, chain.length - 1],
          `the fallback chain of "${model}" ends on "${last}", a paid model (litellm_paid_models): every request that exhausts the chain is billed there; end it on a free model`,
        ),
      ];
    }),
  );
}

function isPaid(model: string, paid: readonly string[]): boolean {
  return paid.some((p) => (p.endsWith('*') ? model.startsWith(p.slice(0, -1)) : model === p));
}

/** Every scalar and key of a parsed YAML tree with its path (keys too, so that a key with a null value is seen). */
function walk(value: unknown, path: FindingPath): { path: FindingPath; value: unknown }[] {
  const here = { path, value };
  if (Array.isArray(value)) return [here, ...value.flatMap((v: unknown, i) => walk(v, [...path, i]))];
  if (isMap(value)) return [here, ...Object.entries(value).flatMap(([k, v]) => walk(v, [...path, k]))];
  return [here];
}

function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function error(path: FindingPath, message: string): Finding {
  return { severity: 'error', path, message };
}

function warning(path: FindingPath, message: string): Finding {
  return { severity: 'warning', path, message };
}
