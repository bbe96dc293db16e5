// Pure checks of the headscale role's variables: VPN DNS records (never an empty address) and the Headscale keys rig
// sets. Used by role.ts before anything is rendered; every finding names the variable path it is about.
import { cidrHas, closest, parseCidr, parseIpv4, type Cidr } from 'rig';

/** Where in the role's variables a finding is (`['headscale_extra_records', 1, 'ip']`). */
export type FindingPath = readonly (string | number)[];

/** One problem of the variables. */
export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly path: FindingPath;
  readonly message: string;
}

/** One A record of `dns.extra_records`: a VPN-gated vhost and the tailnet address VPN clients must reach it at. */
export interface ExtraRecord {
  readonly name: string;
  /** null when the YAML value is empty (`ip:`), which is refused like an empty string. */
  readonly ip: string | null;
}

/** What the checks read: the records, the dotted keys of headscale_settings, and the values of a new config file. */
export interface HeadscaleInput {
  readonly records: readonly ExtraRecord[];
  readonly settings: Readonly<Record<string, unknown>>;
  readonly serverUrl: string;
  readonly baseDomain: string;
  readonly port: number;
}

/** The keys the role sets itself: not settable through headscale_settings, with the reason. */
export const OWNED_KEYS: Readonly<Record<string, string>> = {
  'dns.override_local_dns':
    "the role always sets it to true: with false (Headscale's default) Windows clients ignore extra_records, resolve the public address and get 403 (docs/lessons.md REX-33)",
  'dns.extra_records': 'the role writes it from headscale_extra_records (one A record per VPN-gated vhost)',
  'dns.extra_records_path':
    'Headscale refuses it together with dns.extra_records, which the role writes from headscale_extra_records',
};

/**
 * The Headscale settings (config-example.yaml of Headscale 0.23+) that headscale_settings may set, as dotted leaf
 * paths. Headscale ignores keys it does not know, so a misspelt one would silently do nothing: anything else is
 * refused. Left out on purpose: secrets (oidc.client_secret, database.postgres.pass; the file is readable by the
 * container, use oidc.client_secret_path) and the pre-0.23 keys (dns_config, ip_prefixes, db_*), which Headscale no
 * longer reads.
 */
export const SETTINGS_KEYS: readonly string[] = [
  'server_url',
  'listen_addr',
  'metrics_listen_addr',
  'grpc_listen_addr',
  'grpc_allow_insecure',
  'noise.private_key_path',
  'prefixes.v4',
  'prefixes.v6',
  'prefixes.allocation',
  'derp.server.enabled',
  'derp.server.region_id',
  'derp.server.region_code',
  'derp.server.region_name',
  'derp.server.stun_listen_addr',
  'derp.server.private_key_path',
  'derp.server.automatically_add_embedded_derp_region',
  'derp.server.ipv4',
  'derp.server.ipv6',
  'derp.urls',
  'derp.paths',
  'derp.auto_update_enabled',
  'derp.update_frequency',
  'disable_check_updates',
  'ephemeral_node_inactivity_timeout',
  'database.type',
  'database.debug',
  'database.sqlite.path',
  'database.sqlite.write_ahead_log',
  'database.sqlite.wal_autocheckpoint',
  'acme_url',
  'acme_email',
  'tls_letsencrypt_hostname',
  'tls_letsencrypt_cache_dir',
  'tls_letsencrypt_challenge_type',
  'tls_letsencrypt_listen',
  'tls_cert_path',
  'tls_key_path',
  'log.format',
  'log.level',
  'policy.mode',
  'policy.path',
  'dns.magic_dns',
  'dns.base_domain',
  'dns.nameservers.global',
  'dns.nameservers.split',
  'dns.search_domains',
  'unix_socket',
  'unix_socket_permission',
  'logtail.enabled',
  'randomize_client_port',
  'oidc.only_start_if_oidc_is_available',
  'oidc.issuer',
  'oidc.client_id',
  'oidc.client_secret_path',
  'oidc.expiry',
  'oidc.use_expiry_from_token',
  'oidc.scope',
  'oidc.allowed_domains',
  'oidc.allowed_groups',
  'oidc.allowed_users',
];

/** Headscale's default tailnet range (prefixes.v4): the addresses VPN clients get, and Caddy's VPN-only rules allow. */
export const DEFAULT_TAILNET = '100.64.0.0/10';

/** Every finding of the role's input: errors stop the run before any host is contacted, warnings are printed. */
export function checkHeadscale(input: HeadscaleInput): Finding[] {
  return [
    ...checkRecords(input.records, tailnet(input.settings)),
    ...checkSettings(input.settings, input.port),
    ...checkDomains(input),
  ];
}

function checkRecords(records: readonly ExtraRecord[], net: Cidr): Finding[] {
  if (records.length === 0)
    return [
      warning(
        ['headscale_extra_records'],
        'no records: VPN clients resolve every vhost to its public address and the VPN-only ones answer 403; list one { name, ip } per VPN-gated vhost',
      ),
    ];
  const first = new Map<string, number>();
  return records.flatMap((r, i) => {
    const at = (k: string): FindingPath => ['headscale_extra_records', i, k];
    const out: Finding[] = [];
    if (!isDnsName(r.name))
      out.push(
        error(
          at('name'),
          `${JSON.stringify(r.name)} is not a DNS name (dot-separated labels of letters, digits and "-", such as llm.example.com)`,
        ),
      );
    const seen = first.get(r.name.toLowerCase());
    if (seen !== undefined)
      out.push(
        error(at('name'), `${r.name} is listed twice (also headscale_extra_records.${seen}): one A record per vhost`),
      );
    else first.set(r.name.toLowerCase(), i);
    out.push(...checkAddress(r, net, at('ip')));
    return out;
  });
}

/**
 * §10.19: never write an empty value. An empty address (a node whose IP was not gathered) sends VPN clients to the
 * public IP.
 */
function checkAddress(r: ExtraRecord, net: Cidr, at: FindingPath): Finding[] {
  if (r.ip === null || r.ip.trim() === '') {
    return [
      error(
        at,
        `is empty: Headscale would get a record for ${r.name} without an address and VPN clients would resolve it to its public IP (403 from a VPN-only vhost); set the node's tailnet IPv4 (\`tailscale ip -4\` on it) or remove the record`,
      ),
    ];
  }
  const ip = parseIpv4(r.ip);
  if (ip === undefined)
    return [error(at, `${JSON.stringify(r.ip)} is not an IPv4 address (an A record needs one, such as 100.64.0.14)`)];
  if (!cidrHas(net, ip))
    return [
      warning(
        at,
        `${r.ip} is outside the tailnet (${net.text}): VPN clients would reach ${r.name} outside the VPN and a VPN-only vhost would answer 403`,
      ),
    ];
  return [];
}

function checkSettings(settings: Readonly<Record<string, unknown>>, port: number): Finding[] {
  return Object.entries(settings).flatMap(([key, value]) => {
    const at: FindingPath = ['headscale_settings', key];
    const owned = OWNED_KEYS[key];
    if (owned !== undefined) return [error(at, `not settable here: ${owned}`)];
    if (!SETTINGS_KEYS.includes(key)) {
      const near = closest(key, SETTINGS_KEYS);
      return [
        error(
          at,
          `not a Headscale setting this role knows${near === undefined ? '' : ` (did you mean "${near}"?)`}: Headscale ignores unknown keys, so it would do nothing; the known ones are listed in roles/headscale/README.md`,
        ),
      ];
    }
    if (value === null || value === '')
      return [
        error(at, "is empty: rig never writes an empty value; leave the key out to keep what the host's file says"),
      ];
    if (key === 'listen_addr') return checkListenAddr(value, port, at);
    if (key === 'dns.nameservers.global' && (!Array.isArray(value) || value.length === 0)) {
      return [
        error(
          at,
          'must list at least one resolver: with dns.override_local_dns true (always, with this role) Headscale refuses to start without one',
        ),
      ];
    }
    return [];
  });
}

/**
 * The healthcheck and the published port use headscale_port; the container's loopback is unreachable from outside it.
 */
function checkListenAddr(value: unknown, port: number, at: FindingPath): Finding[] {
  const m = typeof value === 'string' ? /^(.*):(\d+)$/.exec(value) : null;
  if (!m) return [error(at, `must be "<address>:<port>", such as 0.0.0.0:${port}`)];
  if (m[1] === '127.0.0.1' || m[1] === 'localhost' || m[1] === '[::1]') {
    return [
      error(
        at,
        `listens on the container's loopback only: the published port and the other containers could not reach Headscale; use 0.0.0.0:${port}`,
      ),
    ];
  }
  if (Number(m[2]) !== port)
    return [
      error(
        at,
        `listens on port ${m[2]} but headscale_port is ${port} (the healthcheck and the published port use headscale_port); make them equal`,
      ),
    ];
  return [];
}

/**
 * Headscale refuses a server_url whose host is base_domain or inside it (isSafeServerURL: "server_url cannot be part of
 * base_domain").
 */
function checkDomains(input: HeadscaleInput): Finding[] {
  const fromSettings = (k: string): boolean => typeof input.settings[k] === 'string';
  const url = fromSettings('server_url') ? String(input.settings['server_url']) : input.serverUrl;
  const base = fromSettings('dns.base_domain') ? String(input.settings['dns.base_domain']) : input.baseDomain;
  const at: FindingPath = fromSettings('dns.base_domain')
    ? ['headscale_settings', 'dns.base_domain']
    : ['headscale_base_domain'];
  if (!isDnsName(base))
    return [
      error(
        at,
        `${JSON.stringify(base)} is not a domain name (MagicDNS names are <host>.<base_domain>; no trailing dot)`,
      ),
    ];
  const host = hostOf(url)?.toLowerCase();
  const b = base.toLowerCase();
  if (host === b)
    return [
      error(
        at,
        `${base} is the host of server_url: Headscale refuses to start ("server_url cannot use the same domain as base_domain"); use a domain of its own, such as tail.example.net`,
      ),
    ];
  if (host?.endsWith(`.${b}`))
    return [
      error(
        at,
        `server_url's host ${host} is inside ${base}: Headscale refuses to start ("server_url cannot be part of base_domain"); use a domain of its own, such as tail.example.net`,
      ),
    ];
  return [];
}

function hostOf(url: string): string | undefined {
  return /^https?:\/\/([^/:?#]+)/i.exec(url)?.[1];
}

function isDnsName(s: string): boolean {
  return (
    s.length > 0 &&
    s.length <= 253 &&
    s.split('.').every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))
  );
}

/** The tailnet range: headscale_settings' prefixes.v4 when it is a valid CIDR, else Headscale's default. */
export function tailnet(settings: Readonly<Record<string, unknown>>): Cidr {
  const v4 = settings['prefixes.v4'];
  return (typeof v4 === 'string' ? parseCidr(v4) : undefined) ?? (parseCidr(DEFAULT_TAILNET) as Cidr);
}

function error(path: FindingPath, message: string): Finding {
  return { severity: 'error', path, message };
}

function warning(path: FindingPath, message: string): Finding {
  return { severity: 'warning', path, message };
}
