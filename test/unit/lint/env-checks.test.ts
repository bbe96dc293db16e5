// The env-wide checks, table-driven on hand-made ops and hosts: services against the files their roles manage (§10.2,
// §10.16), Caddy against the services it proxies to (§10.13, keyed on the service's flag, not its name), and the VPN
// pair of hosts (§10.7). The located, end-to-end forms are rows of lessons-vpn.test.ts.
import { describe, expect, it } from 'vitest';
import { mountFindings, type ManagedPath } from '../../../src/compose/mount-checks.js';
import type { HostConfig, Project } from '../../../src/config/project.js';
import type { ServiceOp } from '../../../src/core/desired/op.js';
import { vpnConsistency } from '../../../src/lint/vpn-consistency.js';
import { websocketUpstreams } from '../../../src/lint/websocket-upstreams.js';
import { role, svc } from '../compose/compose-fixtures.js';

const CONF = '/srv/app/conf';
const file = (path: string, mode: number | undefined, owner?: string, group?: string): ManagedPath => ({
  kind: 'file',
  path,
  ...(mode !== undefined ? { mode } : {}),
  ...(owner ? { owner } : {}),
  ...(group ? { group } : {}),
});
const dir = (path: string, mode: number, owner?: string, group?: string): ManagedPath => ({
  kind: 'dir',
  path,
  mode,
  ...(owner ? { owner } : {}),
  ...(group ? { group } : {}),
});
const reader = (spec: Record<string, unknown>): ServiceOp =>
  svc('app', { image: 'app:1', mounts: [{ type: 'bind', source: CONF, target: '/etc/app' }], ...spec });

describe("mountFindings: can the container's user read the files its role manages (§10.16)", () => {
  it.each<[string, Record<string, unknown>, ManagedPath[], boolean]>([
    ['owner matches the uid, 0600', { user: '1000:1000' }, [file(`${CONF}/a`, 0o600, '1000', '1000')], true],
    ['another owner, 0600', { user: '1000:1000' }, [file(`${CONF}/a`, 0o600, '0', '0')], false],
    [
      'another owner, group = the primary gid, 0640',
      { user: '1000:1000' },
      [file(`${CONF}/a`, 0o640, '0', '1000')],
      true,
    ],
    [
      'another owner, group from groupAdd, 0640',
      { user: '1000', groupAdd: [989] },
      [file(`${CONF}/a`, 0o640, '0', '989')],
      true,
    ],
    ['another owner and group, 0644 (others read)', { user: '1000:1000' }, [file(`${CONF}/a`, 0o644, '0', '0')], true],
    [
      "owner given by name: only others' bits can decide; 0600 is unknown, not refused",
      { user: '1000:1000' },
      [file(`${CONF}/a`, 0o600, 'svc', 'svc')],
      true,
    ],
    ['owner by name, 0000: no class reads it', { user: '1000:1000' }, [file(`${CONF}/a`, 0o000, 'svc', 'svc')], false],
    [
      'no mode (the host keeps its own): not judged',
      { user: '1000:1000' },
      [file(`${CONF}/a`, undefined, '0', '0')],
      true,
    ],
    ['root reads anything', { user: '0:0' }, [file(`${CONF}/a`, 0o600, '1000', '1000')], true],
    [
      'root without DAC_OVERRIDE / DAC_READ_SEARCH (capDrop ALL) is only its bits',
      { user: 'root', capDrop: ['ALL'] },
      [file(`${CONF}/a`, 0o600, '1000', '1000')],
      false,
    ],
    ["no user: the image's user, unknown to the plan, not judged", {}, [file(`${CONF}/a`, 0o600, '0', '0')], true],
    ['a named user: not judged', { user: 'node' }, [file(`${CONF}/a`, 0o600, '0', '0')], true],
    ['a file outside the mounts: not judged', { user: '1000:1000' }, [file('/srv/app/other', 0o600, '0', '0')], true],
    [
      'a managed directory on the way it cannot enter',
      { user: '1000:1000' },
      [dir(`${CONF}/sub`, 0o700, '0', '0'), file(`${CONF}/sub/a`, 0o644, '1000', '1000')],
      false,
    ],
  ])('%s', (_t, spec, managed, readable) => {
    const found = mountFindings(reader(spec), managed);
    expect(found.length === 0).toBe(readable);
    if (!readable)
      expect(found[0]).toMatch(
        /^service app: runs as .*, which cannot (read|enter) .*\(docs\/lessons\.md §10\.16: PermissionError at start\)/,
      );
  });
});

describe('mountFindings: a reload needs a directory mount (§10.2)', () => {
  const conf = file(`${CONF}/app.conf`, 0o644);
  const reloading = (mounts: { type: 'bind'; source: string; target: string }[]) => ({
    ...svc('app', { image: 'app:1', mounts }),
    reload: { paths: [CONF], command: ['app', 'reload'] },
  });
  it.each<[string, ServiceOp, number]>([
    ['the directory mounted: fine', reloading([{ type: 'bind', source: CONF, target: '/etc/app' }]), 0],
    [
      'the managed file mounted alone, under a reload path: refused',
      reloading([{ type: 'bind', source: `${CONF}/app.conf`, target: '/etc/app.conf' }]),
      1,
    ],
    [
      'a single-file mount without a reload: recreated on change, fine',
      svc('app', { image: 'app:1', mounts: [{ type: 'bind', source: `${CONF}/app.conf`, target: '/etc/app.conf' }] }),
      0,
    ],
    [
      'a single-file mount of a file rig does not manage: fine',
      reloading([{ type: 'bind', source: '/etc/hosts', target: '/etc/hosts' }]),
      0,
    ],
  ])('%s', (_t, op, n) => {
    expect(mountFindings(op, [conf])).toHaveLength(n);
  });
});

/** A host as the env checks read it: its roles' variables; no file locations (they come from real inventories). */
function host(name: string, roles: Record<string, Record<string, unknown>>): HostConfig {
  return {
    name,
    groups: ['all'],
    vars: new Map(),
    connection: {} as HostConfig['connection'],
    stack: {} as HostConfig['stack'],
    roles: Object.entries(roles).map(([r, vars]) => ({ name: r, vars, selected: true })),
  };
}
const env = (...hosts: HostConfig[]): Project =>
  ({ root: '/repo', env: 'prod', hosts: new Map(hosts.map((h) => [h.name, h])) }) as unknown as Project;

describe('websocketUpstreams: keyed on what the upstream is (§10.13)', () => {
  const vhost = (upstream: string, http1 = false) => ({
    caddy: { caddy_vhosts: [{ host: 'x.example.com', upstream, vpn_only: false, http1_only: http1 }] },
  });
  const gateway = { ...svc('gateway', { image: 'g:1' }), websocket: true as const };
  it.each<[string, string, boolean, ServiceOp[], number]>([
    ['a service flagged websocket under any name, without http1_only: refused', 'gateway:18789', false, [gateway], 1],
    ['the same with http1_only: fine', 'gateway:18789', true, [gateway], 0],
    [
      'a service called openclaw that is not flagged: fine (the name decides nothing)',
      'openclaw:18789',
      false,
      [svc('openclaw', { image: 'o:1' })],
      0,
    ],
    ['an upstream that is no service of the host: not judged', 'elsewhere:80', false, [gateway], 0],
  ])('%s', (_t, upstream, http1, services, n) => {
    const found = websocketUpstreams(host('app', vhost(upstream, http1)), [role('x', services)]);
    expect(found).toHaveLength(n);
    if (n > 0)
      expect(found[0]?.message).toBe(
        `caddy_vhosts.0.upstream: "${upstream}" is service gateway (role x), which serves WebSocket connections: set http1_only: true, over HTTP/2 Caddy drops the Upgrade header and its clients stay offline (docs/lessons.md §10.13)`,
      );
  });
});

describe('vpnConsistency: the VPN pair of hosts (§10.7)', () => {
  const caddy = (vhosts: { host: string; vpn_only: boolean }[], cidr = '100.64.0.0/10') =>
    host('app', { caddy: { caddy_vhosts: vhosts, caddy_vpn_cidr: cidr } });
  const headscale = (names: string[], settings: Record<string, unknown> = {}) =>
    host('vpn', {
      headscale: {
        headscale_extra_records: names.map((name) => ({ name, ip: '100.64.0.1' })),
        headscale_settings: settings,
      },
    });
  const messages = (p: Project) => vpnConsistency(p).map((d) => d.message.split(':')[0] ?? '');

  it('every vpn_only site needs a record (names compare case-insensitively); public sites do not', () => {
    expect(
      messages(
        env(
          caddy([
            { host: 'a.example.com', vpn_only: true },
            { host: 'pub.example.com', vpn_only: false },
          ]),
          headscale(['A.Example.com']),
        ),
      ),
    ).toEqual([]);
    expect(
      messages(
        env(
          caddy([
            { host: 'a.example.com', vpn_only: true },
            { host: 'b.example.com', vpn_only: true },
          ]),
          headscale(['a.example.com']),
        ),
      ),
    ).toEqual(['caddy_vhosts.1.host']);
  });

  it('records of any Headscale host of the env count; an env without Headscale is not judged', () => {
    const second = { ...headscale(['b.example.com']), name: 'vpn2' };
    expect(
      messages(
        env(
          caddy([
            { host: 'a.example.com', vpn_only: true },
            { host: 'b.example.com', vpn_only: true },
          ]),
          headscale(['a.example.com']),
          second,
        ),
      ),
    ).toEqual([]);
    expect(messages(env(caddy([{ host: 'a.example.com', vpn_only: true }])))).toEqual([]);
  });

  it("Caddy's VPN range must cover the tailnet (Headscale's default or its prefixes.v4); not judged without vpn_only sites", () => {
    const site = [{ host: 'a.example.com', vpn_only: true }];
    expect(messages(env(caddy(site, '100.64.0.0/16'), headscale(['a.example.com'])))).toEqual(['caddy_vpn_cidr']);
    expect(
      messages(env(caddy(site, '100.64.0.0/10'), headscale(['a.example.com'], { 'prefixes.v4': '100.64.0.0/12' }))),
    ).toEqual([]);
    expect(
      messages(env(caddy(site, '100.64.0.0/10'), headscale(['a.example.com'], { 'prefixes.v4': '10.0.0.0/8' }))),
    ).toEqual(['caddy_vpn_cidr']);
    expect(messages(env(caddy([{ host: 'a.example.com', vpn_only: false }], '100.64.0.0/16'), headscale([])))).toEqual(
      [],
    );
  });
});
