// docs/lessons.md §10, the VPN's lessons (Caddy's ACL and directives, Headscale's records, a pair of hosts): one edit
// per row of the lessons' deploy repo (lessons-repo.ts) brings a broken config back; `rig plan` and `rig lint` refuse
// it.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { testIo } from '../../helpers/test-io.js';
import { APP, repo, VPN } from './lessons-repo.js';
import { expectRefused, type Refusal } from './lessons-refused.js';

describe('lint and plan refuse the broken VPN and Caddy configs of docs/lessons.md §10', () => {
  it.each<Refusal>([
    [
      '7 headscale extra_records with an empty ip',
      [VPN, ['{ name: claw.rigdemo.localhost, ip: 100.64.0.1 }', '{ name: claw.rigdemo.localhost, ip: "" }']],
      'error',
      'plan+lint',
      `${VPN}:11:41: headscale_extra_records.1.ip: is empty: Headscale would get a record for claw.rigdemo.localhost without an address`,
    ],
    [
      '7 headscale override_local_dns: false',
      [VPN, ['headscale_publish:', 'headscale_settings:\n  dns.override_local_dns: false\nheadscale_publish:']],
      'error',
      'plan+lint',
      `${VPN}:8:27: headscale_settings.dns.override_local_dns: not settable here: the role always sets it to true`,
    ],
    [
      '7 caddy VPN ACL without the Docker frontend CIDR',
      [APP, ['caddy_vhosts:', 'caddy_docker_frontend_cidr: ""\ncaddy_vhosts:']],
      'error',
      'plan+lint',
      `${APP}:14:1: caddy_docker_frontend_cidr: empty, but llm.rigdemo.localhost, claw.rigdemo.localhost are vpn_only: HTTP/3 through Docker's NAT arrives from the frontend network and would get 403`,
    ],
    [
      '7 caddy VPN ACL without the VPN CIDR',
      [APP, ['caddy_vhosts:', 'caddy_vpn_cidr: ""\ncaddy_vhosts:']],
      'error',
      'plan+lint',
      `${APP}:14:1: caddy_vpn_cidr: empty, but llm.rigdemo.localhost, claw.rigdemo.localhost are vpn_only: no VPN client would get in`,
    ],
    [
      '7 a vpn_only Caddy site without a Headscale DNS record (two hosts, two files)',
      [VPN, ['  - { name: claw.rigdemo.localhost, ip: 100.64.0.1 }\n', '']],
      'error',
      'plan+lint',
      `${APP}:16:13: caddy_vhosts.1.host: claw.rigdemo.localhost is vpn_only but no Headscale DNS record resolves it: VPN clients would resolve its public address and get 403 (docs/lessons.md §10.7); add { name: claw.rigdemo.localhost, ip: <the tailnet IPv4 of app> } to headscale_extra_records (${VPN}:9:1, host vpn)`,
    ],
    [
      "7 caddy_vpn_cidr narrower than Headscale's tailnet",
      [APP, ['caddy_vhosts:', 'caddy_vpn_cidr: 100.64.0.0/16\ncaddy_vhosts:']],
      'error',
      'plan+lint',
      `${APP}:14:1: caddy_vpn_cidr: 100.64.0.0/16 does not cover the tailnet 100.64.0.0/10 of Headscale's default prefixes.v4 (host vpn: its headscale_settings sets none): VPN clients with addresses outside it get 403 from every vpn_only site (docs/lessons.md §10.7)`,
    ],
    [
      "7 a tailnet set in headscale_settings that Caddy's range does not cover",
      [VPN, ['headscale_publish:', 'headscale_settings: { prefixes.v4: 100.0.0.0/9 }\nheadscale_publish:']],
      'error',
      'plan+lint',
      `roles/caddy/defaults.yml:5:1: caddy_vpn_cidr: 100.64.0.0/10 does not cover the tailnet 100.0.0.0/9 of headscale_settings prefixes.v4 (${VPN}:7:36, host vpn)`,
    ],
    [
      '13 a WebSocket upstream (a service flagged websocket, here OpenClaw) without http1_only',
      [APP, [', vpn_only: true, http1_only: true }', ', vpn_only: true }']],
      'error',
      'plan+lint',
      `${APP}:16:47: caddy_vhosts.1.upstream: "openclaw:18789" is service openclaw (role openclaw), which serves WebSocket connections: set http1_only: true, over HTTP/2 Caddy drops the Upgrade header and its clients stay offline (docs/lessons.md §10.13)`,
    ],
    [
      '12 a status code where a directive goes ("unrecognized directive: 200")',
      [APP, ['vpn_only: true }', 'vpn_only: true, directives: [{ name: "200" }] }']],
      'error',
      'plan+lint',
      `${APP}:15:99: caddy_vhosts.0.directives.0.name: a Caddyfile directive name`,
    ],
    [
      '12 a heredoc in a directive (REX-35: its status belongs on the marker line)',
      [
        APP,
        [
          'vpn_only: true }',
          'vpn_only: true, directives: [{ name: respond, args: ["<<HTML\\n<p>up</p>\\nHTML", "200"] }] }',
        ],
      ],
      'error',
      'plan+lint',
      `${APP}:15:115: caddy_vhosts.0.directives.0.args.0: no double quote or line break`,
    ],
    [
      '19 an extra_records ip from a variable that was never gathered (empty)',
      [
        VPN,
        [
          '{ name: claw.rigdemo.localhost, ip: 100.64.0.1 }',
          '{ name: claw.rigdemo.localhost, ip: "{{ claw_tailnet_ip }}" }',
        ],
        ['project_name: rigvpn\n', 'project_name: rigvpn\nclaw_tailnet_ip: ""\n'],
      ],
      'error',
      'plan+lint',
      `${VPN}:12:41: headscale_extra_records.1.ip: is empty: Headscale would get a record for claw.rigdemo.localhost`,
    ],
  ])('%s', expectRefused);
});

describe('a pair of hosts is checked whatever the run narrows to', () => {
  it("rig plan --limit app still sees the VPN host's records: a missing one stops the run before any host is contacted", async () => {
    const root = repo([VPN, ['  - { name: claw.rigdemo.localhost, ip: 100.64.0.1 }\n', '']]);
    const io = testIo({ cwd: root });
    const code = await main(['plan', '--env', 'test', '--limit', 'app'], io);
    expect(code).toBe(1);
    expect(io.errText()).toContain(
      `${APP}:16:13: caddy_vhosts.1.host: claw.rigdemo.localhost is vpn_only but no Headscale DNS record resolves it`,
    );
    expect(io.outText()).not.toContain('app:');
  });
});
