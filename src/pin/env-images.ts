// The image references an environment deploys: every rendered service's image, located at the variable that set it.
import type { SourceLocation } from '../core/errors/diagnostic.js';
import type { Project } from '../config/project.js';
import type { RoleOps } from '../config/roles/render-roles.js';

/** One reference, where it is written, and which hosts' services use it. */
export interface EnvImage {
  readonly ref: string;
  readonly loc: SourceLocation | undefined;
  readonly hosts: readonly string[];
  readonly services: readonly string[];
}

/** Distinct image references of the rendered services (all roles of every host), in first-seen order. */
export function envImages(project: Project, rendered: ReadonlyMap<string, readonly RoleOps[]>): EnvImage[] {
  const out = new Map<string, { loc: SourceLocation | undefined; hosts: Set<string>; services: Set<string> }>();
  for (const [host, roles] of rendered) {
    for (const op of roles.flatMap((r) => r.ops)) {
      if (op.kind !== 'service') continue;
      const ref = op.spec.image;
      const entry = out.get(ref) ?? {
        loc: varLocation(project, host, ref) ?? op.origin,
        hosts: new Set<string>(),
        services: new Set<string>(),
      };
      entry.hosts.add(host);
      entry.services.add(op.name);
      out.set(ref, entry);
    }
  }
  return [...out].map(([ref, e]) => ({ ref, loc: e.loc, hosts: [...e.hosts], services: [...e.services] }));
}

/**
 * The location of the host variable (`*_image` or `image`) whose value is `ref`: messages point there, not at role
 * code.
 */
function varLocation(project: Project, host: string, ref: string): SourceLocation | undefined {
  const vars = project.hosts.get(host)?.vars;
  for (const [name, v] of vars ?? [])
    if ((name === 'image' || name.endsWith('_image')) && v.value === ref) return v.loc;
  return undefined;
}
