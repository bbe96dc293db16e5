// Role caddy: the reverse proxy's Caddyfile (typed vhosts, VPN ACL checked on the rendered text, `caddy validate` on
// the uploaded copy) and its compose service, reloaded in place when only the Caddyfile changed.
import { defineRole, exec, serviceImage, z } from 'rig';
import { checkVhosts, checkVpnAcl } from './checks.ts';

/** Where the config directory is mounted in the container, and the file Caddy runs. */
export const CONTAINER_CONFIG_DIR = '/etc/caddy';
export const CADDYFILE = `${CONTAINER_CONFIG_DIR}/Caddyfile`;
const ADAPT = ['--config', CADDYFILE, '--adapter', 'caddyfile'];

const ipv4Cidr = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const cidr = z
  .string()
  .regex(new RegExp(`^$|${ipv4Cidr.source}`), 'an IPv4 CIDR such as 100.64.0.0/10, or "" for none');
const publish = z
  .string()
  .regex(
    /^$|^(\d{1,3}(\.\d{1,3}){3}:)?\d{1,5}$/,
    'a host port, optionally with its address ("127.0.0.1:8080"), or "" for none',
  );
// A directive argument is one Caddyfile token: quoted when needed, so it cannot open a block or break the ACL out.
const directiveArg = z
  .string()
  .regex(/^[^"\n\r]*$/, 'no double quote or line break')
  .refine((a) => !a.endsWith('\\'), 'must not end with a backslash');

const vhostSchema = z.strictObject({
  host: z
    .string()
    .regex(
      /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/,
      'a host name such as grafana.example.com',
    ),
  /** `<compose service>:<port>` (checks.ts says why when it is not). */
  upstream: z.string(),
  /** Only the VPN and the Docker frontend network get in; everyone else gets 403. */
  vpn_only: z.boolean(),
  /**
   * HTTP/1.1 to the upstream: WebSocket apps (OpenClaw) lose the Upgrade header over HTTP/2 (docs/lessons.md §10.13).
   */
  http1_only: z.boolean().default(false),
  /**
   * One-line directives of the site (`{ name: header, args: [X-Robots-Tag, noindex] }`), in Caddy's directive order.
   */
  directives: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a Caddyfile directive name'),
        args: z.array(directiveArg).default([]),
      }),
    )
    .default([]),
});

const varsSchema = z.object({
  caddy_image: z
    .string()
    .min(1)
    .describe('Caddy image, repo:tag (versions.yml); it must hold `caddy` and busybox wget'),
  caddy_vhosts: z
    .array(vhostSchema)
    .describe('The sites: host, upstream service:port, vpn_only, http1_only, directives'),
  caddy_vpn_cidr: cidr.describe('The VPN range every VPN-only site lets in'),
  caddy_docker_frontend_cidr: cidr.describe(
    'Subnet of the Docker frontend network, let in by every VPN-only site (docs/lessons.md REX-34)',
  ),
  caddy_ip_matcher: z
    .enum(['remote_ip', 'client_ip'])
    .describe('Matcher of the ACL: remote_ip (Caddy 2.6), client_ip (2.7+, behind trusted_proxies)'),
  caddy_http_publish: publish.describe('Host port (with address) published to the container port 80'),
  caddy_https_publish: publish.describe('Host port (with address) published to the container port 443'),
  caddy_auto_https: z
    .boolean()
    .describe('Automatic HTTPS (ACME certificates, redirects); false writes `auto_https off`'),
  caddy_site_scheme: z
    .enum(['http', 'https'])
    .describe('Scheme of the site addresses (http:// without TLS, for the demo)'),
  caddy_networks: z
    .record(z.string(), z.strictObject({ internal: z.boolean().default(false), external: z.boolean().default(false) }))
    .describe('Networks of the service, with their settings'),
  caddy_restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).describe('Restart policy'),
  caddy_health_timeout: z.number().int().positive().describe('Seconds a (re)created container has to become healthy'),
  caddy_mem_limit: z
    .string()
    .regex(/^\d+[bkmg]?$/i)
    .describe('Memory limit (compose mem_limit)'),
  caddy_cpus: z.number().positive().describe('CPU limit'),
});

type Vars = z.output<typeof varsSchema>;

/** One Caddyfile token: bare when the lexer reads it back as written, else double-quoted (the schema refuses `"`). */
export function caddyArg(arg: string): string {
  const bare =
    arg !== '' && !/[\s"`\\]/.test(arg) && !arg.startsWith('#') && !arg.startsWith('<<') && arg !== '{' && arg !== '}';
  return bare ? arg : `"${arg}"`;
}

/** What the template renders: the ACL and one entry per site. */
export function caddyfileModel(v: Vars) {
  return {
    gated: v.caddy_vhosts.some((h) => h.vpn_only),
    matcher: v.caddy_ip_matcher,
    ranges: [v.caddy_vpn_cidr, v.caddy_docker_frontend_cidr].filter((c) => c !== '').join(' '),
    sites: v.caddy_vhosts.map((h) => ({
      address: `${v.caddy_site_scheme}://${h.host}`,
      gated: h.vpn_only,
      upstream: h.upstream,
      http1: h.http1_only,
      directives: h.directives.map((d) => [d.name, ...d.args.map(caddyArg)].join(' ')),
    })),
  };
}

/** The healthcheck asks the running server for `/health` (a config that does not load never answers `ok`). */
export function healthcheckTest(): string[] {
  return ['sh', '-c', 'test "$(wget -qO- http://127.0.0.1:80/health)" = ok'];
}

/**
 * `caddy validate` of the uploaded copy in a throwaway container of the same image. The docker daemon resolves the bind
 * source on ITS machine: this assumes the daemon sees the target's files at the same paths (a local daemon; on the
 * DooD test hosts the data dirs are mounted at identical paths).
 */
export function validateCmd(image: string, uploaded: string) {
  return exec([
    'docker',
    'run',
    '--rm',
    '--network',
    'none',
    '-v',
    `${uploaded}:${CADDYFILE}:ro`,
    image,
    'caddy',
    'validate',
    ...ADAPT,
  ]);
}

function serviceSpec(v: Vars, confDir: string, dataDir: string) {
  const ports = [
    [v.caddy_http_publish, 80],
    [v.caddy_https_publish, 443],
  ]
    .filter(([p]) => p !== '')
    .map(([p, c]) => `${p}:${c}`);
  return {
    image: v.caddy_image,
    command: ['caddy', 'run', ...ADAPT],
    mounts: [
      // a directory: the reload must see the new Caddyfile (a single-file mount keeps the replaced file's inode)
      { type: 'bind' as const, source: confDir, target: CONTAINER_CONFIG_DIR, readOnly: true },
      { type: 'bind' as const, source: `${dataDir}/data`, target: '/data' },
      { type: 'bind' as const, source: `${dataDir}/config`, target: '/config' },
    ],
    ports,
    networks: Object.keys(v.caddy_networks),
    healthcheck: { test: healthcheckTest(), interval: '5s', timeout: '3s', retries: 3, startPeriod: '5s' },
    restart: v.caddy_restart,
    memLimit: v.caddy_mem_limit,
    cpus: v.caddy_cpus,
  };
}

export default defineRole({
  name: 'caddy',
  description: 'Caddy reverse proxy: typed vhosts with a checked VPN ACL, validated Caddyfile, reloaded in place',
  vars: varsSchema,
  tasks: ({ vars, hostVars, template, dir, service, network, locate, report }) => {
    const findings = checkVhosts(vars.caddy_vhosts, {
      vpn: vars.caddy_vpn_cidr,
      frontend: vars.caddy_docker_frontend_cidr,
    });
    for (const f of findings) {
      const [name, ...rest] = f.path;
      report({ severity: 'error', message: `${f.path.join('.')}: ${f.message}`, at: locate(String(name), rest) });
    }
    const projectDir = hostVars['project_dir'];
    if (typeof projectDir !== 'string')
      throw new Error('project_dir is not a string (rig validates it before rendering)');
    const confDir = `${projectDir}/configs/caddy`;
    const dataDir = `${projectDir}/data/caddy`;
    const caddyfile = template('Caddyfile.hbs', `${confDir}/Caddyfile`, {
      // 0640: basic-auth hashes may sit in directives (a vault value makes the file sensitive: its diff is masked)
      mode: 0o640,
      extra: { caddyfile: caddyfileModel(vars) },
      // the image the service runs, pinned digest included (the tag alone may not even exist on the host)
      validate: (uploaded) => validateCmd(serviceImage('caddy'), uploaded),
    });
    // Defence in depth on what will really be written; after a variable error it would only repeat it.
    if (findings.length === 0 && typeof caddyfile.content === 'string') {
      const gated = vars.caddy_vhosts.filter((h) => h.vpn_only).map((h) => h.host);
      for (const f of checkVpnAcl(caddyfile.content, gated, {
        vpn: vars.caddy_vpn_cidr,
        frontend: vars.caddy_docker_frontend_cidr,
      })) {
        report({ severity: 'error', message: `rendered Caddyfile line ${f.line}: ${f.message}` });
      }
    }
    return [
      dir(confDir, { mode: 0o755 }),
      caddyfile,
      dir(dataDir, { mode: 0o700 }),
      dir(`${dataDir}/data`, { mode: 0o700 }),
      dir(`${dataDir}/config`, { mode: 0o700 }),
      ...Object.entries(vars.caddy_networks).map(([name, n]) => network(name, n)),
      service('caddy', serviceSpec(vars, confDir, dataDir), {
        // Phase infra, as the incumbent's Phase A: the front door comes up before the apps and does not need them to.
        phase: 'infra',
        gate: { timeoutSec: vars.caddy_health_timeout },
        reload: { paths: [confDir], command: ['caddy', 'reload', ...ADAPT] },
      }),
    ];
  },
});
