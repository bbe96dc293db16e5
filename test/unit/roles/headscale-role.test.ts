// Role headscale through the real loader and renderer, its merge resolved against a hand-written host file as the plan
// does: rig's keys set, comments and foreign keys kept, byte-identical the second time; bad records refused at the
// variable.
import { describe, expect, it } from 'vitest';
import { renderProject, type RoleOps } from '../../../src/config/roles/render-roles.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { formatDiagnostic, type Diagnostic } from '../../../src/core/errors/diagnostic.js';
import type { DirOp, FileOp, NetworkOp, ServiceOp, YamlMergeOp } from '../../../src/core/desired/op.js';
import { resolveMerges } from '../../../src/plan/yaml-merge.js';
import { load, loadErrors, makeProject, renderErrors, replaceOnce } from '../../helpers/project.js';

const VARS = 'inventory/test/group_vars/all/headscale.yml';
const CONFIG = '/opt/javisi/configs/headscale/config.yaml';
const PASSWORD = 'headscale-test-vault';

/** The VPN host's variables; `edit` replaces lines to break one thing. */
const HEADSCALE_YML = `project_name: javisi
headscale_image: headscale/headscale:0.26.1
headscale_server_url: https://vpn.example.com
headscale_base_domain: tail.example.net
headscale_extra_records:
  - { name: example.com, ip: 100.64.0.14 }
  - { name: llm.example.com, ip: 100.64.0.14 }
  - { name: pi.example.com, ip: 100.64.0.22 }
`;

/** The file the VPN host has, edited by hand (the incumbent's Seko-VPN config, shortened). */
const HOST_FILE = `# Headscale on the VPN host — edited by hand, keep these comments.
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
# metrics stay on loopback
metrics_listen_addr: 127.0.0.1:9090
policy:
  path: /etc/headscale/acl.hujson # foreign key: rig must not touch it
dns:
  magic_dns: true
  base_domain: tail.example.net
  nameservers:
    global:
      - 1.1.1.1 # Cloudflare
  # Headscale's default: Windows clients then ignore extra_records (docs/lessons.md REX-33)
  override_local_dns: false
  extra_records:
    - name: old.example.com
      type: A
      value: 100.64.0.9
`;

function files(yml: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'inventory/test/hosts.yml':
      'all:\n  children:\n    vpn:\n      hosts:\n        vpn1:\n          ansible_host: 127.0.0.1\n',
    [VARS]: yml,
    'playbooks/site.yml': '- hosts: vpn\n  roles: [headscale]\n',
    ...extra,
  };
}

/** `HEADSCALE_YML` with `from` replaced by `to` (each must occur once). */
const edit = (...pairs: [string, string][]): string => replaceOnce(HEADSCALE_YML, ...pairs);

async function render(
  yml: string,
  extra: Record<string, string> = {},
): Promise<{ roleOps: RoleOps[]; warnings: string[] }> {
  const root = makeProject(files(yml, extra), { roles: ['headscale'] });
  const project = await load(root);
  const warnings: Diagnostic[] = [];
  const roleOps = renderProject(project, warnings).get('vpn1') ?? [];
  return { roleOps, warnings: warnings.map((w) => formatDiagnostic(w, root)) };
}

/**
 * What the plan makes of the merge against `onHost` (undefined: the host has no file): the file op and its problems.
 */
function resolve(roleOps: RoleOps[], onHost: string | undefined): { file: FileOp | undefined; problems: string[] } {
  const r = resolveMerges(roleOps, new Map(onHost === undefined ? [] : [[CONFIG, Buffer.from(onHost)]]), 'vpn1');
  const file = r.roleOps.flatMap((x) => x.ops).find((o): o is FileOp => o.kind === 'file' && o.path === CONFIG);
  return { file, problems: r.problems.map((p) => p.message) };
}

async function merged(yml: string, onHost: string | undefined): Promise<string | undefined> {
  const { file, problems } = resolve((await render(yml)).roleOps, onHost);
  expect(problems).toEqual([]);
  return typeof file?.content === 'string' ? file.content : undefined;
}

const ops = (roleOps: RoleOps[]) => roleOps.flatMap((r) => r.ops);

describe("role headscale merges into the host's config.yaml", () => {
  it('sets override_local_dns and the records; every comment and foreign key stays; the second run is byte-identical', async () => {
    const text = await merged(HEADSCALE_YML, HOST_FILE);
    expect(text).toBe(`# Headscale on the VPN host — edited by hand, keep these comments.
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
# metrics stay on loopback
metrics_listen_addr: 127.0.0.1:9090
policy:
  path: /etc/headscale/acl.hujson # foreign key: rig must not touch it
dns:
  magic_dns: true
  base_domain: tail.example.net
  nameservers:
    global:
      - 1.1.1.1 # Cloudflare
  # Headscale's default: Windows clients then ignore extra_records (docs/lessons.md REX-33)
  override_local_dns: true
  extra_records:
    - name: example.com
      type: A
      value: 100.64.0.14
    - name: llm.example.com
      type: A
      value: 100.64.0.14
    - name: pi.example.com
      type: A
      value: 100.64.0.22
`);
    // the second run reads what the first wrote: every key holds its value, the bytes are the host's
    expect(await merged(HEADSCALE_YML, text)).toBe(text);
  });

  it("a host without the file gets a minimal valid config, rig's keys in it; the second run is byte-identical", async () => {
    const text = await merged(HEADSCALE_YML, undefined);
    expect(text)
      .toBe(`# Headscale configuration, first written by rig (role headscale) on vpn1 because the host had none.
# Edit it by hand as you like: rig only keeps dns.override_local_dns, dns.extra_records and the keys of
# headscale_settings set, and leaves every other key and comment as it finds them.
server_url: https://vpn.example.com
listen_addr: 0.0.0.0:8080
metrics_listen_addr: 127.0.0.1:9090
noise:
  private_key_path: /var/lib/headscale/noise_private.key
prefixes:
  v4: 100.64.0.0/10
  v6: fd7a:115c:a1e0::/48
  allocation: sequential
derp:
  server:
    enabled: false
  urls:
    - https://controlplane.tailscale.com/derpmap/default
  auto_update_enabled: true
  update_frequency: 24h
database:
  type: sqlite
  sqlite:
    path: /var/lib/headscale/db.sqlite
    write_ahead_log: true
log:
  format: text
  level: info
dns:
  magic_dns: true
  base_domain: tail.example.net
  nameservers:
    global:
      - 1.1.1.1
      - 1.0.0.1
  override_local_dns: true
  extra_records:
    - name: example.com
      type: A
      value: 100.64.0.14
    - name: llm.example.com
      type: A
      value: 100.64.0.14
    - name: pi.example.com
      type: A
      value: 100.64.0.22
unix_socket: /var/run/headscale/headscale.sock
unix_socket_permission: "0770"
`);
    expect(await merged(HEADSCALE_YML, text)).toBe(text);
  });

  it('headscale_settings keys are kept set too, beside the foreign ones; a changed record changes only extra_records', async () => {
    const yml = `${HEADSCALE_YML}headscale_settings:\n  dns.magic_dns: false\n  log.level: debug\n  dns.search_domains: [example.com]\n`;
    const first = await merged(yml, HOST_FILE);
    expect(first).toContain('dns:\n  magic_dns: false\n  base_domain: tail.example.net\n');
    expect(first).toContain('      value: 100.64.0.22\n  search_domains:\n    - example.com\nlog:\n  level: debug\n');
    expect(first).toContain('  path: /etc/headscale/acl.hujson # foreign key: rig must not touch it\n');
    const moved = await merged(yml.replace('ip: 100.64.0.22', 'ip: 100.64.0.23'), first);
    expect(moved).toBe(first?.replace('value: 100.64.0.22', 'value: 100.64.0.23'));
  });

  it('the op: no mode of its own (the host file keeps its mode, a new one is 0644), not sensitive, from role.ts', async () => {
    const { roleOps } = await render(HEADSCALE_YML);
    const merge = ops(roleOps).find((o): o is YamlMergeOp => o.kind === 'yamlMerge');
    expect(merge).toMatchObject({ path: CONFIG, sensitive: false, notify: [] });
    expect(merge && 'mode' in merge).toBe(false);
    expect(merge?.origin?.file).toMatch(/roles\/headscale\/role\.ts$/);
    expect(ops(roleOps).find((o): o is DirOp => o.kind === 'dir')).toMatchObject({
      kind: 'dir',
      path: '/opt/javisi/configs/headscale',
    });
  });

  it('a host file that is not a mapping is left alone, with the reason', async () => {
    const { problems } = resolve((await render(HEADSCALE_YML)).roleOps, '- not\n- a mapping\n');
    expect(problems).toEqual([`${CONFIG} on the host is not a YAML mapping: not touched`]);
  });
});

describe('role headscale declares its service', () => {
  it('config dir read-only at /etc/headscale, state in a volume, loopback port, the CLI as probe (distroless image), infra phase', async () => {
    const { roleOps, warnings } = await render(HEADSCALE_YML);
    expect(warnings).toEqual([]);
    const svc = ops(roleOps).find((o): o is ServiceOp => o.kind === 'service');
    expect(svc).toMatchObject({ name: 'headscale', phase: 'infra', gate: { timeoutSec: 60, oneShot: false } });
    expect(svc?.spec).toEqual({
      image: 'headscale/headscale:0.26.1',
      command: ['serve'],
      environment: {},
      envFiles: [],
      mounts: [
        { type: 'bind', source: '/opt/javisi/configs/headscale', target: '/etc/headscale', readOnly: true },
        { type: 'volume', source: 'headscale_data', target: '/var/lib/headscale', readOnly: false },
      ],
      networks: ['frontend'],
      ports: ['127.0.0.1:8080:8080'],
      healthcheck: {
        test: ['headscale', 'users', 'list'],
        interval: '5s',
        timeout: '8s',
        retries: 3,
        startPeriod: '10s',
      },
      groupAdd: [],
      capDrop: [],
      capAdd: [],
      securityOpt: [],
      tmpfs: [],
      restart: 'unless-stopped',
      labels: {},
    });
    expect(
      ops(roleOps)
        .filter((o): o is NetworkOp => o.kind === 'network')
        .map((n) => [n.name, n.internal, n.external]),
    ).toEqual([['frontend', false, false]]);
  });

  it('another port, directory, data dir, no publish, no healthcheck', async () => {
    const yml = `${HEADSCALE_YML}headscale_port: 9443\nheadscale_publish: null\nheadscale_config_dir: /opt/services/headscale/config\nheadscale_data_dir: /opt/services/headscale/data\nheadscale_healthcheck: none\n`;
    const { roleOps } = await render(yml);
    const svc = ops(roleOps).find((o): o is ServiceOp => o.kind === 'service');
    expect(svc?.spec.ports).toEqual([]);
    expect(svc?.spec.healthcheck).toBeUndefined();
    expect(svc?.spec.mounts).toEqual([
      { type: 'bind', source: '/opt/services/headscale/config', target: '/etc/headscale', readOnly: true },
      { type: 'bind', source: '/opt/services/headscale/data', target: '/var/lib/headscale', readOnly: false },
    ]);
    expect(ops(roleOps).find((o): o is YamlMergeOp => o.kind === 'yamlMerge')?.initial).toContain(
      '\nlisten_addr: 0.0.0.0:9443\n',
    );
    const probe = await render(
      `${HEADSCALE_YML}headscale_publish: 0.0.0.0:443\nheadscale_healthcheck: [headscale, health]\n`,
    );
    const spec = ops(probe.roleOps).find((o): o is ServiceOp => o.kind === 'service')?.spec;
    expect([spec?.ports, spec?.healthcheck?.test]).toEqual([['0.0.0.0:443:8080'], ['headscale', 'health']]);
    const busybox = await render(`${HEADSCALE_YML}headscale_healthcheck: wget\n`);
    expect(ops(busybox.roleOps).find((o): o is ServiceOp => o.kind === 'service')?.spec.healthcheck?.test).toEqual([
      'timeout',
      '3',
      'wget',
      '-q',
      '-O-',
      'http://127.0.0.1:8080/health',
    ]);
  });
});

describe('role headscale refuses, at the variable', () => {
  const at = (line: number, col: number, message: string): string => `${VARS}:${line}:${col}: ${message} [host vpn1]`;
  const emptyIp = (name: string) =>
    `is empty: Headscale would get a record for ${name} without an address and VPN clients would resolve it to its public IP (403 from a VPN-only vhost); set the node's tailnet IPv4 (\`tailscale ip -4\` on it) or remove the record`;

  // One case per row: the table reads down (Prettier would spread each case over several lines).
  // prettier-ignore
  const REFUSED: [string, string, string[]][] = [
    ['an empty IP (§10.19: never write empty values)', edit(['pi.example.com, ip: 100.64.0.22', 'pi.example.com, ip: ""']), [at(8, 33, `headscale_extra_records.2.ip: ${emptyIp('pi.example.com')}`)]],
    ['an IP with no value at all', edit(['{ name: pi.example.com, ip: 100.64.0.22 }', '{ name: pi.example.com, ip: }']), [at(8, 33, `headscale_extra_records.2.ip: ${emptyIp('pi.example.com')}`)]],
    ['a blank IP', edit(['pi.example.com, ip: 100.64.0.22', 'pi.example.com, ip: "  "']), [at(8, 33, `headscale_extra_records.2.ip: ${emptyIp('pi.example.com')}`)]],
    ['an invalid IP', edit(['ip: 100.64.0.22', 'ip: 100.64.0.300']), [at(8, 33, 'headscale_extra_records.2.ip: "100.64.0.300" is not an IPv4 address (an A record needs one, such as 100.64.0.14)')]],
    ['an IPv6 address', edit(['ip: 100.64.0.22', 'ip: "fd7a:115c:a1e0::1"']), [at(8, 33, 'headscale_extra_records.2.ip: "fd7a:115c:a1e0::1" is not an IPv4 address (an A record needs one, such as 100.64.0.14)')]],
    ['a name that is not a DNS name', edit(['name: pi.example.com', 'name: pi_box.example.com']), [at(8, 13, 'headscale_extra_records.2.name: "pi_box.example.com" is not a DNS name (dot-separated labels of letters, digits and "-", such as llm.example.com)')]],
    ['a name listed twice', edit(['name: pi.example.com', 'name: LLM.example.com']), [at(8, 13, 'headscale_extra_records.2.name: LLM.example.com is listed twice (also headscale_extra_records.1): one A record per vhost')]],
    ['override_local_dns in headscale_settings', `${HEADSCALE_YML}headscale_settings:\n  dns.override_local_dns: false\n`, [at(10, 27, "headscale_settings.dns.override_local_dns: not settable here: the role always sets it to true: with false (Headscale's default) Windows clients ignore extra_records, resolve the public address and get 403 (docs/lessons.md REX-33)")]],
    ['extra_records_path in headscale_settings', `${HEADSCALE_YML}headscale_settings:\n  dns.extra_records_path: /var/lib/headscale/records.json\n`, [at(10, 27, 'headscale_settings.dns.extra_records_path: not settable here: Headscale refuses it together with dns.extra_records, which the role writes from headscale_extra_records')]],
    ['a misspelt setting', `${HEADSCALE_YML}headscale_settings:\n  dns.magic_dsn: true\n`, [at(10, 18, 'headscale_settings.dns.magic_dsn: not a Headscale setting this role knows (did you mean "dns.magic_dns"?): Headscale ignores unknown keys, so it would do nothing; the known ones are listed in roles/headscale/README.md')]],
    ['a secret setting the role does not take', `${HEADSCALE_YML}headscale_settings:\n  oidc.client_secret: abc\n`, [at(10, 23, 'headscale_settings.oidc.client_secret: not a Headscale setting this role knows (did you mean "oidc.client_secret_path"?): Headscale ignores unknown keys, so it would do nothing; the known ones are listed in roles/headscale/README.md')]],
    ['an empty setting', `${HEADSCALE_YML}headscale_settings:\n  acme_email: ""\n`, [at(10, 15, "headscale_settings.acme_email: is empty: rig never writes an empty value; leave the key out to keep what the host's file says")]],
    ['listen_addr on the loopback', `${HEADSCALE_YML}headscale_settings:\n  listen_addr: 127.0.0.1:8080\n`, [at(10, 16, "headscale_settings.listen_addr: listens on the container's loopback only: the published port and the other containers could not reach Headscale; use 0.0.0.0:8080")]],
    ['listen_addr on another port than headscale_port', `${HEADSCALE_YML}headscale_settings:\n  listen_addr: 0.0.0.0:9090\n`, [at(10, 16, 'headscale_settings.listen_addr: listens on port 9090 but headscale_port is 8080 (the healthcheck and the published port use headscale_port); make them equal')]],
    ['no global nameserver', `${HEADSCALE_YML}headscale_settings:\n  dns.nameservers.global: []\n`, [at(10, 27, 'headscale_settings.dns.nameservers.global: must list at least one resolver: with dns.override_local_dns true (always, with this role) Headscale refuses to start without one')]],
    ['a base domain that contains server_url', edit(['headscale_base_domain: tail.example.net', 'headscale_base_domain: example.com']), [at(4, 24, 'headscale_base_domain: server_url\'s host vpn.example.com is inside example.com: Headscale refuses to start ("server_url cannot be part of base_domain"); use a domain of its own, such as tail.example.net')]],
    ['a base domain set in headscale_settings equal to server_url\'s host', `${HEADSCALE_YML}headscale_settings:\n  dns.base_domain: vpn.example.com\n`, [at(10, 20, 'headscale_settings.dns.base_domain: vpn.example.com is the host of server_url: Headscale refuses to start ("server_url cannot use the same domain as base_domain"); use a domain of its own, such as tail.example.net')]],
  ];
  it.each(REFUSED)('%s', async (_name, yml, expected) => {
    expect(await loadErrors(makeProject(files(yml), { roles: ['headscale'] }))).toEqual(expected);
  });

  it('an IP taken from a variable that is empty: at the record that uses it', async () => {
    const yml = edit(['ip: 100.64.0.22', 'ip: "{{ pi_tailscale_ip }}"']);
    const errors = await loadErrors(
      makeProject(files(yml, { 'inventory/test/group_vars/all/nodes.yml': 'pi_tailscale_ip: ""\n' }), {
        roles: ['headscale'],
      }),
    );
    expect(errors).toEqual([at(8, 33, `headscale_extra_records.2.ip: ${emptyIp('pi.example.com')}`)]);
  });

  it('all of them at once', async () => {
    const yml = edit(
      ['example.com, ip: 100.64.0.14 }\n  - { name: llm', 'example.com, ip: "" }\n  - { name: llm'],
      ['ip: 100.64.0.22', 'ip: 1.2.3'],
    );
    expect((await loadErrors(makeProject(files(yml), { roles: ['headscale'] }))).map((e) => e.split(': ')[0])).toEqual([
      `${VARS}:6:30`,
      `${VARS}:8:33`,
    ]);
  });

  it('a vault secret in headscale_settings: refused when rendering, at the variable', async () => {
    const ring = VaultKeyring.fromPasswords([{ password: PASSWORD }]);
    const inline = ring
      .encrypt('s3cret-acme-0123')
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n');
    const root = makeProject(
      files(`${HEADSCALE_YML}headscale_settings:\n  acme_email: "{{ vault_acme }}"\n`, {
        'inventory/test/group_vars/all/secrets.yml': `vault_acme: !vault |\n${inline}\n`,
      }),
      { roles: ['headscale'] },
    );
    const project = await load(root, { vaultPassword: PASSWORD });
    expect(renderErrors(project, root)).toEqual([
      at(
        9,
        1,
        'config.yaml would hold a vault secret through headscale_settings: keep secrets in files of their own (oidc.client_secret_path)',
      ),
    ]);
  });
});

describe('role headscale warns', () => {
  it('a record outside the tailnet (default 100.64.0.0/10, or headscale_settings prefixes.v4), at its IP', async () => {
    const { warnings } = await render(edit(['ip: 100.64.0.22', 'ip: 192.168.1.22']));
    expect(warnings).toEqual([
      `${VARS}:8:33: warning: headscale_extra_records.2.ip: 192.168.1.22 is outside the tailnet (100.64.0.0/10): VPN clients would reach pi.example.com outside the VPN and a VPN-only vhost would answer 403 [host vpn1]`,
    ]);
    const custom = await render(`${HEADSCALE_YML}headscale_settings:\n  prefixes.v4: 100.64.0.0/24\n`);
    expect(custom.warnings).toEqual([]);
    const outside = await render(
      `${edit(['ip: 100.64.0.22', 'ip: 100.64.1.22'])}headscale_settings:\n  prefixes.v4: 100.64.0.0/24\n`,
    );
    expect(outside.warnings).toEqual([
      `${VARS}:8:33: warning: headscale_extra_records.2.ip: 100.64.1.22 is outside the tailnet (100.64.0.0/24): VPN clients would reach pi.example.com outside the VPN and a VPN-only vhost would answer 403 [host vpn1]`,
    ]);
  });

  it('no records at all', async () => {
    const yml = HEADSCALE_YML.replace(/headscale_extra_records:\n(.*\n)*/, 'headscale_extra_records: []\n');
    const { warnings } = await render(yml);
    expect(warnings).toEqual([
      `${VARS}:5:1: warning: headscale_extra_records: no records: VPN clients resolve every vhost to its public address and the VPN-only ones answer 403; list one { name, ip } per VPN-gated vhost [host vpn1]`,
    ]);
  });
});
