// Each host as the smoke checks see it (vars, roles, declared services), and which checks target it.
import type { HostConfig } from '../config/project.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import { containerName } from '../core/desired/service.js';
import type { SmokeCheck, SmokeTarget } from './define-smoke.js';
import type { SmokeHost, SmokeService } from './smoke-context.js';

/** The smoke view of a host, from its configuration and its roles' rendered ops. */
export function smokeHost(env: string, host: HostConfig, roleOps: readonly RoleOps[]): SmokeHost {
  const roleVars = Object.assign({}, ...host.roles.map((r) => r.vars)) as Record<string, unknown>;
  const vars = { ...Object.fromEntries([...host.vars].map(([k, v]) => [k, v.value])), ...roleVars };
  return {
    host: host.name,
    env,
    groups: host.groups,
    roles: host.roles.map((r) => r.name),
    vars,
    project: host.stack.project,
    services: roleOps.flatMap((r) =>
      r.ops.flatMap((op): SmokeService[] =>
        op.kind === 'service'
          ? [
              {
                name: op.name,
                role: r.role,
                container: containerName(host.stack.project, op.name),
                phase: op.phase,
                oneShot: op.gate.oneShot,
                healthcheck: op.spec.healthcheck !== undefined,
                image: op.spec.image,
                networks: op.spec.networks,
              },
            ]
          : [],
      ),
    ),
    become: host.connection.become,
  };
}

/** Whether `target` matches the host: every key given must (one of its names is enough). */
export function targets(target: SmokeTarget, host: SmokeHost): boolean {
  const anyOf = (wanted: readonly string[] | undefined, have: readonly string[]): boolean =>
    wanted === undefined || wanted.some((w) => have.includes(w));
  const services =
    target.services === 'any'
      ? host.services.length > 0
      : anyOf(
          target.services,
          host.services.map((s) => s.name),
        );
  return services && anyOf(target.roles, host.roles) && anyOf(target.groups, host.groups);
}

/** The checks each host runs, hosts in inventory order and checks in id order; hosts with none are left out. */
export function checksByHost(
  hosts: readonly SmokeHost[],
  checks: readonly SmokeCheck[],
): { host: SmokeHost; checks: SmokeCheck[] }[] {
  return hosts.flatMap((host) => {
    const mine = checks.filter((c) => targets(c.target, host));
    return mine.length === 0 ? [] : [{ host, checks: mine }];
  });
}
