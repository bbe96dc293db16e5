// The OpenClaw target probe's pure parts: the command (secrets on stdin only), the env file, and the verdicts on
// recorded output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dockerEnvFile,
  judgePlugins,
  judgeValidate,
  openclawProbe,
  probeFailure,
} from '../../../src/checklist/host/openclaw-target-cmd.js';
import { enabledChannels } from '../../../src/checklist/host/openclaw-target.js';
import { display } from '../../../src/core/cmd/render.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/openclaw/${name}`, import.meta.url), 'utf8');
const part = (code: number, stdout: string) => ({ code, stdout: Buffer.from(stdout) });

// Recorded from local/openclaw:2026.9.6 (`openclaw config validate 2>&1`) with the config mounted read-only.
const VALID = 'Config valid: /rig-checklist/openclaw.json\n';
const VALID_WITH_WARNING = `Config valid: /rig-checklist/openclaw.json
1 warning(s):
  ! channels.telegram.botToken: Missing env var "TELEGRAM_BOT_TOKEN" - feature using this value will be unavailable
`;
const INVALID = `OpenClaw config is invalid: /rig-checklist/openclaw.json
  × openclaw.json:1 — plugins.entries.telegram: Unrecognized key: "bogus"
  × <root>: Unrecognized key: "heartbeat"

Run \`openclaw doctor --fix\` to repair, or fix the keys above manually.
Inspect with openclaw config validate.
`;

describe('openclaw config validate verdict', () => {
  it('exit 0 is valid', () => {
    expect(judgeValidate(part(0, VALID))).toEqual({ status: 'pass', evidence: ['openclaw config validate: valid'] });
  });

  it('valid with warnings (a ${VAR} the env lacks) is advisory, the warnings as evidence', () => {
    expect(judgeValidate(part(0, VALID_WITH_WARNING))).toEqual({
      status: 'warn',
      evidence: [
        'openclaw config validate: valid, with warnings',
        '1 warning(s):',
        '  ! channels.telegram.botToken: Missing env var "TELEGRAM_BOT_TOKEN" - feature using this value will be unavailable',
      ],
    });
  });

  it('any other exit is invalid, with what the product said (its log lines left out)', () => {
    const v = judgeValidate(part(1, `[sqlite/transaction] slow SQLite transaction hold elapsedMs=1228\n${INVALID}`));
    expect(v.status).toBe('fail');
    expect(v.evidence.slice(0, 4)).toEqual([
      'openclaw config validate: invalid (exit 1)',
      'OpenClaw config is invalid: /rig-checklist/openclaw.json',
      '  × openclaw.json:1 — plugins.entries.telegram: Unrecognized key: "bogus"',
      '  × <root>: Unrecognized key: "heartbeat"',
    ]);
    expect(judgeValidate(part(127, 'sh: 1: openclaw: not found\n')).evidence).toEqual([
      'openclaw config validate: invalid (exit 127)',
      'sh: 1: openclaw: not found',
    ]);
    expect(judgeValidate(undefined).status).toBe('fail');
  });
});

describe('plugins list verdict', () => {
  it('every configured channel loaded passes; a disabled one fails naming its status', () => {
    expect(judgePlugins(part(0, fixture('plugins-list.json')), ['telegram'], '')).toMatchObject({
      status: 'pass',
      evidence: ['telegram loaded', expect.stringMatching(/^plugins loaded: .*\btelegram\b/)],
    });
    expect(judgePlugins(part(0, fixture('plugins-list-disabled.json')), ['telegram'], '')).toMatchObject({
      status: 'fail',
      evidence: [
        'channel plugin not loaded in the target: telegram (disabled)',
        expect.stringMatching(/^plugins loaded: /),
      ],
    });
    expect(judgePlugins(part(0, fixture('plugins-list-disabled.json')), [], '').evidence[0]).toBe(
      'no channel configured',
    );
  });

  it('a failing or unparseable list fails with its stderr tail or the parse error', () => {
    expect(judgePlugins(part(1, ''), ['telegram'], 'line 1\nError: boom\n')).toEqual({
      status: 'fail',
      evidence: ['openclaw plugins list --json failed (exit 1)', 'line 1', 'Error: boom'],
    });
    expect(judgePlugins(part(0, 'not json'), ['telegram'], '').evidence[0]).toMatch(
      /^openclaw plugins list --json: no JSON object in the output/,
    );
  });

  it('the probe not running at all is the docker CLI (or the temp files) failing', () => {
    expect(probeFailure(125, 'r/oc:2', 'Unable to find image\nmanifest unknown\n').evidence).toEqual([
      'docker run r/oc:2 failed (exit 125)',
      'Unable to find image',
      'manifest unknown',
    ]);
    expect(probeFailure(1, 'r/oc:2', 'mktemp: failed').evidence[0]).toBe(
      'the probe could not write its temp files (exit 1)',
    );
  });
});

describe('the probe command', () => {
  const config = '{"channels":{"telegram":{"enabled":true,"botToken":"${TELEGRAM_BOT_TOKEN}"}}}\n';
  const env = dockerEnvFile(
    {
      OPENCLAW_GATEWAY_TOKEN: 'gw-secret-1',
      TELEGRAM_BOT_TOKEN: '42:bot-secret',
      OPENCLAW_STATE_DIR: '/opt/p/state',
      OPENCLAW_CONFIG_PATH: '/opt/p/state/openclaw.json',
      HOME: '/home/node',
    },
    ['OPENCLAW_CONFIG_PATH', 'OPENCLAW_STATE_DIR'],
  );

  it('the env file is KEY=value lines for docker run --env-file, the probe overriding the config path and state dir', () => {
    expect(env).toBe('OPENCLAW_GATEWAY_TOKEN=gw-secret-1\nTELEGRAM_BOT_TOKEN=42:bot-secret\nHOME=/home/node\n');
    expect(() => dockerEnvFile({ MULTI: 'a\nb' }, [])).toThrow(
      'MULTI: its value holds a line break, which docker run --env-file cannot carry',
    );
  });

  it('secrets ride stdin (byte length, config, env file), never the command line; the container has no network', () => {
    const probe = openclawProbe('r/oc:2@sha256:aa', '/opt/p/.rig', config, env);
    const shown = display(probe.cmd);
    expect(shown).not.toContain('gw-secret-1');
    expect(shown).not.toContain('bot-secret');
    expect(probe.stdin).toBe(`${Buffer.byteLength(config)}\n${config}${env}`);
    expect(shown).toContain(
      'docker run --rm --network none --label rig.checklist=openclaw-target --env-file "$d/openclaw.env"',
    );
    expect(shown).toContain('-v "$d/openclaw.json:/rig-checklist/openclaw.json:ro" --entrypoint /bin/sh "$image" "$@"');
    expect(probe.cmd.argv[2]).toContain("trap 'rm -rf -- \"$d\"' EXIT\ntrap 'exit 129' HUP INT TERM");
    expect(probe.cmd.argv.slice(4, 7)).toEqual(['r/oc:2@sha256:aa', '/opt/p/.rig', '-c']);
  });

  it('the channels whose plugins must load: every channel not switched off', () => {
    expect(enabledChannels(config)).toEqual(['telegram']);
    expect(enabledChannels('{"channels":{"telegram":{"enabled":false},"whatsapp":{}}}')).toEqual(['whatsapp']);
    expect(enabledChannels('{}')).toEqual([]);
  });
});
