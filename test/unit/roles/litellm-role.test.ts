// Role litellm through the real loader and renderer: the exact config YAML, the env file (0600, sensitive), the
// service, and every lesson of docs/lessons.md §10.3 refused at the offending variable's file:line:col before anything
// is rendered.
import { describe, expect, it } from 'vitest';
import { renderProject } from '../../../src/config/roles/render-roles.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { formatDiagnostic, type Diagnostic } from '../../../src/core/errors/diagnostic.js';
import type { FileOp, NetworkOp, Op, ServiceOp } from '../../../src/core/desired/op.js';
import { load, loadErrors, makeProject, renderErrors, replaceOnce } from '../../helpers/project.js';

const PASSWORD = 'litellm-test-vault';
const VARS = 'inventory/test/group_vars/all/litellm.yml';
const MASTER_KEY = 'sk-master-0123456789';

/** The incumbent's litellm variables (§4), fixed; `edit` replaces lines to break one thing. */
const LITELLM_YML = `project_name: javisi
litellm_image: ghcr.io/berriai/litellm:v1.83.3-stable
litellm_model_list:
  - model_name: claude-haiku
    litellm_params:
      model: anthropic/claude-3-5-haiku-latest
      api_key: os.environ/ANTHROPIC_API_KEY
      max_tokens: 4096
    model_info:
      metadata: { tier: paid }
  - model_name: qwen3-coder
    litellm_params:
      model: openrouter/qwen/qwen3-coder:free
      api_key: os.environ/OPENROUTER_API_KEY
      max_tokens: 8192
litellm_litellm_settings:
  drop_params: true
  fallbacks:
    - claude-haiku: [qwen3-coder]
litellm_general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  database_url: os.environ/DATABASE_URL
  max_budget: 5.0
  budget_duration: 1d
  background_health_checks: false
litellm_paid_models: [claude-*]
litellm_env:
  LITELLM_MASTER_KEY: "{{ vault_litellm_master_key }}"
  ANTHROPIC_API_KEY: not-a-real-anthropic-key
  OPENROUTER_API_KEY: not-a-real-openrouter-key
  DATABASE_URL: postgresql://litellm:pw@postgresql:5432/litellm
  STORE_MODEL_IN_DB: "True"
`;

function files(litellmYml: string): Record<string, string> {
  const ring = VaultKeyring.fromPasswords([{ password: PASSWORD }]);
  const inline = ring
    .encrypt(MASTER_KEY)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return {
    'inventory/test/hosts.yml':
      'all:\n  children:\n    llm:\n      hosts:\n        llm1:\n          ansible_host: 127.0.0.1\n',
    [VARS]: litellmYml,
    'inventory/test/group_vars/all/secrets.yml': `vault_litellm_master_key: !vault |\n${inline}\n`,
    'playbooks/site.yml': '- hosts: llm\n  roles: [litellm]\n',
  };
}

/** `LITELLM_YML` with `from` replaced by `to` (each must occur once). */
const edit = (...pairs: [string, string][]): string => replaceOnce(LITELLM_YML, ...pairs);

async function render(litellmYml: string): Promise<{ ops: readonly Op[]; warnings: string[] }> {
  const root = makeProject(files(litellmYml), { roles: ['litellm'] });
  const project = await load(root, { vaultPassword: PASSWORD });
  const warnings: Diagnostic[] = [];
  const ops =
    renderProject(project, warnings)
      .get('llm1')
      ?.find((r) => r.role === 'litellm')?.ops ?? [];
  return { ops, warnings: warnings.map((w) => formatDiagnostic(w, root)) };
}

const errorsOf = (litellmYml: string): Promise<string[]> =>
  loadErrors(makeProject(files(litellmYml), { roles: ['litellm'] }), { vaultPassword: PASSWORD });

const fileAt = (ops: readonly Op[], path: string): FileOp | undefined =>
  ops.find((o): o is FileOp => o.kind === 'file' && o.path === path);

describe('role litellm renders', () => {
  it('the config from the typed variables, exactly, world-readable and not sensitive', async () => {
    const { ops, warnings } = await render(LITELLM_YML);
    expect(warnings).toEqual([]);
    const config = fileAt(ops, '/opt/javisi/configs/litellm/litellm_config.yaml');
    expect(config).toMatchObject({ mode: 0o644, sensitive: false });
    expect(config?.content)
      .toBe(`# managed by rig (role litellm) on llm1: edits on the host are overwritten by the next deploy
model_list:
  - model_name: claude-haiku
    litellm_params:
      model: anthropic/claude-3-5-haiku-latest
      api_key: os.environ/ANTHROPIC_API_KEY
      max_tokens: 4096
    model_info:
      metadata:
        tier: paid
  - model_name: qwen3-coder
    litellm_params:
      model: openrouter/qwen/qwen3-coder:free
      api_key: os.environ/OPENROUTER_API_KEY
      max_tokens: 8192
router_settings:
  routing_strategy: usage-based-routing-v2
  enable_tag_filtering: true
  cooldown_time: 60
  num_retries: 2
  timeout: 120
  disable_cooldowns: false
litellm_settings:
  drop_params: true
  fallbacks:
    - claude-haiku:
        - qwen3-coder
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
  database_url: os.environ/DATABASE_URL
  background_health_checks: false
  max_budget: 5
  budget_duration: 1d
`);
  });

  it('the env file: mode 0600, sensitive because of the vault secret', async () => {
    const { ops } = await render(LITELLM_YML);
    const env = fileAt(ops, '/opt/javisi/configs/litellm/litellm.env');
    expect(env).toMatchObject({ mode: 0o600, sensitive: true });
    expect(env?.content).toBe(
      [
        `LITELLM_MASTER_KEY=${MASTER_KEY}`,
        'ANTHROPIC_API_KEY=not-a-real-anthropic-key',
        'OPENROUTER_API_KEY=not-a-real-openrouter-key',
        'DATABASE_URL=postgresql://litellm:pw@postgresql:5432/litellm',
        'STORE_MODEL_IN_DB=True',
        '',
      ].join('\n'),
    );
  });

  it('the service: command, env file, directory mount, networks, readiness healthcheck, limits, gate', async () => {
    const { ops } = await render(LITELLM_YML);
    const svc = ops.find((o): o is ServiceOp => o.kind === 'service');
    expect(svc).toMatchObject({ name: 'litellm', phase: 'apps', gate: { timeoutSec: 200, oneShot: false } });
    expect(svc?.spec).toMatchObject({
      image: 'ghcr.io/berriai/litellm:v1.83.3-stable',
      command: ['--config', '/etc/litellm/litellm_config.yaml', '--port', '4000'],
      envFiles: ['/opt/javisi/configs/litellm/litellm.env'],
      mounts: [{ type: 'bind', source: '/opt/javisi/configs/litellm', target: '/etc/litellm', readOnly: true }],
      networks: ['backend', 'egress'],
      ports: [],
      healthcheck: {
        test: [
          'python3',
          '-c',
          "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4000/health/readiness', timeout=4)",
        ],
        interval: '10s',
        timeout: '5s',
        retries: 5,
        startPeriod: '30s',
      },
      memLimit: '1024m',
      cpus: 1,
    });
    expect(
      ops.filter((o): o is NetworkOp => o.kind === 'network').map((n) => [n.name, n.internal, n.external]),
    ).toEqual([
      ['backend', true, false],
      ['egress', false, false],
    ]);
    expect(ops.find((o) => o.kind === 'dir')).toMatchObject({ path: '/opt/javisi/configs/litellm', mode: 0o755 });
  });

  it('another port moves the command and the probe together', async () => {
    const { ops } = await render(`${LITELLM_YML}litellm_port: 4100\n`);
    const svc = ops.find((o): o is ServiceOp => o.kind === 'service');
    expect(svc?.spec.command).toEqual(['--config', '/etc/litellm/litellm_config.yaml', '--port', '4100']);
    expect(svc?.spec.healthcheck?.test).toContain(
      "import urllib.request; urllib.request.urlopen('http://127.0.0.1:4100/health/readiness', timeout=4)",
    );
  });
});

describe('role litellm refuses, at the variable', () => {
  const at = (line: number, col: number, message: string): string => `${VARS}:${line}:${col}: ${message} [host llm1]`;

  it.each<[string, string, string[]]>([
    [
      'health_check_interval in router_settings (the v1.81.3 crash loop)',
      `${LITELLM_YML}litellm_router_settings:\n  routing_strategy: usage-based-routing-v2\n  health_check_interval: 0\n`,
      [
        at(
          35,
          26,
          'litellm_router_settings.health_check_interval: not a router_settings parameter: LiteLLM v1.81.3 refuses to start with it ("ValueError … not a valid router_settings parameter") and the container crash-loops; remove it (background health checks stay off with general_settings.background_health_checks: false)',
        ),
      ],
    ],
    [
      'health_check_interval: 0 in general_settings, not opted in',
      edit(['  background_health_checks: false\n', '  background_health_checks: false\n  health_check_interval: 0\n']),
      [
        at(
          26,
          26,
          'litellm_general_settings.health_check_interval: 0 means "check continuously" (about 2500 calls per model a day), each a real billed request (docs/lessons.md REX-36); remove it and keep background_health_checks: false, or set litellm_background_health_checks_opt_in: true to accept the cost',
        ),
      ],
    ],
    [
      'background_health_checks: true, not opted in',
      edit(['background_health_checks: false', 'background_health_checks: true']),
      [
        at(
          25,
          29,
          'litellm_general_settings.background_health_checks: background health checks call every model of model_list (and those stored in the DB) again and again, each a real billed request (docs/lessons.md REX-36); set it to false, or set litellm_background_health_checks_opt_in: true to accept the cost',
        ),
      ],
    ],
    [
      'a healthcheck on /health',
      `${LITELLM_YML}litellm_healthcheck_path: /health\n`,
      [
        at(
          33,
          27,
          'litellm_healthcheck_path: the healthcheck probes /health, which calls every model of model_list (real, billed requests) each time it runs; probe /health/readiness (no auth, checks the DB) or /health/liveliness',
        ),
      ],
    ],
    [
      'os.environ/OPENROUTER_API_KEY not in litellm_env',
      edit(['  OPENROUTER_API_KEY: not-a-real-openrouter-key\n', '']),
      [
        at(
          14,
          16,
          'litellm_model_list.1.litellm_params.api_key: refers to OPENROUTER_API_KEY, which litellm_env (litellm.env) does not define: LiteLLM would read it as unset',
        ),
      ],
    ],
    [
      'an OpenRouter model without max_tokens',
      edit(['      max_tokens: 8192\n', '']),
      [
        at(
          13,
          7,
          'litellm_model_list.1.litellm_params: OpenRouter model "openrouter/qwen/qwen3-coder:free" has no max_tokens: OpenRouter reserves its whole output budget against the credit and answers 402 (docs/lessons.md REX-37); set litellm_params.max_tokens',
        ),
      ],
    ],
    [
      'a provider key written into the world-readable config',
      edit(['api_key: os.environ/ANTHROPIC_API_KEY', 'api_key: "{{ vault_litellm_master_key }}"']),
      [
        at(
          7,
          16,
          'litellm_model_list.0.litellm_params.api_key: must be "os.environ/NAME": the config file is world-readable (0644), the value goes in litellm_env',
        ),
      ],
    ],
  ])('%s', async (_name, yml, expected) => {
    expect(await errorsOf(yml)).toEqual(expected);
  });

  it('a vault secret anywhere else in the config (0644): refused when rendering, at the role', async () => {
    const yml = edit([
      '  drop_params: true\n',
      '  drop_params: true\n  cache: true\n  cache_params: { type: redis, password: "{{ vault_litellm_master_key }}" }\n',
    ]);
    const root = makeProject(files(yml), { roles: ['litellm'] });
    const project = await load(root, { vaultPassword: PASSWORD });
    const lines = renderErrors(project, root);
    expect(lines).toEqual([
      expect.stringMatching(
        /^roles\/litellm\/role\.ts:\d+:\d+: litellm_config\.yaml would hold a secret but is world-readable \(0644\): write os\.environ\/NAME in the config and put the value in litellm_env \[host llm1\]$/,
      ),
    ]);
    expect(lines.join('\n')).not.toContain(MASTER_KEY);
  });

  it('all of them at once', async () => {
    const yml = edit(
      ['background_health_checks: false', 'background_health_checks: true'],
      ['  OPENROUTER_API_KEY: not-a-real-openrouter-key\n', ''],
    );
    expect((await errorsOf(yml)).map((e) => e.split(': ')[0])).toEqual([`${VARS}:14:16`, `${VARS}:25:29`]);
  });
});

describe('role litellm warns', () => {
  it('opted in: the daily count of billed health checks, at the setting', async () => {
    const yml = edit(
      ['background_health_checks: false', 'background_health_checks: true'],
      ['litellm_paid_models', 'litellm_background_health_checks_opt_in: true\nlitellm_paid_models'],
    );
    const { warnings } = await render(yml);
    expect(warnings).toEqual([
      `${VARS}:25:29: warning: litellm_general_settings.background_health_checks: background health checks are on (litellm_background_health_checks_opt_in: true): 2 models × 288 checks a day (every 300 s, LiteLLM's default) ≈ 576 billed model calls a day, plus every model stored in the DB [host llm1]`,
    ]);
  });

  it('a fallback chain ending on a paid model, at its last element', async () => {
    const { warnings } = await render(
      edit([
        '    - claude-haiku: [qwen3-coder]\n',
        '    - claude-haiku: [qwen3-coder]\n    - qwen3-coder: [claude-haiku]\n',
      ]),
    );
    expect(warnings).toEqual([
      `${VARS}:20:21: warning: litellm_litellm_settings.fallbacks.1.qwen3-coder.0: the fallback chain of "qwen3-coder" ends on "claude-haiku", a paid model (litellm_paid_models): every request that exhausts the chain is billed there; end it on a free model [host llm1]`,
    ]);
  });
});
