// docs/lessons.md §10, LiteLLM's lessons: one edit per row of the lessons' deploy repo (lessons-repo.ts) brings a
// broken config back; `rig plan` (before any host is contacted) and `rig lint` refuse it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'vitest';
import { REPO_ROOT } from '../../helpers/project.js';
import { APP } from './lessons-repo.js';
import { expectRefused, type Refusal } from './lessons-refused.js';

/**
 * The `report(` call of a role's own finding (not a variable's): its file:line:col, found in the role's source as the
 * nearest `report(` at or above the message's `marker` (the message may sit on a line of its own).
 */
function callSite(file: string, marker: string): string {
  const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
  let line = lines.findIndex((l) => l.includes(marker));
  while (line > 0 && !(lines[line] ?? '').includes('report(')) line--;
  return `${file}:${line + 1}:${(lines[line] ?? '').indexOf('report(') + 1}`;
}

const LITELLM_SECRET_AT = callSite('roles/litellm/role.ts', 'would hold a secret but is world-readable');

describe('lint and plan refuse the broken LiteLLM configs of docs/lessons.md §10', () => {
  it.each<Refusal>([
    [
      '1 MissingEnvVarError: os.environ/OPENROUTER_API_KEY not in litellm.env',
      [APP, ['  OPENROUTER_API_KEY: "{{ vault_openrouter_api_key }}"\n', '']],
      'error',
      'plan+lint',
      `${APP}:22:16: litellm_model_list.0.litellm_params.api_key: refers to OPENROUTER_API_KEY, which litellm_env (litellm.env) does not define`,
    ],
    [
      '3 health_check_interval in router_settings (v1.81.3 crash loop)',
      [
        APP,
        [
          'litellm_general_settings:',
          'litellm_router_settings:\n  routing_strategy: usage-based-routing-v2\n  health_check_interval: 0\nlitellm_general_settings:',
        ],
      ],
      'error',
      'plan+lint',
      `${APP}:26:26: litellm_router_settings.health_check_interval: not a router_settings parameter: LiteLLM v1.81.3 refuses to start with it`,
    ],
    [
      '3 health_check_interval: 0 in general_settings (continuous checks)',
      [APP, ['  background_health_checks: false\n', '  background_health_checks: false\n  health_check_interval: 0\n']],
      'error',
      'plan+lint',
      `${APP}:28:26: litellm_general_settings.health_check_interval: 0 means "check continuously" (about 2500 calls per model a day)`,
    ],
    [
      '3 background health checks on without the opt-in',
      [APP, ['background_health_checks: false', 'background_health_checks: true']],
      'error',
      'plan+lint',
      `${APP}:27:29: litellm_general_settings.background_health_checks: background health checks call every model of model_list`,
    ],
    [
      '3 background health checks on with the opt-in: the daily cost',
      [
        APP,
        ['background_health_checks: false', 'background_health_checks: true'],
        ['litellm_env:', 'litellm_background_health_checks_opt_in: true\nlitellm_env:'],
      ],
      'warning',
      'plan',
      `${APP}:27:29: warning: litellm_general_settings.background_health_checks: background health checks are on (litellm_background_health_checks_opt_in: true): 1 models × 288 checks a day (every 300 s, LiteLLM's default) ≈ 288 billed model calls a day`,
    ],
    [
      '3 the container healthcheck on /health (calls every model)',
      [APP, ['litellm_env:', 'litellm_healthcheck_path: /health\nlitellm_env:']],
      'error',
      'plan+lint',
      `${APP}:28:27: litellm_healthcheck_path: the healthcheck probes /health, which calls every model of model_list`,
    ],
    [
      '21 a provider key written into the world-readable LiteLLM config',
      [APP, ['api_key: os.environ/OPENROUTER_API_KEY', 'api_key: "{{ vault_openrouter_api_key }}"']],
      'error',
      'plan+lint',
      `${APP}:22:16: litellm_model_list.0.litellm_params.api_key: must be "os.environ/NAME": the config file is world-readable (0644)`,
    ],
    [
      '21 a vault secret anywhere else in the LiteLLM config',
      [
        APP,
        [
          '      max_tokens: 8192\n',
          '      max_tokens: 8192\n      api_base: "https://llm.example/{{ vault_openrouter_api_key }}"\n',
        ],
      ],
      'error',
      'plan+lint',
      `${LITELLM_SECRET_AT}: litellm_config.yaml would hold a secret but is world-readable (0644)`,
    ],
  ])('%s', expectRefused);
});
