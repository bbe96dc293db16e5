// Role headscale: rig's keys merged into the Headscale config.yaml the VPN host keeps (VPN DNS records), and its
// service.
import { defineRole, z } from 'rig';
import { checkHeadscale, type Finding } from './checks.ts';

/** Where the config directory is mounted in the container: Headscale reads /etc/headscale/config.yaml. */
export const CONTAINER_CONFIG_DIR = '/etc/headscale';
export const CONFIG_FILE = 'config.yaml';
/** Headscale's state (SQLite database, noise and DERP keys): losing it unenrolls every node. */
export const CONTAINER_DATA_DIR = '/var/lib/headscale';
export const DATA_VOLUME = 'headscale_data';

const absPath = z.string().startsWith('/', 'must be an absolute path');
const argv = z.array(z.string().min(1)).min(1);

const varsSchema = z.object({
  headscale_image: z.string().min(1).describe('Headscale image, repo:tag (versions.yml)'),
  headscale_extra_records: z
    .array(z.strictObject({ name: z.string(), ip: z.string().nullable() }))
    .describe(
      "dns.extra_records: one A record { name, ip } per VPN-gated vhost, ip = the node's tailnet IPv4; an empty ip is an error",
    ),
  headscale_settings: z
    .record(z.string(), z.unknown())
    .describe(
      'More Headscale keys rig keeps set, dotted path → value (dns.magic_dns: true); only the keys listed in the README',
    ),
  headscale_server_url: z
    .string()
    .regex(/^https?:\/\/[^\s/:?#]+(:\d+)?\/?$/, 'an http(s) URL such as https://vpn.example.com')
    .describe(
      'server_url of a NEW config file only (the host has none); to keep it set in an existing file, put server_url in headscale_settings',
    ),
  headscale_base_domain: z
    .string()
    .describe("dns.base_domain (MagicDNS) of a NEW config file only; must not contain server_url's host"),
  headscale_nameservers: z
    .array(z.string().min(1))
    .min(1, 'at least one: Headscale refuses override_local_dns without one')
    .describe('dns.nameservers.global of a NEW config file only'),
  headscale_port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .describe(
      'Port Headscale listens on in the container (listen_addr of a new file, the healthcheck, the published port)',
    ),
  headscale_publish: z
    .string()
    .regex(/^((\d{1,3}\.){3}\d{1,3}:)?\d{1,5}$/, 'a host port, optionally with an IPv4 address: 127.0.0.1:8080')
    .nullable()
    .describe('Host address:port the service is published on, or null for none'),
  headscale_config_dir: absPath
    .nullable()
    .describe(
      'Directory of config.yaml on the host (mounted read-only at /etc/headscale); null: <project_dir>/configs/headscale',
    ),
  headscale_data_dir: absPath
    .nullable()
    .describe('Host directory for /var/lib/headscale; null: the project volume headscale_data'),
  headscale_healthcheck: z
    .union([z.literal('cli'), z.literal('wget'), z.literal('none'), argv])
    .describe(
      '"cli": Headscale\'s own CLI asks the running server (`headscale users list`, over its unix socket: works in the distroless image); "wget": busybox wget on /health; "none": no healthcheck (the gate waits for a steady run); or an argv',
    ),
  headscale_health_timeout: z
    .number()
    .int()
    .positive()
    .describe('Seconds a (re)created container has to become healthy'),
  headscale_networks: z
    .record(z.string(), z.strictObject({ internal: z.boolean().default(false), external: z.boolean().default(false) }))
    .describe('Networks of the service, with their settings'),
});

type Vars = z.output<typeof varsSchema>;

/** Every finding of the variables, each with the path of the variable it is about. */
export function varFindings(v: Vars): Finding[] {
  return checkHeadscale({
    records: v.headscale_extra_records,
    settings: v.headscale_settings,
    serverUrl: v.headscale_server_url,
    baseDomain: v.headscale_base_domain,
    port: v.headscale_port,
  });
}

/**
 * The keys rig keeps set in the host's file (dotted path → value); every other key and comment stays as the host has
 * it.
 */
export function mergedKeys(v: Vars): Record<string, unknown> {
  return {
    'dns.override_local_dns': true,
    'dns.extra_records': v.headscale_extra_records.map((r) => ({ name: r.name, type: 'A', value: r.ip })),
    ...v.headscale_settings,
  };
}

/** A minimal valid Headscale 0.23+ config for a host that has none yet (rig's keys are merged over it). */
export function initialConfig(v: Vars): Record<string, unknown> {
  return {
    server_url: v.headscale_server_url,
    listen_addr: `0.0.0.0:${v.headscale_port}`,
    metrics_listen_addr: '127.0.0.1:9090',
    noise: { private_key_path: `${CONTAINER_DATA_DIR}/noise_private.key` },
    prefixes: { v4: '100.64.0.0/10', v6: 'fd7a:115c:a1e0::/48', allocation: 'sequential' },
    derp: {
      server: { enabled: false },
      urls: ['https://controlplane.tailscale.com/derpmap/default'],
      auto_update_enabled: true,
      update_frequency: '24h',
    },
    database: { type: 'sqlite', sqlite: { path: `${CONTAINER_DATA_DIR}/db.sqlite`, write_ahead_log: true } },
    log: { format: 'text', level: 'info' },
    dns: { magic_dns: true, base_domain: v.headscale_base_domain, nameservers: { global: v.headscale_nameservers } },
    unix_socket: '/var/run/headscale/headscale.sock',
    unix_socket_permission: '0770',
  };
}

/**
 * The container healthcheck argv, or undefined for none. `cli`: the image's own binary (the real image is distroless,
 * without a shell or wget, and Headscale before 0.27 has no `health` subcommand, juanfont/headscale#2275) asks the
 * running server over its unix socket (gRPC) and exits 1 when it does not answer within cli.timeout (5 s). Not
 * `configtest`, which opens the database and may write keys beside the live server; not `version`, which proves
 * nothing about the server. `wget`: busybox `timeout`, not `wget -T` (segfaults in busybox 1.35).
 */
export function healthcheckTest(v: Vars): string[] | undefined {
  const hc = v.headscale_healthcheck;
  if (hc === 'none') return undefined;
  if (hc === 'cli') return ['headscale', 'users', 'list'];
  return hc === 'wget' ? ['timeout', '3', 'wget', '-q', '-O-', `http://127.0.0.1:${v.headscale_port}/health`] : hc;
}

/** The compose service: the config directory read-only at /etc/headscale, the state in a volume (or a host dir). */
function serviceSpec(v: Vars, confDir: string) {
  const test = healthcheckTest(v);
  const data =
    v.headscale_data_dir === null
      ? { type: 'volume' as const, source: DATA_VOLUME, target: CONTAINER_DATA_DIR }
      : { type: 'bind' as const, source: v.headscale_data_dir, target: CONTAINER_DATA_DIR };
  return {
    image: v.headscale_image,
    command: ['serve'],
    mounts: [{ type: 'bind' as const, source: confDir, target: CONTAINER_CONFIG_DIR, readOnly: true }, data],
    networks: Object.keys(v.headscale_networks),
    ports: v.headscale_publish === null ? [] : [`${v.headscale_publish}:${v.headscale_port}`],
    // timeout above the CLI's own 5 s, so a slow answer is reported by the CLI rather than killed by docker
    ...(test ? { healthcheck: { test, interval: '5s', timeout: '8s', retries: 3, startPeriod: '10s' } } : {}),
  };
}

export default defineRole({
  name: 'headscale',
  description:
    'Headscale on the VPN host: dns.override_local_dns and the VPN DNS records merged into its config.yaml, and its service',
  // Errors are schema issues: the engine reports them at the offending value's file:line:col, before any render.
  vars: varsSchema.superRefine((v, ctx) => {
    for (const f of varFindings(v))
      if (f.severity === 'error') ctx.addIssue({ code: 'custom', path: [...f.path], message: f.message });
  }),
  tasks: ({ vars, hostVars, template, dir, yamlMerge, service, network, locate, report }) => {
    for (const f of varFindings(vars).filter((x) => x.severity === 'warning')) {
      const [name, ...rest] = f.path;
      report({ severity: 'warning', message: `${f.path.join('.')}: ${f.message}`, at: locate(String(name), rest) });
    }
    const projectDir = hostVars['project_dir'];
    if (typeof projectDir !== 'string')
      throw new Error('project_dir is not a string (rig validates it before rendering)');
    const confDir = vars.headscale_config_dir ?? `${projectDir}/configs/headscale`;
    const dest = `${confDir}/${CONFIG_FILE}`;
    const initial = template(`${CONFIG_FILE}.hbs`, dest, { extra: { headscale_initial: initialConfig(vars) } }).content;
    // No mode: the host's file keeps its own (0600 when it holds hand-written secrets); a new one gets 0644.
    const merge = yamlMerge(dest, mergedKeys(vars), { initial: typeof initial === 'string' ? initial : '' });
    if (merge.sensitive) {
      report({
        severity: 'error',
        message: `${CONFIG_FILE} would hold a vault secret through headscale_settings: keep secrets in files of their own (oidc.client_secret_path)`,
        at: locate('headscale_settings'),
      });
    }
    return [
      // No mode either: the directory may be the host's own (the incumbent's /opt/services/headscale/config).
      dir(confDir),
      merge,
      ...Object.entries(vars.headscale_networks).map(([name, n]) => network(name, n)),
      service('headscale', serviceSpec(vars, confDir), {
        phase: 'infra',
        gate: { timeoutSec: vars.headscale_health_timeout },
      }),
    ];
  },
});
