// Role litellm: the LiteLLM proxy's config (typed, checked before rendering), its env file and its compose service.
import { defineRole, z } from 'rig';
import { checkHealthProbe, checkLiteLLMConfig, type LiteLLMFinding as Finding } from 'rig';

/** Where the config directory is mounted in the container (not /app: see `serviceSpec`). */
export const CONTAINER_CONFIG_DIR = '/etc/litellm';
export const CONFIG_FILE = 'litellm_config.yaml';
export const ENV_FILE = 'litellm.env';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
// The config is world-readable (0644: the container user must read it), so secrets are named, never written, in it.
const osEnviron = z
  .string()
  .regex(
    /^os\.environ\/[A-Za-z_][A-Za-z0-9_]*$/,
    'must be "os.environ/NAME": the config file is world-readable (0644), the value goes in litellm_env',
  );
const optNumber = z.number().nonnegative().optional();

const modelSchema = z.strictObject({
  model_name: z.string().min(1),
  litellm_params: z.strictObject({
    model: z.string().min(1),
    api_key: osEnviron.optional(),
    api_base: z.string().optional(),
    api_version: z.string().optional(),
    max_tokens: z.number().int().positive().optional(),
    temperature: optNumber,
    rpm: optNumber,
    tpm: optNumber,
    timeout: optNumber,
    stream_timeout: optNumber,
    max_retries: z.number().int().nonnegative().optional(),
    tags: z.array(z.string()).optional(),
    extra_headers: z.record(z.string(), z.string()).optional(),
    input_cost_per_token: optNumber,
    output_cost_per_token: optNumber,
  }),
  model_info: z
    .strictObject({
      id: z.string().optional(),
      mode: z.string().optional(),
      base_model: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
});

// Unknown keys pass the schema on purpose: placement.ts refuses them with the reason (health_check_interval = crash
// loop).
const routerSettingsSchema = z
  .object({
    routing_strategy: z.string().optional(),
    enable_tag_filtering: z.boolean().optional(),
    cooldown_time: optNumber,
    num_retries: z.number().int().nonnegative().optional(),
    timeout: optNumber,
    disable_cooldowns: z.boolean().optional(),
  })
  .catchall(z.unknown());

const litellmSettingsSchema = z.strictObject({
  drop_params: z.boolean().optional(),
  num_retries: z.number().int().nonnegative().optional(),
  request_timeout: optNumber,
  callbacks: z.array(z.string()).optional(),
  success_callback: z.array(z.string()).optional(),
  failure_callback: z.array(z.string()).optional(),
  fallbacks: z
    .array(
      z
        .record(z.string(), z.array(z.string()).min(1))
        .refine((m) => Object.keys(m).length === 1, 'one model per entry: "- <model>: [fallback, …]"'),
    )
    .optional(),
  cache: z.boolean().optional(),
  cache_params: z.record(z.string(), z.unknown()).optional(),
  provider_budget_config: z
    .record(z.string(), z.strictObject({ budget_limit: z.number().nonnegative(), time_period: z.string() }))
    .optional(),
});

const generalSettingsSchema = z.strictObject({
  master_key: osEnviron,
  database_url: osEnviron.optional(),
  /** Off unless written otherwise (and opted in): each background check is a real, billed model call. */
  background_health_checks: z.boolean().default(false),
  health_check_interval: z.number().int().nonnegative().optional(),
  max_budget: optNumber,
  budget_duration: z.string().optional(),
  alerting: z.array(z.string()).optional(),
  alert_types: z.array(z.string()).optional(),
});

const varsSchema = z.object({
  litellm_image: z.string().min(1).describe('LiteLLM image, repo:tag (versions.yml)'),
  litellm_port: z.number().int().min(1).max(65535).describe('Port the proxy listens on inside the backend network'),
  litellm_model_list: z.array(modelSchema).min(1).describe('model_list of the config'),
  litellm_router_settings: routerSettingsSchema.describe('router_settings of the config'),
  litellm_litellm_settings: litellmSettingsSchema.describe('litellm_settings of the config'),
  litellm_general_settings: generalSettingsSchema.describe('general_settings of the config'),
  litellm_env: z
    .record(envName, z.union([z.string(), z.number(), z.boolean()]))
    .describe('litellm.env (mode 0600): provider keys, LITELLM_MASTER_KEY… from the vault'),
  litellm_background_health_checks_opt_in: z
    .boolean()
    .describe('Accept background health checks (billed model calls); their daily count is printed'),
  litellm_paid_models: z
    .array(z.string())
    .describe('Paid model names (trailing * = prefix); no fallback chain may end on one'),
  litellm_healthcheck_path: z
    .string()
    .regex(/^\/[A-Za-z0-9/_.-]*$/, 'a URL path such as /health/readiness')
    .describe('What the container healthcheck probes'),
  litellm_healthcheck_probe: z
    .enum(['python', 'wget'])
    .describe('How the healthcheck asks: python3 (the real image) or busybox wget (the demo stand-in)'),
  litellm_health_timeout: z.number().int().positive().describe('Seconds a (re)created container has to become healthy'),
  litellm_networks: z
    .record(z.string(), z.strictObject({ internal: z.boolean().default(false), external: z.boolean().default(false) }))
    .describe('Networks of the service, with their settings'),
  litellm_mem_limit: z
    .string()
    .regex(/^\d+[bkmg]?$/i)
    .describe('Memory limit (compose mem_limit)'),
  litellm_cpus: z.number().positive().describe('CPU limit'),
  litellm_smoke_completion: z
    .enum(['off', 'checklist', 'always'])
    .describe(
      'Smoke check litellm-completion (one billed max_tokens 5 completion per model): off (only `rig smoke --only litellm-completion`), checklist (also in rig checklist), always (every rig smoke, the nightly too)',
    ),
  litellm_smoke_completion_models: z
    .array(z.string().min(1))
    .nullable()
    .describe('The model_names the completion check asks; null: every model_name of litellm_model_list'),
});

type Vars = z.output<typeof varsSchema>;

/** The config file as LiteLLM reads it, from the typed variables. */
export function litellmConfig(v: Vars): Record<string, unknown> {
  return {
    model_list: v.litellm_model_list,
    router_settings: v.litellm_router_settings,
    litellm_settings: v.litellm_litellm_settings,
    general_settings: v.litellm_general_settings,
  };
}

/**
 * The container healthcheck: python3 is in the image (curl is not guaranteed); a 4xx/5xx makes urlopen raise. `path` is
 * schema-checked (no quotes).
 */
export function healthcheckTest(port: number, path: string, probe: 'python' | 'wget' = 'python'): string[] {
  const url = `http://127.0.0.1:${port}${path}`;
  if (probe === 'wget') return ['sh', '-c', `timeout 4 wget -qO- ${url} >/dev/null`];
  return ['python3', '-c', `import urllib.request; urllib.request.urlopen('${url}', timeout=4)`];
}

/** Every finding of the variables, each with the path of the variable it is about (`litellm_router_settings.…`). */
export function varFindings(v: Vars): Finding[] {
  const env = Object.fromEntries(Object.entries(v.litellm_env).map(([k, x]) => [k, String(x)]));
  const opts = {
    backgroundHealthChecksOptIn: v.litellm_background_health_checks_opt_in,
    paidModels: v.litellm_paid_models,
  };
  const config = checkLiteLLMConfig(litellmConfig(v), env, opts).map((f) => ({
    ...f,
    path: [`litellm_${String(f.path[0])}`, ...f.path.slice(1)],
  }));
  const probe = checkHealthProbe(
    healthcheckTest(v.litellm_port, v.litellm_healthcheck_path, v.litellm_healthcheck_probe),
  ).map((f) => ({ ...f, path: ['litellm_healthcheck_path'] }));
  const names = new Set(v.litellm_model_list.map((m) => m.model_name));
  const smoke = (v.litellm_smoke_completion_models ?? []).flatMap((m, i): Finding[] =>
    names.has(m)
      ? []
      : [
          {
            severity: 'error',
            path: ['litellm_smoke_completion_models', i],
            message: `"${m}" is no model_name of litellm_model_list (${[...names].join(', ')}): the completion check would ask LiteLLM for a model it does not serve`,
          },
        ],
  );
  return [...config, ...probe, ...smoke];
}

/**
 * The compose service. The config directory is mounted read-only at a path of its own. Not /app: that is the image's
 * WORKDIR (its code, entrypoint and Prisma schema), which a mount there would hide. A directory because LiteLLM loads
 * custom callbacks from files beside the config. Staleness is not the reason (a single-file mount keeps the old inode
 * after an atomic write, §10.2): rig recreates the service whenever a file under the mount changes (in its
 * fingerprint).
 */
function serviceSpec(v: Vars, confDir: string) {
  return {
    image: v.litellm_image,
    command: ['--config', `${CONTAINER_CONFIG_DIR}/${CONFIG_FILE}`, '--port', String(v.litellm_port)],
    envFiles: [`${confDir}/${ENV_FILE}`],
    mounts: [{ type: 'bind' as const, source: confDir, target: CONTAINER_CONFIG_DIR, readOnly: true }],
    networks: Object.keys(v.litellm_networks),
    healthcheck: {
      test: healthcheckTest(v.litellm_port, v.litellm_healthcheck_path, v.litellm_healthcheck_probe),
      interval: '10s',
      timeout: '5s',
      retries: 5,
      startPeriod: '30s',
    },
    memLimit: v.litellm_mem_limit,
    cpus: v.litellm_cpus,
  };
}

export default defineRole({
  name: 'litellm',
  description: 'LiteLLM proxy: checked config, env file with the provider keys, compose service on the backend network',
  // Errors are schema issues: the engine reports them at the offending value's file:line:col, before any render.
  vars: varsSchema.superRefine((v, ctx) => {
    for (const f of varFindings(v))
      if (f.severity === 'error') ctx.addIssue({ code: 'custom', path: [...f.path], message: f.message });
  }),
  tasks: ({ vars, hostVars, template, dir, service, network, locate, report }) => {
    for (const f of varFindings(vars).filter((x) => x.severity === 'warning')) {
      const [name, ...rest] = f.path;
      report({ severity: 'warning', message: `${f.path.join('.')}: ${f.message}`, at: locate(String(name), rest) });
    }
    const projectDir = hostVars['project_dir'];
    if (typeof projectDir !== 'string')
      throw new Error('project_dir is not a string (rig validates it before rendering)');
    const confDir = `${projectDir}/configs/litellm`;
    const config = template(`${CONFIG_FILE}.hbs`, `${confDir}/${CONFIG_FILE}`, {
      mode: 0o644,
      extra: { litellm_config: litellmConfig(vars) },
    });
    if (config.sensitive) {
      report({
        severity: 'error',
        message: `${CONFIG_FILE} would hold a secret but is world-readable (0644): write os.environ/NAME in the config and put the value in litellm_env`,
      });
    }
    return [
      dir(confDir, { mode: 0o755 }),
      config,
      template(`${ENV_FILE}.hbs`, `${confDir}/${ENV_FILE}`, { mode: 0o600 }),
      ...Object.entries(vars.litellm_networks).map(([name, n]) => network(name, n)),
      service('litellm', serviceSpec(vars, confDir), {
        phase: 'apps',
        gate: { timeoutSec: vars.litellm_health_timeout },
      }),
    ];
  },
});
