// Same host, two roles (§10.13): a Caddy site whose upstream is a service that serves WebSocket connections must proxy
// to it over HTTP/1.1 (`http1_only`), keyed on what the upstream is (its service's `websocket` flag), not on its name.
import type { HostConfig } from '../config/project.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { roleVars, varAt } from './env-view.js';

interface Vhost {
  readonly host: string;
  readonly upstream: string;
  readonly http1_only?: boolean;
}

/** An error at each vhost whose upstream service is a WebSocket server and that does not set http1_only. */
export function websocketUpstreams(host: HostConfig, roleOps: readonly RoleOps[]): Diagnostic[] {
  const vhosts = roleVars(host, 'caddy')?.['caddy_vhosts'] as Vhost[] | undefined;
  if (vhosts === undefined) return [];
  const services = new Map(
    roleOps.flatMap((r) =>
      r.ops.flatMap((o) => (o.kind === 'service' ? [[o.name, { op: o, role: r.role }] as const] : [])),
    ),
  );
  return vhosts.flatMap((v, i): Diagnostic[] => {
    const target = services.get(v.upstream.replace(/:\d+$/, ''));
    if (target === undefined || !target.op.websocket || v.http1_only === true) return [];
    const message = `caddy_vhosts.${i}.upstream: "${v.upstream}" is service ${target.op.name} (role ${target.role}), which serves WebSocket connections: set http1_only: true, over HTTP/2 Caddy drops the Upgrade header and its clients stay offline (docs/lessons.md §10.13)`;
    return [{ severity: 'error', message, loc: varAt(host, 'caddy_vhosts', [i, 'upstream']), hosts: [host.name] }];
  });
}
