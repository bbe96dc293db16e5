// Role litellm on a real target host with the LiteLLM stand-in: healthy on /health/readiness, zero /health calls, the
// placement lesson refused before any host is contacted, and the stand-in itself refusing the v1.81.3 crash config.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { docker, httpGetInContainer, imageId, inspectContainer, removeContainers, removeNetworks } from '../../helpers/docker/index.js';
import { makeProject } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { requireDocker, startHosts, type Testbed } from '../../helpers/testbed/index.js';

const skip = (await requireDocker()) ?? ((await imageId('local/litellm-standin:2')) ? undefined : 'local/litellm-standin:2 missing (scripts/build-images.sh)');
if (skip) console.warn(`SKIP litellm role: ${skip}`);

const MASTER = 'sk-master-4b1c0e7a9d';

describe.skipIf(skip !== undefined)('role litellm with the stand-in', () => {
  let tb: Testbed;
  let root: string;
  let prefix: string;
  let base: Record<string, unknown>;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    tb = await startHosts(1);
    const h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    const ring = VaultKeyring.fromPasswords([{ password: 'llm-pw' }]);
    base = {
      project_name: h.composeProject,
      project_dir: `${h.dataDir}/stack`,
      litellm_image: 'local/litellm-standin:2',
      litellm_healthcheck_probe: 'wget',
      litellm_health_timeout: 30,
      litellm_model_list: [{ model_name: 'qwen3-coder', litellm_params: { model: 'openrouter/qwen/qwen3-coder:free', api_key: 'os.environ/OPENROUTER_API_KEY', max_tokens: 8192 } }],
      litellm_env: { LITELLM_MASTER_KEY: '{{ vault_master }}', OPENROUTER_API_KEY: 'sk-or-not-used' },
    };
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`vault_master: ${MASTER}\n`),
        'inventory/test/host_vars/h1.yml': stringify(base),
        '.vault_password': 'llm-pw\n',
        'lint.yml': 'images:\n  - image: local/litellm-standin\n    reason: the demo stand-in, built locally\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [litellm]\n',
      },
      { roles: ['litellm'], asPackage: true },
    );
  }, 120_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
    }
    await tb?.stop();
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    return { code, out: io.outText(), err: io.errText() };
  }

  it('deploys healthy (readiness probe), serves the model list, and nothing ever called /health', async () => {
    const r = await rig(['deploy']);
    if (r.code !== 0) console.error(r.out, r.err);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ litellm healthy/);
    expect((await inspectContainer(`${prefix}_litellm`))?.health).toBe('healthy');
    expect(await httpGetInContainer(`${prefix}_litellm`, '/health/liveliness', 4000)).toContain("I'm alive!");
    expect((await httpGetInContainer(`${prefix}_litellm`, '/stats/health-calls', 4000)).trim()).toBe('0');
    expect(r.out).not.toContain(MASTER);
  });

  it('health_check_interval moved into router_settings is refused at plan time, at the variable, contacting no host', async () => {
    const before = await inspectContainer(`${prefix}_litellm`);
    const vars = path.join(root, 'inventory/test/host_vars/h1.yml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(vars, stringify({ ...base, litellm_router_settings: { routing_strategy: 'simple-shuffle', health_check_interval: 0 } }));
    const r = await rig(['plan']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/inventory\/test\/host_vars\/h1\.yml:\d+:\d+: litellm_router_settings\.health_check_interval: not a router_settings parameter: LiteLLM v1\.81\.3 refuses to start with it/);
    expect(r.err).toContain('nothing was changed');
    expect((await inspectContainer(`${prefix}_litellm`))?.id).toBe(before?.id);
    writeFileSync(vars, stringify(base));
  });

  it('the stand-in refuses that config as v1.81.3 does (so a config slipped past rig would crash-loop)', async () => {
    const conf = (await docker(['exec', `${prefix}_litellm`, 'cat', '/etc/litellm/litellm_config.yaml'])).stdout;
    const bad = conf.replace('router_settings:\n', 'router_settings:\n  health_check_interval: 0\n');
    expect(bad).not.toBe(conf);
    const r = await docker(['run', '--rm', '-i', '-e', 'LITELLM_MASTER_KEY=x', '--entrypoint', 'sh', 'local/litellm-standin:2', '-c', 'cat > /tmp/c.yaml && litellm-standin-check /tmp/c.yaml'], { input: bad });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('health_check_interval');
  });
});
