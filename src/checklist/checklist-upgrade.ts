// `--upgrade <service-or-role>=<tag>`: which image variable each names, and the `--var` overrides that give the target
// project.
import { z } from 'zod';
import type { Project } from '../config/project.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import { UsageError } from '../core/errors/errors.js';
import { didYouMean } from '../core/suggest.js';
import { parseImageRef } from '../registry/image-ref.js';

/** One `--upgrade` argument. */
export interface UpgradeRequest {
  readonly name: string;
  readonly tag: string;
}

export const UpgradeSchema = z.strictObject({
  name: z.string().describe('the service or role named by --upgrade'),
  kind: z.enum(['service', 'role']),
  variable: z.string().describe('the variable holding the image, overridden for the target'),
  from: z.array(z.string()).describe('its current values (one per distinct value across hosts)'),
  to: z.string().describe('the image reference the upgrade deploys'),
  hosts: z.array(z.string()),
  services: z.array(z.string()),
});

export type Upgrade = z.infer<typeof UpgradeSchema>;

/** `openclaw=2026.9.6` → { name, tag }; anything else is a usage error. */
export function parseUpgradeArg(arg: string): UpgradeRequest {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? '' : arg.slice(0, eq).trim();
  const tag = eq < 0 ? '' : arg.slice(eq + 1).trim();
  if (name === '' || tag === '')
    throw new UsageError(`rig checklist --upgrade: expected <service-or-role>=<tag>, got "${arg}"`);
  return { name, tag };
}

/**
 * `ref` with its tag replaced by `tag` (and any digest dropped: the new tag's digest is resolved, as `rig pin` does).
 */
export function withTag(ref: string, tag: string): string {
  const parsed = parseImageRef(ref);
  const at = ref.indexOf('@');
  const named = at < 0 ? ref : ref.slice(0, at);
  const base = parsed.tagless ? named : named.slice(0, named.length - parsed.tag.length - 1);
  const next = `${base}:${tag}`;
  parseImageRef(next); // an invalid tag is an ImageRefError naming the reference
  return next;
}

/**
 * The upgrades `requests` ask for in the current project: each names a service (or every service of a role), whose
 * image must come from a host variable (`*_image`); that variable is overridden with the new tag for every host.
 * Unknown names and images written in role code are usage errors listing what can be upgraded.
 */
export function planUpgrades(
  requests: readonly UpgradeRequest[],
  project: Project,
  rendered: ReadonlyMap<string, readonly RoleOps[]>,
): Upgrade[] {
  const byVar = new Map<string, Upgrade>();
  for (const req of requests) {
    const matches = matchingServices(req.name, rendered);
    if (matches.list.length === 0) throw unknownName(req.name, project.env, rendered);
    for (const { host, service, ref } of matches.list) {
      const variable = imageVariable(project, host, ref);
      if (variable === undefined)
        throw new UsageError(
          `rig checklist --upgrade ${req.name}: the image of service ${service} on ${host} (${ref}) is not set by a variable (*_image), so the checklist cannot change its tag`,
        );
      const to = withTag(ref, req.tag);
      const prev = byVar.get(variable);
      if (prev !== undefined && prev.to !== to)
        throw new UsageError(
          `rig checklist --upgrade: ${variable} would become both ${prev.to} and ${to} (hosts set different repositories: upgrade them one at a time with --host)`,
        );
      const add = (list: readonly string[], x: string): string[] => (list.includes(x) ? [...list] : [...list, x]);
      const base = prev ?? { name: req.name, kind: matches.kind, variable, from: [], to, hosts: [], services: [] };
      byVar.set(variable, {
        ...base,
        from: add(base.from, ref),
        hosts: add(base.hosts, host),
        services: add(base.services, service),
      });
    }
  }
  return [...byVar.values()];
}

/** The `--var` arguments giving the target project (JSON strings are YAML strings: a tag is never read as a number). */
export function upgradeVars(upgrades: readonly Upgrade[]): string[] {
  return upgrades.map((u) => `${u.variable}=${JSON.stringify(u.to)}`);
}

function matchingServices(
  name: string,
  rendered: ReadonlyMap<string, readonly RoleOps[]>,
): { kind: Upgrade['kind']; list: { host: string; service: string; ref: string }[] } {
  const services = (pick: (role: string, service: string) => boolean) =>
    [...rendered].flatMap(([host, roles]) =>
      roles.flatMap((r) =>
        r.ops.flatMap((o) =>
          o.kind === 'service' && pick(r.role, o.name) ? [{ host, service: o.name, ref: o.spec.image }] : [],
        ),
      ),
    );
  const byService = services((_r, s) => s === name);
  return byService.length > 0
    ? { kind: 'service', list: byService }
    : { kind: 'role', list: services((r) => r === name) };
}

/** The host variable whose value is `ref`, as `rig pin` locates images (`image` or `*_image`). */
function imageVariable(project: Project, host: string, ref: string): string | undefined {
  for (const [name, v] of project.hosts.get(host)?.vars ?? [])
    if ((name === 'image' || name.endsWith('_image')) && v.value === ref) return name;
  return undefined;
}

function unknownName(name: string, env: string, rendered: ReadonlyMap<string, readonly RoleOps[]>): UsageError {
  const roles = [...rendered.values()].flat();
  const services = [
    ...new Set(roles.flatMap((r) => r.ops.flatMap((o) => (o.kind === 'service' ? [o.name] : [])))),
  ].sort();
  const withServices = [
    ...new Set(roles.filter((r) => r.ops.some((o) => o.kind === 'service')).map((r) => r.role)),
  ].sort();
  const known = [...new Set([...services, ...withServices])];
  return new UsageError(
    `rig checklist --upgrade ${name}: no service or role of environment ${env} is called "${name}"${didYouMean(name, known)} (services: ${services.join(', ') || 'none'}; roles: ${withServices.join(', ') || 'none'})`,
  );
}
