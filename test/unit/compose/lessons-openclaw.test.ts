// docs/lessons.md §10, OpenClaw's lessons (its env file, Telegram plugin, workspace, config keys): one edit per row of
// the lessons' deploy repo (lessons-repo.ts) brings a broken config back; `rig plan` and `rig lint` refuse it.
import { describe, it } from 'vitest';
import { APP } from './lessons-repo.js';
import { expectRefused, type Refusal } from './lessons-refused.js';

describe('lint and plan refuse the broken OpenClaw configs of docs/lessons.md §10', () => {
  it.each<Refusal>([
    [
      '1 MissingEnvVarError (§11.17): ${TELEGRAM_BOT_TOKEN} not in openclaw.env',
      [APP, ['  TELEGRAM_BOT_TOKEN: "{{ vault_telegram_bot_token }}"\n', '']],
      'error',
      'plan+lint',
      `${APP}:47:3: openclaw_env: \${TELEGRAM_BOT_TOKEN} is not defined in the env file`,
    ],
    [
      '4 telegram channel without plugins.entries.telegram',
      [APP, ['openclaw_plugins:\n  telegram: { enabled: true }\n', '']],
      'error',
      'plan+lint',
      `${APP}:40:12: openclaw_telegram.enabled: channels.telegram is enabled but plugins.entries.telegram.enabled is not set`,
    ],
    [
      '4 telegram plugin entry with enabled: false',
      [APP, ['telegram: { enabled: true }', 'telegram: { enabled: false }']],
      'error',
      'plan+lint',
      `${APP}:45:24: openclaw_plugins.telegram.enabled: channels.telegram is enabled but plugins.entries.telegram.enabled is false`,
    ],
    [
      '5 workspace outside the state dir',
      [APP, ['openclaw_env:', 'openclaw_workspace: /srv/workspace\nopenclaw_env:']],
      'error',
      'plan+lint',
      `${APP}:46:21: openclaw_workspace: "/srv/workspace" is outside OPENCLAW_STATE_DIR "/opt/rigdemo/data/openclaw"`,
    ],
    [
      '5 state dir moved, workspace left behind',
      [
        APP,
        [
          'openclaw_env:',
          'openclaw_state_dir: /srv/openclaw\nopenclaw_workspace: /opt/rigdemo/data/openclaw/workspace\nopenclaw_env:',
        ],
      ],
      'error',
      'plan+lint',
      `${APP}:47:21: openclaw_workspace: "/opt/rigdemo/data/openclaw/workspace" is outside OPENCLAW_STATE_DIR "/srv/openclaw"`,
    ],
    [
      '14 telegram retry (2026.9.6 rejects it)',
      [
        APP,
        [
          '  dmPolicy: allowlist\n',
          '  dmPolicy: allowlist\n  retry: { attempts: 5, minDelayMs: 1000, maxDelayMs: 10000, jitter: 0.3 }\n',
        ],
      ],
      'error',
      'plan+lint',
      `${APP}:43:10: unknown key "retry"`,
    ],
    [
      '14 channels.telegram.direct',
      [APP, ['  dmPolicy: allowlist\n', '  dmPolicy: allowlist\n  direct: true\n']],
      'error',
      'plan+lint',
      `${APP}:43:11: unknown key "direct"`,
    ],
    [
      '14 workspaceAccess outside none|ro|rw',
      [APP, ['workspaceAccess: rw', 'workspaceAccess: write']],
      'error',
      'plan+lint',
      `${APP}:36:20: openclaw_sandbox.workspaceAccess: Invalid option: expected one of "none"|"ro"|"rw"`,
    ],
    [
      '14 agents.defaults.model beyond {primary}',
      [
        APP,
        [
          'openclaw_env:',
          'openclaw_model_primary: { primary: anthropic/claude-sonnet-4-5, fallbacks: [openai/gpt-4o-mini] }\nopenclaw_env:',
        ],
      ],
      'error',
      'plan+lint',
      `${APP}:46:25: openclaw_model_primary: expected string, got a mapping`,
    ],
    [
      '14 model fallbacks as a variable of their own',
      [APP, ['openclaw_env:', 'openclaw_model_fallbacks: [openai/gpt-4o-mini]\nopenclaw_env:']],
      'error',
      'plan+lint',
      `${APP}:46:1: unknown variable "openclaw_model_fallbacks" for role openclaw (did you mean "openclaw_model_primary"?)`,
    ],
    [
      '14 a root heartbeat',
      [APP, ['openclaw_env:', 'openclaw_heartbeat: { every: 0m }\nopenclaw_env:']],
      'error',
      'plan+lint',
      `${APP}:46:1: unknown variable "openclaw_heartbeat" for role openclaw`,
    ],
  ])('%s', expectRefused);
});
