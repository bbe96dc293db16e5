// Role caddy through the real loader and renderer: the exact Caddyfile, its validate command, the service (reload in
// place), the VPN ACL check on good and broken Caddyfiles, and every variable check at its file:line:col.
import { describe, expect, it } from 'vitest';
import { resolveServiceImages } from '../../../src/pin/service-images.js';
import { renderProject } from '../../../src/config/roles/render-roles.js';
import { display } from '../../../src/core/cmd/render.js';
import { DiagnosticsError, formatDiagnostic, type Diagnostic } from '../../../src/core/errors/diagnostic.js';
import type { DirOp, FileOp, NetworkOp, Op, ServiceOp } from '../../../src/core/desired/op.js';
import { checkVpnAcl } from '../../../roles/caddy/checks.ts';
import { caddyArg } from '../../../roles/caddy/role.ts';
import { load, loadErrors, makeProject, replaceOnce } from '../../helpers/project.js';

const VARS = 'inventory/test/group_vars/all/caddy.yml';

/** A small site: one public vhost (with a directive), one VPN-gated, one WebSocket upstream (HTTP/1.1 only). */
const CADDY_YML = `project_name: javisi
caddy_image: local/caddy:2.6-rig
caddy_vhosts:
  - host: www.example.test
    upstream: web:8080
    vpn_only: false
    directives:
      - { name: header, args: [X-Robots-Tag, "noindex, nofollow"] }
  - host: grafana.example.test
    upstream: grafana:3000
    vpn_only: true
  - host: claw.example.test
    upstream: openclaw:18789
    vpn_only: true
    http1_only: true
`;

const RENDERED = `# managed by rig (role caddy) on edge1: edits on the host are overwritten by the next deploy
{
	# the admin API stays on, on localhost only: \`caddy reload\` swaps the config through it
	admin localhost:2019
	# caddy_auto_https: false (no ACME, no HTTP->HTTPS redirects)
	auto_https off
}

# VPN-only sites import this: 403 unless the client is on the VPN or comes through the Docker frontend network
# (HTTP/3 through Docker's NAT arrives from there: REX-34)
(vpn_only) {
	@vpn_blocked not remote_ip 100.64.0.0/10 172.20.1.0/24
	error @vpn_blocked 403
}

# the health probe (container healthcheck, smoke tests) and unknown hosts
:80 {
	respond /health "ok" 200
	respond "no such site" 404
}

http://www.example.test {
	header X-Robots-Tag "noindex, nofollow"
	reverse_proxy web:8080
}

http://grafana.example.test {
	import vpn_only
	reverse_proxy grafana:3000
}

http://claw.example.test {
	import vpn_only
	# WebSocket upstream: HTTP/2 drops the Upgrade header, so HTTP/1.1 only (§10.13)
	reverse_proxy openclaw:18789 {
		transport http {
			versions 1.1
		}
	}
}
`;

function files(caddyYml: string): Record<string, string> {
  return {
    'inventory/test/hosts.yml':
      'all:\n  children:\n    edge:\n      hosts:\n        edge1:\n          ansible_host: 127.0.0.1\n',
    [VARS]: caddyYml,
    'playbooks/site.yml': '- hosts: edge\n  roles: [caddy]\n',
  };
}

/** `CADDY_YML` with `from` replaced by `to` (each must occur once). */
const edit = (...pairs: [string, string][]): string => replaceOnce(CADDY_YML, ...pairs);

async function render(caddyYml: string): Promise<{ ops: readonly Op[]; warnings: string[] }> {
  const root = makeProject(files(caddyYml), { roles: ['caddy'] });
  const warnings: Diagnostic[] = [];
  const ops =
    resolveServiceImages(renderProject(await load(root), warnings))
      .get('edge1')
      ?.find((r) => r.role === 'caddy')?.ops ?? [];
  return { ops, warnings: warnings.map((w) => formatDiagnostic(w, root)) };
}

/** The errors the role reports while rendering (they stop the run before any host is contacted). */
async function renderErrors(caddyYml: string): Promise<string[]> {
  const root = makeProject(files(caddyYml), { roles: ['caddy'] });
  const project = await load(root);
  try {
    renderProject(project);
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d, root));
    throw err;
  }
  throw new Error('expected the role to report errors');
}

const caddyfileOf = (ops: readonly Op[]): FileOp | undefined =>
  ops.find((o): o is FileOp => o.kind === 'file' && o.path === '/opt/javisi/configs/caddy/Caddyfile');

describe('role caddy renders', () => {
  it('the Caddyfile exactly: ACL snippet with both CIDRs, /health, public, gated and HTTP/1.1 sites', async () => {
    const { ops, warnings } = await render(CADDY_YML);
    expect(warnings).toEqual([]);
    const file = caddyfileOf(ops);
    expect(file).toMatchObject({ mode: 0o640, sensitive: false });
    expect(file?.content).toBe(RENDERED);
  });

  it('validates the uploaded copy with caddy validate in the image the service runs, before it replaces the live file', async () => {
    const validate = caddyfileOf((await render(CADDY_YML)).ops)?.validate;
    expect(validate && display(validate('/opt/javisi/configs/caddy/.Caddyfile.rig-tmp-0123456789ab'))).toBe(
      'docker run --rm --network none -v /opt/javisi/configs/caddy/.Caddyfile.rig-tmp-0123456789ab:/etc/caddy/Caddyfile:ro local/caddy:2.6-rig caddy validate --config /etc/caddy/Caddyfile --adapter caddyfile',
    );
  });

  it('the service: infra phase, config directory read-only, loopback ports, /health probe, reload in place', async () => {
    const { ops } = await render(CADDY_YML);
    const svc = ops.find((o): o is ServiceOp => o.kind === 'service');
    expect(svc).toMatchObject({
      name: 'caddy',
      phase: 'infra',
      gate: { timeoutSec: 60, oneShot: false },
      reload: {
        paths: ['/opt/javisi/configs/caddy'],
        command: ['caddy', 'reload', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile'],
      },
    });
    expect(svc?.spec).toMatchObject({
      image: 'local/caddy:2.6-rig',
      command: ['caddy', 'run', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile'],
      mounts: [
        { type: 'bind', source: '/opt/javisi/configs/caddy', target: '/etc/caddy', readOnly: true },
        { type: 'bind', source: '/opt/javisi/data/caddy/data', target: '/data', readOnly: false },
        { type: 'bind', source: '/opt/javisi/data/caddy/config', target: '/config', readOnly: false },
      ],
      ports: ['127.0.0.1:8080:80', '127.0.0.1:8443:443'],
      networks: ['frontend'],
      healthcheck: {
        test: ['sh', '-c', 'test "$(wget -qO- http://127.0.0.1:80/health)" = ok'],
        interval: '5s',
        timeout: '3s',
        retries: 3,
        startPeriod: '5s',
      },
      restart: 'unless-stopped',
      memLimit: '256m',
      cpus: 0.5,
    });
    expect(
      ops.filter((o): o is NetworkOp => o.kind === 'network').map((n) => [n.name, n.internal, n.external]),
    ).toEqual([['frontend', false, false]]);
    expect(ops.filter((o): o is DirOp => o.kind === 'dir').map((d) => [d.path, d.mode])).toEqual([
      ['/opt/javisi/configs/caddy', 0o755],
      ['/opt/javisi/data/caddy', 0o700],
      ['/opt/javisi/data/caddy/data', 0o700],
      ['/opt/javisi/data/caddy/config', 0o700],
    ]);
  });

  it('no gated vhost: no ACL snippet; an empty publish address publishes nothing; auto_https on drops `auto_https off`', async () => {
    const yml = `project_name: javisi\ncaddy_image: local/caddy:2.6-rig\ncaddy_vhosts: [{ host: a.test, upstream: "a:1", vpn_only: false }]\ncaddy_https_publish: ""\ncaddy_auto_https: true\ncaddy_site_scheme: https\n`;
    const { ops } = await render(yml);
    const text = String(caddyfileOf(ops)?.content);
    expect(text).not.toContain('vpn_only');
    expect(text).not.toContain('auto_https');
    expect(text).toContain('\nhttps://a.test {\n\treverse_proxy a:1\n}\n');
    expect(ops.find((o): o is ServiceOp => o.kind === 'service')?.spec.ports).toEqual(['127.0.0.1:8080:80']);
  });

  it('client_ip as the ACL matcher (Caddy 2.7+)', async () => {
    const text = String(caddyfileOf((await render(`${CADDY_YML}caddy_ip_matcher: client_ip\n`)).ops)?.content);
    expect(text).toContain('\t@vpn_blocked not client_ip 100.64.0.0/10 172.20.1.0/24\n');
  });

  it.each([
    ['X-Robots-Tag', 'X-Robots-Tag'],
    ['{http.request.host}', '{http.request.host}'],
    ['two words', '"two words"'],
    ['', '""'],
    ['{', '"{"'],
    ['}', '"}"'],
    ['#not-a-comment', '"#not-a-comment"'],
    ['C:\\dir', '"C:\\dir"'],
  ])('directive argument %j is written %s', (arg, token) => {
    expect(caddyArg(arg)).toBe(token);
  });
});

describe('the VPN ACL check of a rendered Caddyfile (docs/lessons.md REX-34)', () => {
  const RANGES = { vpn: '100.64.0.0/10', frontend: '172.20.1.0/24' };
  const GATED = ['grafana.example.test', 'claw.example.test'];
  const swap = (from: string, to: string): string => {
    if (RENDERED.split(from).length !== 2) throw new Error(`"${from}" must occur once`);
    return RENDERED.replace(from, to);
  };

  it('passes the rendered file, block-form matchers, and wider ranges that contain both CIDRs', () => {
    expect(checkVpnAcl(RENDERED, GATED, RANGES)).toEqual([]);
    const block = swap(
      '\t@vpn_blocked not remote_ip 100.64.0.0/10 172.20.1.0/24\n',
      '\t@vpn_blocked {\n\t\tnot {\n\t\t\tremote_ip 100.64.0.0/10 172.20.1.0/24\n\t\t}\n\t}\n',
    );
    expect(checkVpnAcl(block, GATED, RANGES)).toEqual([]);
    expect(checkVpnAcl(swap('100.64.0.0/10 172.20.1.0/24', '100.64.0.0/10 private_ranges'), GATED, RANGES)).toEqual([]);
    expect(
      checkVpnAcl(swap('100.64.0.0/10 172.20.1.0/24', '100.64.0.0/10 172.20.0.0/16 1.2.3.4'), GATED, RANGES),
    ).toEqual([]);
  });

  it('fails a matcher without the Docker frontend CIDR, at its line', () => {
    expect(checkVpnAcl(swap(' 172.20.1.0/24\n', '\n'), GATED, RANGES)).toEqual([
      {
        line: 12,
        message: `"@vpn_blocked not remote_ip 100.64.0.0/10" does not list the Docker frontend CIDR 172.20.1.0/24: HTTP/3 through Docker's NAT arrives from that network and gets 403; every VPN ACL lists both the VPN CIDR and the Docker frontend CIDR (docs/lessons.md REX-34)`,
      },
    ]);
  });

  it('fails a matcher without the VPN CIDR, and a narrower range does not count', () => {
    expect(checkVpnAcl(swap('100.64.0.0/10 172.20.1.0/24', '100.64.1.0/24 172.20.1.0/24'), GATED, RANGES)).toEqual([
      {
        line: 12,
        message:
          '"@vpn_blocked not remote_ip 100.64.1.0/24 172.20.1.0/24" does not list the VPN CIDR 100.64.0.0/10: VPN clients get 403; every VPN ACL lists both the VPN CIDR and the Docker frontend CIDR (docs/lessons.md REX-34)',
      },
    ]);
  });

  it('fails a site-level matcher (the LiteLLM trusted-IPs pattern) that forgets one CIDR, even when the snippet is right', () => {
    const text = swap(
      '\timport vpn_only\n\treverse_proxy grafana:3000\n',
      '\t@blocked_llm not client_ip 100.64.0.0/10 203.0.113.7\n\terror @blocked_llm 403\n\treverse_proxy grafana:3000\n',
    );
    expect(checkVpnAcl(text, GATED, RANGES)).toEqual([
      {
        line: 28,
        message: `"@blocked_llm not client_ip 100.64.0.0/10 203.0.113.7" does not list the Docker frontend CIDR 172.20.1.0/24: HTTP/3 through Docker's NAT arrives from that network and gets 403; every VPN ACL lists both the VPN CIDR and the Docker frontend CIDR (docs/lessons.md REX-34)`,
      },
    ]);
  });

  it('fails a VPN-only site that does not import the ACL, and one that is missing', () => {
    const text = swap('\timport vpn_only\n\treverse_proxy grafana:3000\n', '\treverse_proxy grafana:3000\n');
    expect(checkVpnAcl(text, [...GATED, 'n8n.example.test'], RANGES)).toEqual([
      { line: 1, message: 'n8n.example.test is VPN-only but no site block serves it' },
      {
        line: 27,
        message:
          'site http://grafana.example.test is VPN-only but answers everyone: no "error @m 403" on a "not remote_ip" matcher (import vpn_only)',
      },
    ]);
  });

  it('fails a gate that does not answer 403, and a file whose braces do not balance', () => {
    expect(
      checkVpnAcl(swap('error @vpn_blocked 403', 'error @vpn_blocked 404'), ['grafana.example.test'], RANGES),
    ).toEqual([
      {
        line: 27,
        message:
          'site http://grafana.example.test is VPN-only but answers everyone: no "error @m 403" on a "not remote_ip" matcher (import vpn_only)',
      },
    ]);
    expect(checkVpnAcl(`${RENDERED}}\n`, GATED, RANGES)).toEqual([
      { line: 41, message: 'unbalanced "}": no block to close' },
    ]);
    expect(checkVpnAcl(swap('\t\t}\n\t}\n}\n', '\t\t}\n\t}\n'), GATED, RANGES)).toEqual([
      { line: 32, message: 'block not closed: missing "}"' },
    ]);
  });

  it('reads quoted tokens and comments as Caddy does', () => {
    const text = swap(
      '\t@vpn_blocked not remote_ip 100.64.0.0/10 172.20.1.0/24\n',
      '\t@vpn_blocked not remote_ip "100.64.0.0/10" # 172.20.1.0/24 commented out\n',
    );
    expect(checkVpnAcl(text, GATED, RANGES).map((f) => [f.line, f.message.split(':')[0]])).toEqual([
      [12, '"@vpn_blocked not remote_ip "100.64.0.0/10"" does not list the Docker frontend CIDR 172.20.1.0/24'],
    ]);
  });
});

describe('role caddy refuses, at the variable', () => {
  const at = (line: number, col: number, message: string): string => `${VARS}:${line}:${col}: ${message} [host edge1]`;
  const HINT = 'a vhost proxies to "<service>:<port>" (a compose service name and its port, as grafana:3000)';
  const REX34 = 'every VPN ACL lists both the VPN CIDR and the Docker frontend CIDR (docs/lessons.md REX-34)';

  // One case per row: the table reads down (Prettier would spread each case over several lines).
  // prettier-ignore
  const REFUSED: [string, string, string[]][] = [
    ['an empty upstream', edit(['upstream: grafana:3000', 'upstream: ""']), [at(10, 15, `caddy_vhosts.1.upstream: empty: ${HINT}`)]],
    ['an upstream without a port', edit(['upstream: grafana:3000', 'upstream: grafana']), [at(10, 15, `caddy_vhosts.1.upstream: "grafana" is not "<service>:<port>": ${HINT}`)]],
    ['an upstream with a URL', edit(['upstream: web:8080', 'upstream: http://web:8080']), [at(5, 15, `caddy_vhosts.0.upstream: "http://web:8080" is not "<service>:<port>": ${HINT}`)]],
    ['an upstream port out of range', edit(['upstream: openclaw:18789', 'upstream: openclaw:187890']), [at(13, 15, `caddy_vhosts.2.upstream: "openclaw:187890" is not "<service>:<port>": ${HINT}`)]],
    [
      'a duplicate host (case does not matter)',
      edit(['host: claw.example.test', 'host: Grafana.example.test']),
      [at(12, 11, 'caddy_vhosts.2.host: "Grafana.example.test" is already the host of caddy_vhosts.1: Caddy refuses two sites for one address ("ambiguous site definition")')],
    ],
    [
      'vpn_only vhosts while the VPN CIDR is empty',
      `${CADDY_YML}caddy_vpn_cidr: ""\n`,
      [at(16, 1, `caddy_vpn_cidr: empty, but grafana.example.test, claw.example.test are vpn_only: no VPN client would get in; ${REX34}`)],
    ],
    [
      'a vpn_only vhost while the Docker frontend CIDR is empty',
      `${edit(['    vpn_only: true\n    http1_only: true\n', '    vpn_only: false\n    http1_only: true\n'])}caddy_docker_frontend_cidr: ""\n`,
      [at(16, 1, `caddy_docker_frontend_cidr: empty, but grafana.example.test is vpn_only: HTTP/3 through Docker's NAT arrives from the frontend network and would get 403; ${REX34}`)],
    ],
  ];
  it.each(REFUSED)('%s', async (_name, yml, expected) => {
    expect(await renderErrors(yml)).toEqual(expected);
  });

  it('all of them at once, in file order', async () => {
    const yml = `${edit(['upstream: web:8080', 'upstream: web'], ['upstream: grafana:3000', 'upstream: ""'], ['host: claw.example.test', 'host: www.example.test'])}caddy_vpn_cidr: ""\n`;
    expect((await renderErrors(yml)).map((e) => e.split(': ')[0])).toEqual([
      `${VARS}:5:15`,
      `${VARS}:10:15`,
      `${VARS}:12:11`,
      `${VARS}:16:1`,
    ]);
  });

  it('schema errors at the value: a directive argument with a double quote, a malformed CIDR', async () => {
    const yml = `${edit(['args: [X-Robots-Tag, "noindex, nofollow"]', `args: [X-Robots-Tag, 'say "hi"']`])}caddy_vpn_cidr: 100.64.0.0\n`;
    expect(await loadErrors(makeProject(files(yml), { roles: ['caddy'] }))).toEqual([
      at(8, 46, 'caddy_vhosts.0.directives.0.args.1: no double quote or line break'),
      at(16, 17, 'caddy_vpn_cidr: an IPv4 CIDR such as 100.64.0.0/10, or "" for none'),
    ]);
  });
});
