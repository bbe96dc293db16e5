// Cross-host (§10.7, VPN users get 403): every VPN-only Caddy site resolves through a Headscale DNS record, and Caddy's
// VPN range covers the tailnet Headscale hands out. The two sides sit on different hosts of the env, in different
// files.
import type { Project } from '../config/project.js';
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { cidrCovers, parseCidr } from '../core/ipv4.js';
import { hostsWith, otherSide, varAt } from './env-view.js';

/** Headscale's tailnet when headscale_settings does not set prefixes.v4 (config-example.yaml). */
const DEFAULT_TAILNET = '100.64.0.0/10';

interface Vhost {
  readonly host: string;
  readonly vpn_only: boolean;
}

/**
 * Errors at the Caddy side, each naming the Headscale side's file:line. Checked only when the env has a Headscale host
 * (VPN DNS kept elsewhere is not rig's to judge); records on any Headscale host of the env count.
 */
export function vpnConsistency(env: Project): Diagnostic[] {
  const caddies = hostsWith(env.hosts.values(), 'caddy');
  const headscales = hostsWith(env.hosts.values(), 'headscale');
  const first = headscales[0];
  if (first === undefined) return [];
  const names = new Set(
    headscales.flatMap(({ vars }) =>
      (vars['headscale_extra_records'] as { name: string }[]).map((r) => r.name.toLowerCase()),
    ),
  );
  const recordsAt = otherSide(first.host, varAt(first.host, 'headscale_extra_records'), env.root);
  return caddies.flatMap(({ host, vars }) => {
    const vhosts = vars['caddy_vhosts'] as Vhost[];
    const missing = vhosts.flatMap((v, i): Diagnostic[] => {
      if (!v.vpn_only || names.has(v.host.toLowerCase())) return [];
      const message = `caddy_vhosts.${i}.host: ${v.host} is vpn_only but no Headscale DNS record resolves it: VPN clients would resolve its public address and get 403 (docs/lessons.md §10.7); add { name: ${v.host}, ip: <the tailnet IPv4 of ${host.name}> } to headscale_extra_records (${recordsAt})`;
      return [{ severity: 'error', message, loc: varAt(host, 'caddy_vhosts', [i, 'host']), hosts: [host.name] }];
    });
    return vhosts.some((v) => v.vpn_only) ? [...missing, ...ranges(env, host, vars, headscales)] : missing;
  });
}

/** Caddy's caddy_vpn_cidr must cover each Headscale's tailnet, or VPN clients outside it are refused. */
function ranges(
  env: Project,
  host: Parameters<typeof varAt>[0],
  vars: Readonly<Record<string, unknown>>,
  headscales: ReturnType<typeof hostsWith>,
): Diagnostic[] {
  const vpn = parseCidr(String(vars['caddy_vpn_cidr']));
  if (vpn === undefined) return [];
  return headscales.flatMap(({ host: hs, vars: hv }) => {
    const set = (hv['headscale_settings'] as Record<string, unknown>)['prefixes.v4'];
    const tail = parseCidr(typeof set === 'string' ? set : DEFAULT_TAILNET);
    if (tail === undefined || cidrCovers(vpn, tail)) return [];
    const where =
      typeof set === 'string'
        ? `headscale_settings prefixes.v4 (${otherSide(hs, varAt(hs, 'headscale_settings', ['prefixes.v4']), env.root)})`
        : `Headscale's default prefixes.v4 (host ${hs.name}: its headscale_settings sets none)`;
    const message = `caddy_vpn_cidr: ${vpn.text} does not cover the tailnet ${tail.text} of ${where}: VPN clients with addresses outside it get 403 from every vpn_only site (docs/lessons.md §10.7)`;
    return [{ severity: 'error' as const, message, loc: varAt(host, 'caddy_vpn_cidr'), hosts: [host.name] }];
  });
}
