// The four smoke checks of smoke-tests/ on a real host running the real OpenClaw 2026.9.6, the LiteLLM stand-in and the
// Telegram Bot API stand-in: all pass; then, one at a time, the incumbent's breakages make the right check fail with
// the right class (ENOENT, EACCES, plugin disabled, 401, placement), each restored afterwards.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { SmokeReportSchema, type SmokeReport } from '../../../src/smoke/smoke-report.js';
import { docker, dockerOk, httpGetInContainer, removeContainers, removeNetworks } from '../../helpers/docker/index.js';
import { litellmStandinVars } from '../../helpers/litellm-standin-vars.js';
import { makeProject, REPO_ROOT } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { requireImages, startHosts, type Testbed } from '../../helpers/testbed/index.js';
import { buildCli } from '../../helpers/build-cli.js';

const IMAGES = [
  'local/openclaw:2026.9.6',
  'local/debian:bookworm-minbase',
  'local/litellm-standin:2',
  'local/telegram-botapi-standin:1',
];
const skip = await requireImages('smoke checks', IMAGES);

const BOT = '777000111:right-token-for-smoke';

describe.skipIf(skip !== undefined)('the four smoke checks on the real stack', () => {
  let tb: Testbed;
  let root: string;
  let prefix: string;
  let vars: Record<string, unknown>;
  let state: string;
  let varsFile: string;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'rig-enoent-'));
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    tb = await startHosts(1);
    const h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    state = `${h.dataDir}/stack/data/openclaw`;
    vars = {
      project_name: h.composeProject,
      project_dir: `${h.dataDir}/stack`,
      openclaw_image: 'local/openclaw:2026.9.6',
      openclaw_sandbox_build: 'template',
      openclaw_sandbox_base_image: 'local/debian:bookworm-minbase',
      openclaw_sandbox: {
        mode: 'non-main',
        scope: 'agent',
        workspaceAccess: 'rw',
        docker: { image: `rigtest-${prefix}/sandbox:1`, network: `${prefix}_egress`, user: '1000:1000' },
      },
      openclaw_telegram: { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', apiRoot: 'http://telegram-api:8081' },
      openclaw_plugins: { telegram: { enabled: true } },
      openclaw_env: { OPENCLAW_GATEWAY_TOKEN: 'gw-token-smoke-1', TELEGRAM_BOT_TOKEN: BOT },
      openclaw_networks: { egress: {} },
      telegram_standin_image: 'local/telegram-botapi-standin:1',
      telegram_standin_bots: [{ token: BOT, username: 'rig_smoke_bot' }],
      ...litellmStandinVars(),
    };
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/host_vars/h1.yml': stringify(vars),
        'playbooks/site.yml': '- hosts: all\n  roles: [telegram-standin, litellm, openclaw]\n',
      },
      { roles: ['telegram-standin', 'litellm', 'openclaw'], asPackage: true },
    );
    symlinkSync(path.join(REPO_ROOT, 'smoke-tests'), path.join(root, 'smoke-tests'));
    varsFile = path.join(root, 'inventory/test/host_vars/h1.yml');
    await buildCli();
    const d = await rig(['deploy']);
    if (d.code !== 0) console.error(d.out, d.err);
    expect(d.code).toBe(0);
  }, 400_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
      await docker(['rmi', '-f', `rigtest-${prefix}/sandbox:1`]);
    }
    await tb?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    return { code, out: io.outText(), err: io.errText() };
  }
  async function smoke(only: string[]): Promise<{ code: number; report: SmokeReport }> {
    const r = await rig(['smoke', '--json', ...only.flatMap((o) => ['--only', o])]);
    return { code: r.code, report: SmokeReportSchema.parse(JSON.parse(r.out)) };
  }
  const result = (r: SmokeReport, id: string) => r.results.find((x) => x.check === id);
  const oc = () => `${prefix}_openclaw`;
  /** The gateway container replaced by hand (a drifted host), running only what the checks exec into. */
  async function handRun(extra: string[]) {
    await dockerOk(['rm', '-f', oc()]);
    await dockerOk([
      'run',
      '-d',
      '--name',
      oc(),
      '--network',
      `${prefix}_egress`,
      '-v',
      '/var/run/docker.sock:/var/run/docker.sock',
      '--user',
      '1000:1000',
      ...extra,
      '--entrypoint',
      'sleep',
      'local/openclaw:2026.9.6',
      'infinity',
    ]);
  }
  async function redeploy() {
    const d = await rig(['deploy']);
    if (d.code !== 0) console.error(d.out, d.err);
    expect(d.code).toBe(0);
  }

  it('all four pass on the healthy stack, and the LiteLLM stand-in counted no /health call', async () => {
    const { code, report } = await smoke([]);
    if (code !== 0) console.error(JSON.stringify(report.results, null, 2));
    expect(report.results.map((x) => `${x.check} ${x.status}`).sort()).toEqual([
      'litellm-completion skip',
      'litellm-config pass',
      'openclaw-plugins pass',
      'openclaw-sandbox pass',
      'services-healthy pass',
      'telegram-ping pass',
    ]);
    expect(code).toBe(0);
    expect(result(report, 'openclaw-sandbox')?.evidence[0]).toMatch(
      /a sandbox read \/workspace\/AGENTS\.md \(\d+ bytes, the role's AGENTS\.md\) and was removed/,
    );
    expect(result(report, 'telegram-ping')?.evidence[0]).toBe(
      'getMe: @rig_smoke_bot (id 777000111) via http://telegram-api:8081',
    );
    expect(JSON.stringify(report)).not.toContain(BOT);
    expect((await httpGetInContainer(`${prefix}_litellm`, '/stats/health-calls', 4000)).trim()).toBe('0');
    expect((await dockerOk(['ps', '-aq', '-f', 'label=rig.smoke=sandbox-spawn'])).trim()).toBe('');
  }, 300_000);

  it('ENOENT: the state dir mounted at another path than on the host (the sandbox mount resolves on the host)', async () => {
    // the incumbent's mount: host state dir at a container-only path, and the config's workspace under that path
    const inside = `${scratch}/state`;
    const config = JSON.parse(readFileSync(`${state}/openclaw.json`, 'utf8')) as {
      agents: { defaults: { workspace: string } };
    };
    config.agents.defaults.workspace = `${inside}/workspace`;
    writeFileSync(`${state}/openclaw.broken.json`, JSON.stringify(config));
    const gid = (
      await dockerOk([
        'run',
        '--rm',
        '-v',
        '/var/run/docker.sock:/s',
        'local/debian:bookworm-minbase',
        'stat',
        '-c',
        '%g',
        '/s',
      ])
    ).trim();
    await handRun([
      '--group-add',
      gid,
      '-v',
      `${state}:${inside}`,
      '-e',
      `OPENCLAW_STATE_DIR=${inside}`,
      '-e',
      `OPENCLAW_CONFIG_PATH=${inside}/openclaw.broken.json`,
      '-e',
      'HOME=/home/node',
    ]);
    const { code, report } = await smoke(['openclaw-sandbox']);
    expect(code).toBe(1);
    expect(result(report, 'openclaw-sandbox')?.evidence[0]).toMatch(
      /^ENOENT: the sandbox could not read \/workspace\/AGENTS\.md \(exit 1\): the workspace path does not exist where the host engine looks/,
    );
    rmSync(`${state}/openclaw.broken.json`);
    await redeploy();
  }, 400_000);

  it('EACCES: the socket group removed from the gateway container', async () => {
    await handRun([
      '-v',
      `${state}:${state}`,
      '-e',
      `OPENCLAW_STATE_DIR=${state}`,
      '-e',
      `OPENCLAW_CONFIG_PATH=${state}/openclaw.json`,
      '-e',
      'HOME=/home/node',
    ]);
    const { code, report } = await smoke(['openclaw-sandbox']);
    expect(code).toBe(1);
    expect(result(report, 'openclaw-sandbox')?.evidence[0]).toMatch(
      /^EACCES: the sandbox could not read \/workspace\/AGENTS\.md .*the gateway cannot use the docker socket/,
    );
    await redeploy();
  }, 400_000);

  it("disabled: the telegram plugin entry switched off on the host (a hand edit rig's plan would refuse)", async () => {
    const file = `${state}/openclaw.json`;
    const good = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      good.replace('"telegram": {\n        "enabled": true', '"telegram": {\n        "enabled": false'),
    );
    expect(readFileSync(file, 'utf8')).not.toBe(good);
    const { code, report } = await smoke(['openclaw-plugins']);
    writeFileSync(file, good);
    expect(code).toBe(1);
    expect(result(report, 'openclaw-plugins')?.evidence[0]).toBe(
      'channel plugin not loaded: telegram (disabled): the channel is silent while the container is healthy',
    );
  }, 200_000);

  it('401: a wrong bot token, answered by the Bot API stand-in', async () => {
    writeFileSync(
      varsFile,
      stringify({
        ...vars,
        openclaw_env: { ...(vars['openclaw_env'] as object), TELEGRAM_BOT_TOKEN: '777000111:wrong-token' },
      }),
    );
    const { code, report } = await smoke(['telegram-ping']);
    writeFileSync(varsFile, stringify(vars));
    expect(code).toBe(1);
    expect(result(report, 'telegram-ping')?.evidence[0]).toBe(
      'getMe via http://telegram-api:8081: unauthorized 401 Unauthorized: the token in openclaw_env.TELEGRAM_BOT_TOKEN is wrong or revoked',
    );
    expect(JSON.stringify(report)).not.toContain('wrong-token');
  }, 120_000);

  it('placement: health_check_interval moved into router_settings in the deployed config', async () => {
    const file = `${tb.host('h1').dataDir}/stack/configs/litellm/litellm_config.yaml`;
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('router_settings:\n', 'router_settings:\n  health_check_interval: 300\n'));
    const { code, report } = await smoke(['litellm-config']);
    writeFileSync(file, good);
    expect(code).toBe(1);
    expect(result(report, 'litellm-config')?.evidence[0]).toMatch(
      /^placement: router_settings\.health_check_interval: /,
    );
    expect((await httpGetInContainer(`${prefix}_litellm`, '/stats/health-calls', 4000)).trim()).toBe('0');
    const again = await smoke([]);
    expect(again.code).toBe(0);
    expect((await dockerOk(['ps', '-aq', '-f', 'label=rig.smoke=sandbox-spawn'])).trim()).toBe('');
  }, 300_000);
});
