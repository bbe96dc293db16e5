// Role headscale on a real target host: rig's keys merged into a hand-written config.yaml (comments, foreign keys and
// mode kept), the Headscale stand-in healthy and reading them, no change the second time, a changed record recreating it alone.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { containerLogs, docker, dockerOk, httpGetInContainer, imageId, inspectContainer, removeContainers, removeNetworks } from '../../helpers/docker/index.js';
import { makeProject, REPO_ROOT } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { freePort, requireDocker, startHosts, type Testbed, type TestbedHost } from '../../helpers/testbed/index.js';

const IMAGE = 'local/headscale-standin:2';
const skip = (await requireDocker()) ?? ((await imageId(IMAGE)) && (await imageId('local/rig-svc:1')) ? undefined : `${IMAGE} or local/rig-svc:1 missing (scripts/build-images.sh)`);
if (skip) console.warn(`SKIP role headscale: ${skip}`);

/** The fixture role `stack` runs beside headscale: its services prove that a changed record recreates headscale alone. */
const STACK = path.join(REPO_ROOT, 'test', 'fixtures', 'roles', 'stack');

/** The VPN host's file before rig ever ran, written by hand (the incumbent's Seko-VPN repo owned it). */
const HAND_WRITTEN = `# Headscale on the VPN host — written by hand, keep these comments.
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
# foreign key: rig does not own it
ephemeral_node_inactivity_timeout: 30m
dns:
  magic_dns: true
  base_domain: tail.example.net
  nameservers:
    global:
      - 1.1.1.1 # Cloudflare
  # Headscale's default: Windows clients then ignore extra_records (docs/lessons.md REX-33)
  override_local_dns: false
`;

const records = (pi: string) => [
  { name: 'example.com', ip: '100.64.0.14' },
  { name: 'llm.example.com', ip: '100.64.0.14' },
  { name: 'pi.example.com', ip: pi },
];

const merged = (pi: string) => `${HAND_WRITTEN.replace('override_local_dns: false', 'override_local_dns: true')}  extra_records:
    - name: example.com
      type: A
      value: 100.64.0.14
    - name: llm.example.com
      type: A
      value: 100.64.0.14
    - name: pi.example.com
      type: A
      value: ${pi}
`;

describe.skipIf(skip !== undefined)('role headscale on a real host', () => {
  let tb: Testbed;
  let h: TestbedHost;
  let root: string;
  let prefix: string;
  let confFile: string;
  let base: Record<string, unknown>;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const outputs: string[] = [];
  const container = (service: string) => `${prefix}_${service}`;

  beforeAll(async () => {
    tb = await startHosts(1);
    h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    const projectDir = `${h.dataDir}/hs`;
    confFile = `${projectDir}/configs/headscale/config.yaml`;
    base = {
      project_name: h.composeProject,
      project_dir: projectDir,
      headscale_image: IMAGE,
      headscale_server_url: 'https://vpn.example.com',
      headscale_base_domain: 'tail.example.net',
      headscale_extra_records: records('100.64.0.22'),
      headscale_publish: `127.0.0.1:${await freePort()}`,
      headscale_health_timeout: 30,
      stack_dir: `${projectDir}/cfg`,
      stack_alpha_image: 'local/rig-svc:1',
      stack_beta_image: 'local/rig-svc:1',
      stack_alpha_env: { FOO: 'one' },
      stack_beta_env: { X: '1' },
      stack_alpha_conf: 'hello\n',
    };
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/host_vars/h1.yml': stringify(base),
        'lint.yml': 'images:\n  - image: local/headscale-standin\n    reason: a stand-in built locally by the tests\n  - image: local/rig-svc\n    reason: built locally by the tests\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [headscale, stack]\n',
        ...Object.fromEntries(stackFiles().map((rel) => [`roles/stack/${rel}`, readFileSync(path.join(STACK, rel), 'utf8')])),
      },
      { roles: ['headscale'], asPackage: true },
    );
    // the host keeps its own file, mode 0640: rig merges into it and leaves the mode alone
    await dockerOk(['exec', '-i', h.container, 'sh', '-c', 'mkdir -p "${1%/*}" && cat > "$1" && chmod 0640 "$1"', 'sh', confFile], { input: HAND_WRITTEN });
  }, 120_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
    }
    await tb?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state !== 'fail') return;
    console.error(outputs.slice(-6).join('\n'));
    console.error(await containerLogs(container('headscale')).catch((e: unknown) => String(e)));
    await tb.dumpLogs();
  });

  async function rig(args: string[], vars: Record<string, unknown> = {}) {
    writeFileSync(path.join(root, 'inventory/test/host_vars/h1.yml'), stringify({ ...base, ...vars }));
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    const r = { code, out: io.outText(), err: io.errText() };
    outputs.push(r.out, r.err);
    return r;
  }
  const onHost = (cmd: string) => dockerOk(['exec', h.container, 'sh', '-c', cmd, 'sh', confFile], { stripFinalNewline: false });
  const dnsSeen = async () => JSON.parse(await httpGetInContainer(container('headscale'), '/config/dns')) as unknown;

  it('first deploy: the hand-written file gains override_local_dns and the records, keeps comments, foreign key and mode; Headscale reads them', async () => {
    const r = await rig(['deploy']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('+ create headscale: new service  [headscale]');
    expect(r.out).toMatch(/✓ headscale healthy/);
    expect(await onHost('cat "$1"')).toBe(merged('100.64.0.22'));
    expect(await onHost('stat -c %a "$1"')).toBe('640\n');
    expect((await inspectContainer(container('headscale')))?.health).toBe('healthy');
    expect(await dnsSeen()).toEqual({ override_local_dns: true, extra_records: 3 });
    expect(await dockerOk(['port', container('headscale'), '8080/tcp'])).toBe(base['headscale_publish']);
    // the config directory is mounted read-only: the container sees exactly the host's file
    expect((await docker(['exec', container('headscale'), 'cat', '/etc/headscale/config.yaml'], { stripFinalNewline: false })).stdout).toBe(merged('100.64.0.22'));
  });

  it('a second deploy has nothing to do: file bytes and container untouched', async () => {
    const before = await inspectContainer(container('headscale'));
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('h1: nothing to do');
    expect((await inspectContainer(container('headscale')))?.id).toBe(before?.id);
    expect(await onHost('cat "$1"')).toBe(merged('100.64.0.22'));
  });

  it('a changed record recreates headscale alone, which then serves it; the next plan is empty', async () => {
    const before = { hs: await inspectContainer(container('headscale')), alpha: await inspectContainer(container('alpha')), beta: await inspectContainer(container('beta')) };
    const vars = { headscale_extra_records: [...records('100.64.0.23'), { name: 'notes.example.com', ip: '100.64.0.14' }] };
    const r = await rig(['deploy'], vars);
    expect(r.code).toBe(0);
    expect(r.out).toContain('~ recreate headscale: config.yaml changed  [headscale]');
    expect(r.out).not.toMatch(/recreate (alpha|beta)/);
    expect((await inspectContainer(container('headscale')))?.id).not.toBe(before.hs?.id);
    expect((await inspectContainer(container('alpha')))?.id).toBe(before.alpha?.id);
    expect((await inspectContainer(container('beta')))?.id).toBe(before.beta?.id);
    expect(await onHost('cat "$1"')).toBe(`${merged('100.64.0.23')}    - name: notes.example.com\n      type: A\n      value: 100.64.0.14\n`);
    expect(await dnsSeen()).toEqual({ override_local_dns: true, extra_records: 4 });
    expect((await rig(['plan'], vars)).out).toContain('h1: nothing to do');
  });

  it('a hand edit of a foreign key is kept byte for byte and goes live (recreate, the file untouched); then nothing to do', async () => {
    const vars = { headscale_extra_records: records('100.64.0.22') };
    expect((await rig(['deploy'], vars)).code).toBe(0);
    const before = await inspectContainer(container('headscale'));
    await onHost('sed -i "s/^ephemeral_node_inactivity_timeout: 30m$/ephemeral_node_inactivity_timeout: 1h # changed by hand/" "$1"');
    const edited = merged('100.64.0.22').replace('ephemeral_node_inactivity_timeout: 30m', 'ephemeral_node_inactivity_timeout: 1h # changed by hand');
    expect(await onHost('cat "$1"')).toBe(edited);
    // rig's keys hold, so rig writes nothing to the file; Headscale reads it only at start, so the edit needs a recreate
    const r = await rig(['deploy'], vars);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(`~ ${confFile}`);
    expect(r.out).toContain('~ recreate headscale: config.yaml changed  [headscale]');
    expect(await onHost('cat "$1"')).toBe(edited);
    expect((await inspectContainer(container('headscale')))?.id).not.toBe(before?.id);
    expect((await rig(['plan'], vars)).out).toContain('h1: nothing to do');
  });

  it('override_local_dns flipped back by hand is set again by the next deploy; the container, which read true, is kept', async () => {
    const vars = { headscale_extra_records: records('100.64.0.22') };
    const kept = await onHost('cat "$1"');
    const before = await inspectContainer(container('headscale'));
    await onHost('sed -i "s/override_local_dns: true/override_local_dns: false/" "$1"');
    const r = await rig(['deploy'], vars);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`~ ${confFile}: changed`);
    expect(r.out).toContain('-  override_local_dns: false');
    expect(r.out).toContain('+  override_local_dns: true');
    // the file is back to the bytes the running container started from (its fingerprint): nothing to recreate
    expect(r.out).not.toContain('recreate headscale');
    expect(await onHost('cat "$1"')).toBe(kept);
    expect((await inspectContainer(container('headscale')))?.id).toBe(before?.id);
    expect(await dnsSeen()).toEqual({ override_local_dns: true, extra_records: 3 });
    expect((await rig(['plan'], vars)).out).toContain('h1: nothing to do');
  });

  it('a host without config.yaml gets the minimal one from the variables, which Headscale starts with', async () => {
    const vars = { headscale_extra_records: records('100.64.0.22') };
    await onHost('rm "$1"');
    const r = await rig(['deploy'], vars);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`+ ${confFile}`);
    expect(r.out).toContain('~ recreate headscale: config.yaml changed  [headscale]');
    const text = await onHost('cat "$1"');
    expect(text).toMatch(/^# Headscale configuration, first written by rig \(role headscale\) on h1 because the host had none\.\n/);
    expect(text).toContain('\nlisten_addr: 0.0.0.0:8080\n');
    expect(await onHost('stat -c %a "$1"')).toBe('644\n');
    expect((await inspectContainer(container('headscale')))?.health).toBe('healthy');
    expect(await dnsSeen()).toEqual({ override_local_dns: true, extra_records: 3 });
    expect((await rig(['plan'], vars)).out).toContain('h1: nothing to do');
  });
});

function stackFiles(): string[] {
  return readdirSync(STACK, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(STACK, path.join(e.parentPath, e.name)));
}
