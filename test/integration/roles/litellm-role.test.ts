// Role litellm on a real target host with the LiteLLM stand-in: healthy on /health/readiness, zero /health calls, the
// placement lesson refused before any host is contacted, and the stand-in itself refusing the v1.81.3 crash config.
import { describe, expect, it } from 'vitest';
import { docker, httpGetInContainer, inspectContainer } from '../../helpers/docker/index.js';
import { requireImages, useRoleBed, type RoleBed } from '../../bed/index.js';

const skip = await requireImages('litellm role', ['local/litellm-standin:2'], 'scripts/build-images.sh');

const MASTER = 'sk-master-4b1c0e7a9d';

const VARS = {
  litellm_image: 'local/litellm-standin:2',
  litellm_healthcheck_probe: 'wget',
  litellm_health_timeout: 30,
  litellm_model_list: [
    {
      model_name: 'qwen3-coder',
      litellm_params: {
        model: 'openrouter/qwen/qwen3-coder:free',
        api_key: 'os.environ/OPENROUTER_API_KEY',
        max_tokens: 8192,
      },
    },
  ],
  litellm_env: { LITELLM_MASTER_KEY: '{{ vault_master }}', OPENROUTER_API_KEY: 'sk-or-not-used' },
};

describe.skipIf(skip !== undefined)('role litellm with the stand-in', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: ['litellm'],
      vault: { vault_master: MASTER },
      hostVars: () => VARS,
      lintAllow: { 'local/litellm-standin': 'the demo stand-in, built locally' },
    },
    (b) => (bed = b),
  );
  const litellm = (): string => bed.container('litellm');
  const rig = (args: string[]) => bed.rig(args);

  it('deploys healthy (readiness probe), serves the model list, and nothing ever called /health', async () => {
    const r = await rig(['deploy']);
    if (r.code !== 0) console.error(r.out, r.err);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ litellm healthy/);
    expect((await inspectContainer(litellm()))?.health).toBe('healthy');
    expect(await httpGetInContainer(litellm(), '/health/liveliness', 4000)).toContain("I'm alive!");
    expect((await httpGetInContainer(litellm(), '/stats/health-calls', 4000)).trim()).toBe('0');
    expect(r.out).not.toContain(MASTER);
  });

  it('health_check_interval moved into router_settings is refused at plan time, at the variable, contacting no host', async () => {
    const before = await inspectContainer(litellm());
    bed.setHostVars({ litellm_router_settings: { routing_strategy: 'simple-shuffle', health_check_interval: 0 } });
    const r = await rig(['plan']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /inventory\/test\/host_vars\/h1\.yml:\d+:\d+: litellm_router_settings\.health_check_interval: not a router_settings parameter: LiteLLM v1\.81\.3 refuses to start with it/,
    );
    expect(r.err).toContain('nothing was changed');
    expect((await inspectContainer(litellm()))?.id).toBe(before?.id);
    bed.setHostVars({});
  });

  it('the stand-in refuses that config as v1.81.3 does (so a config slipped past rig would crash-loop)', async () => {
    const conf = (await docker(['exec', litellm(), 'cat', '/etc/litellm/litellm_config.yaml'])).stdout;
    const bad = conf.replace('router_settings:\n', 'router_settings:\n  health_check_interval: 0\n');
    expect(bad).not.toBe(conf);
    const r = await docker(
      [
        'run',
        '--rm',
        '-i',
        '-e',
        'LITELLM_MASTER_KEY=x',
        '--entrypoint',
        'sh',
        'local/litellm-standin:2',
        '-c',
        'cat > /tmp/c.yaml && litellm-standin-check /tmp/c.yaml',
      ],
      { input: bad },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('health_check_interval');
  });
});
