// Checks of the rendered env as a whole, which no single role can make: each host's services against the files its
// roles manage (§10.2, §10.16), its proxy against its services (§10.13), and pairs of hosts (§10.7). `rig plan`,
// `rig deploy`, `rig lint` and `rig checklist` run them after rendering, before any host is contacted.
import type { Project } from '../config/project.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { mountFindings, type ManagedPath } from '../compose/mount-checks.js';
import { vpnConsistency } from './vpn-consistency.js';
import { websocketUpstreams } from './websocket-upstreams.js';

/**
 * Every finding, errors and warnings. `rendered` holds the hosts the run acts on; `whole` is the env with every host
 * (the same project unless `--limit` narrowed it): the cross-host pairs need both sides whatever the run touches.
 */
export function envChecks(
  project: Project,
  rendered: ReadonlyMap<string, readonly RoleOps[]>,
  whole: Project = project,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, roleOps] of rendered) {
    const host = project.hosts.get(name);
    if (host === undefined) continue;
    const ops = roleOps.flatMap((r) => r.ops);
    const managed = ops.flatMap((o): ManagedPath[] =>
      o.kind === 'file' || o.kind === 'dir' ? [o] : o.kind === 'yamlMerge' ? [{ ...o, kind: 'file' }] : [],
    );
    for (const op of ops) {
      if (op.kind !== 'service') continue;
      out.push(
        ...mountFindings(op, managed).map((message): Diagnostic => ({
          severity: 'error',
          message,
          loc: op.origin,
          hosts: [name],
        })),
      );
    }
    out.push(...websocketUpstreams(host, roleOps));
  }
  out.push(...vpnConsistency(whole));
  return out;
}
