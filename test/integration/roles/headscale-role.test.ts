// Role headscale on a real target host: rig's keys merged into a hand-written config.yaml (comments, foreign keys and
// mode kept), the Headscale stand-in healthy and reading them, no change the second time, a changed record recreating
// it alone.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, docker, dockerOk, httpGetInContainer, inspectContainer } from '../../helpers/docker/index.js';
import { freePort, requireImages, useRoleBed, type RoleBed } from '../../bed/index.js';

const IMAGE = 'local/headscale-standin:2';
const skip = await requireImages('role headscale', [IMAGE, 'local/rig-svc:1'], 'scripts/build-images.sh');

/**
 * The VPN host's file before rig ever ran, written by hand (the incumbent's Seko-VPN repo owned it). Its comments say
 * no `key:`: a text where a credential-like key shows (comments too: a commented-out secret is still one) gets digests
 * in the plan, not a diff, and the override_local_dns case reads the diff.
 */
const HAND_WRITTEN = `# Headscale on the VPN host — written by hand, keep these comments.
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
# a foreign setting: rig does not own it
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

const merged = (
  pi: string,
) => `${HAND_WRITTEN.replace('override_local_dns: false', 'override_local_dns: true')}  extra_records:
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

const PUBLISH = `127.0.0.1:${await freePort()}`;

describe.skipIf(skip !== undefined)('role headscale on a real host', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      // the fixture role `stack` runs beside headscale: its services prove that a changed record recreates headscale
      // alone
      roles: ['headscale', 'stack'],
      hostVars: (h) => ({
        headscale_image: IMAGE,
        headscale_server_url: 'https://vpn.example.com',
        headscale_base_domain: 'tail.example.net',
        headscale_extra_records: records('100.64.0.22'),
        headscale_publish: PUBLISH,
        headscale_health_timeout: 30,
        stack_dir: `${h.dataDir}/proj/cfg`,
        stack_alpha_image: 'local/rig-svc:1',
        stack_beta_image: 'local/rig-svc:1',
        stack_alpha_env: { FOO: 'one' },
        stack_beta_env: { X: '1' },
        stack_alpha_conf: 'hello\n',
      }),
      lintAllow: {
        'local/headscale-standin': 'a stand-in built locally by the tests',
        'local/rig-svc': 'built locally by the tests',
      },
    },
    (b) => (bed = b),
  );
  let confFile = '';
  const container = (service: string) => bed.container(service);
  beforeAll(async () => {
    confFile = `${bed.hostVars()['project_dir'] as string}/configs/headscale/config.yaml`;
    // the host keeps its own file, mode 0640: rig merges into it and leaves the mode alone
    const seed = 'mkdir -p "${1%/*}" && cat > "$1" && chmod 0640 "$1"';
    await dockerOk(['exec', '-i', bed.tb.host('h1').container, 'sh', '-c', seed, 'sh', confFile], {
      input: HAND_WRITTEN,
    });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await containerLogs(container('headscale')).catch(String));
  });

  async function rig(args: string[], vars: Record<string, unknown> = {}) {
    bed.setHostVars(vars);
    return bed.rig(args);
  }
  const onHost = (cmd: string) =>
    dockerOk(['exec', bed.tb.host('h1').container, 'sh', '-c', cmd, 'sh', confFile], { stripFinalNewline: false });
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
    expect(await dockerOk(['port', container('headscale'), '8080/tcp'])).toBe(PUBLISH);
    // the config directory is mounted read-only: the container sees exactly the host's file
    expect(
      (
        await docker(['exec', container('headscale'), 'cat', '/etc/headscale/config.yaml'], {
          stripFinalNewline: false,
        })
      ).stdout,
    ).toBe(merged('100.64.0.22'));
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
    const before = {
      hs: await inspectContainer(container('headscale')),
      alpha: await inspectContainer(container('alpha')),
      beta: await inspectContainer(container('beta')),
    };
    const vars = {
      headscale_extra_records: [...records('100.64.0.23'), { name: 'notes.example.com', ip: '100.64.0.14' }],
    };
    const r = await rig(['deploy'], vars);
    expect(r.code).toBe(0);
    expect(r.out).toContain('~ recreate headscale: config.yaml changed  [headscale]');
    expect(r.out).not.toMatch(/recreate (alpha|beta)/);
    expect((await inspectContainer(container('headscale')))?.id).not.toBe(before.hs?.id);
    expect((await inspectContainer(container('alpha')))?.id).toBe(before.alpha?.id);
    expect((await inspectContainer(container('beta')))?.id).toBe(before.beta?.id);
    expect(await onHost('cat "$1"')).toBe(
      `${merged('100.64.0.23')}    - name: notes.example.com\n      type: A\n      value: 100.64.0.14\n`,
    );
    expect(await dnsSeen()).toEqual({ override_local_dns: true, extra_records: 4 });
    expect((await rig(['plan'], vars)).out).toContain('h1: nothing to do');
  });

  it('a hand edit of a foreign key is kept byte for byte and goes live (recreate, the file untouched); then nothing to do', async () => {
    const vars = { headscale_extra_records: records('100.64.0.22') };
    expect((await rig(['deploy'], vars)).code).toBe(0);
    const before = await inspectContainer(container('headscale'));
    await onHost(
      'sed -i "s/^ephemeral_node_inactivity_timeout: 30m$/ephemeral_node_inactivity_timeout: 1h # changed by hand/" "$1"',
    );
    const edited = merged('100.64.0.22').replace(
      'ephemeral_node_inactivity_timeout: 30m',
      'ephemeral_node_inactivity_timeout: 1h # changed by hand',
    );
    expect(await onHost('cat "$1"')).toBe(edited);
    // rig's keys hold, so rig writes nothing to the file; Headscale reads it only at start, so the edit needs a
    // recreate
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
    expect(text).toMatch(
      /^# Headscale configuration, first written by rig \(role headscale\) on h1 because the host had none\.\n/,
    );
    expect(text).toContain('\nlisten_addr: 0.0.0.0:8080\n');
    expect(await onHost('stat -c %a "$1"')).toBe('644\n');
    expect((await inspectContainer(container('headscale')))?.health).toBe('healthy');
    expect(await dnsSeen()).toEqual({ override_local_dns: true, extra_records: 3 });
    expect((await rig(['plan'], vars)).out).toContain('h1: nothing to do');
  });
});
