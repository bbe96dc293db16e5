// Role openclaw on a real target host with the real OpenClaw 2026.9.6 image: DooD (state dir at the identical path,
// socket + its group), the sandbox image built once per OpenClaw image, telegram loaded, the plugin lesson refused at
// plan time, and `deploy --role openclaw` after an image bump touching only OpenClaw. Needs the opt-in OpenClaw image.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { notLoaded, parsePluginsList } from '../../../src/openclaw/plugins-list.js';
import {
  docker,
  dockerOk,
  imageId,
  inspectContainer,
  removeContainers,
  removeNetworks,
  retagVariant,
} from '../../helpers/docker/index.js';
import { inspectJson } from '../../helpers/docker/docker-cli.js';
import { litellmStandinVars } from '../../helpers/litellm-standin-vars.js';
import { makeProject } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { requireImages, startHosts, type Testbed } from '../../helpers/testbed/index.js';

const OPENCLAW = 'local/openclaw:2026.9.6';
const BASE = 'local/debian:bookworm-minbase';
const IMAGES = [OPENCLAW, BASE, 'local/litellm-standin:2'];
const skip = await requireImages('openclaw role', IMAGES);

const GATEWAY_TOKEN = 'gw-token-5f1e9a2c7b';
const BOT_TOKEN = '4242:bot-token-d1e2f3';

describe.skipIf(skip !== undefined)('role openclaw with the real OpenClaw image', () => {
  let tb: Testbed;
  let root: string;
  let prefix: string;
  let vars: Record<string, unknown>;
  let varsFile: string;
  let sandboxImage: string;
  let bumped: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    tb = await startHosts(1);
    const h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    sandboxImage = `rigtest-${prefix}/openclaw-sandbox:1`;
    bumped = `rigtest-${prefix}/openclaw:2`;
    const ring = VaultKeyring.fromPasswords([{ password: 'oc-pw' }]);
    vars = {
      project_name: h.composeProject,
      project_dir: `${h.dataDir}/stack`,
      openclaw_image: OPENCLAW,
      openclaw_sandbox_build: 'template',
      openclaw_sandbox_base_image: BASE,
      openclaw_sandbox: {
        mode: 'all',
        scope: 'agent',
        workspaceAccess: 'rw',
        docker: { image: sandboxImage, network: 'none', user: '1000:1000' },
      },
      // a loopback port nobody serves: the telegram provider fails quietly, and no address outside this machine is
      // tried
      openclaw_telegram: { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', apiRoot: 'http://127.0.0.1:9' },
      openclaw_plugins: { telegram: { enabled: true } },
      openclaw_env: {
        OPENCLAW_GATEWAY_TOKEN: '{{ vault_gateway_token }}',
        TELEGRAM_BOT_TOKEN: '{{ vault_bot_token }}',
      },
      openclaw_networks: { egress: {} },
      ...litellmStandinVars(),
    };
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/group_vars/all/secrets.yml': ring.encrypt(
          `vault_gateway_token: ${GATEWAY_TOKEN}\nvault_bot_token: ${BOT_TOKEN}\n`,
        ),
        'inventory/test/host_vars/h1.yml': stringify(vars),
        '.vault_password': 'oc-pw\n',
        'lint.yml':
          'images:\n  - image: local/litellm-standin\n    reason: stand-in\n  - image: local/openclaw\n    reason: built locally\n  - image: rigtest-*\n    reason: test images\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [litellm, openclaw]\n',
      },
      { roles: ['litellm', 'openclaw'], asPackage: true },
    );
    varsFile = path.join(root, 'inventory/test/host_vars/h1.yml');
  }, 120_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
      await docker(['rmi', '-f', sandboxImage, bumped]);
    }
    await tb?.stop();
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    return { code, out: io.outText(), err: io.errText() };
  }
  const oc = () => `${prefix}_openclaw`;

  it('deploys healthy: state dir at the identical path, socket group added, sandbox image built for this OpenClaw image', async () => {
    const r = await rig(['deploy']);
    if (r.code !== 0) console.error(r.out, r.err);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ openclaw healthy/);
    expect(r.out).toMatch(/sandbox image rigtest-/);
    for (const s of [GATEWAY_TOKEN, BOT_TOKEN]) expect(r.out + r.err).not.toContain(s);
    const info = await inspectContainer(oc());
    expect(info?.health).toBe('healthy');
    const state = `${tb.host('h1').dataDir}/stack/data/openclaw`;
    const mounts = (await inspectJson('container', oc())) as { Mounts: { Source: string; Destination: string }[] };
    expect(mounts.Mounts).toContainEqual(expect.objectContaining({ Source: state, Destination: state }));
    const gid = (
      await dockerOk(['run', '--rm', '-v', '/var/run/docker.sock:/s', BASE, 'stat', '-c', '%g', '/s'])
    ).trim();
    expect((await dockerOk(['exec', oc(), 'id', '-G'])).trim().split(' ')).toContain(gid);
    const labels = (
      await dockerOk(['image', 'inspect', '-f', '{{index .Config.Labels "rig.openclaw.image-id"}}', sandboxImage])
    ).trim();
    expect(labels).toBe(await imageId(OPENCLAW));
    // the role's AGENTS.md, readable in a sandbox started through the mounted socket, as OpenClaw starts them
    const agents = await docker([
      'exec',
      oc(),
      'docker',
      'run',
      '--rm',
      '--network',
      'none',
      '--user',
      '1000:1000',
      '-v',
      `${state}/workspace:/workspace:ro`,
      sandboxImage,
      'cat',
      '/workspace/AGENTS.md',
    ]);
    expect(agents.stdout).toContain('Deployed by rig (role openclaw)');
  }, 300_000);

  it('telegram is loaded in the running gateway (plugins list --json)', async () => {
    const out = await dockerOk(['exec', oc(), 'openclaw', 'plugins', 'list', '--json'], { timeout: 120_000 });
    const plugins = parsePluginsList(out);
    expect(notLoaded(plugins, ['telegram'])).toEqual([]);
  }, 180_000);

  it('a second plan is empty: the sandbox image is not rebuilt while the OpenClaw image is the same', async () => {
    const r = await rig(['plan']);
    expect(r.out).toMatch(/nothing to do|no changes/i);
    expect(r.code).toBe(0);
  }, 120_000);

  it('a Telegram channel without its plugin entry is refused at plan time, at the variable, host untouched', async () => {
    const before = await inspectContainer(oc());
    writeFileSync(varsFile, stringify({ ...vars, openclaw_plugins: {} }));
    const r = await rig(['plan']);
    writeFileSync(varsFile, stringify(vars));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /inventory\/test\/host_vars\/h1\.yml:\d+:\d+: openclaw_telegram\.enabled: channels\.telegram is enabled but plugins\.entries\.telegram\.enabled is not set/,
    );
    expect(r.err).toContain('nothing was changed');
    expect((await inspectContainer(oc()))?.id).toBe(before?.id);
  });

  it('deploy --role openclaw after an image bump: only OpenClaw recreated, sandbox rebuilt for the new image, then empty', async () => {
    const llm = await inspectContainer(`${prefix}_litellm`);
    const newId = await retagVariant(OPENCLAW, bumped, 'bump');
    writeFileSync(varsFile, stringify({ ...vars, openclaw_image: bumped }));
    const plan = await rig(['plan', '--role', 'openclaw']);
    expect(plan.code).toBe(2);
    expect(plan.out).toMatch(/recreate openclaw/);
    expect(plan.out).not.toMatch(/^ {2}[~+!] .*litellm/m);
    expect(plan.out).toMatch(/was built for another OpenClaw image or Dockerfile: its check exited 1/);
    const r = await rig(['deploy', '--role', 'openclaw']);
    if (r.code !== 0) console.error(r.out, r.err);
    expect(r.code).toBe(0);
    expect((await inspectContainer(oc()))?.image).toBe(newId);
    expect((await inspectContainer(`${prefix}_litellm`))?.id).toBe(llm?.id);
    expect(
      (
        await dockerOk(['image', 'inspect', '-f', '{{index .Config.Labels "rig.openclaw.image-id"}}', sandboxImage])
      ).trim(),
    ).toBe(newId);
    const again = await rig(['plan']);
    expect(again.code).toBe(0);
  }, 400_000);
});
