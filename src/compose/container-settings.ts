// What changes a container in place under compose's labels: `docker rename`, `docker network connect` / `disconnect`
// and `docker update` (restart policy, memory, CPUs, pids). Compose keeps no record of them (its `up` says "Running"
// and leaves the container as it is), so rig compares the container's name, networks and limits with the service's
// definition. Pure.
import type { ServiceSpec } from '../core/desired/service.js';
import { networkName } from '../core/desired/service.js';
import type { ContainerState } from '../facts/containers/container-state.js';

/**
 * Why `c`, created from `spec` in `project` as container `name` (its labels say so), no longer runs as defined: another
 * name, a network it lacks or has in excess, a limit changed by hand. Empty when it matches, or when the facts did not
 * read them.
 */
export function settingsChanged(spec: ServiceSpec, c: ContainerState, project: string, name: string): string[] {
  // found by its compose labels under another name: `docker exec <name>` (smoke checks, `rig exec`) would miss it
  const reasons = c.name === name ? [] : [`named ${c.name} instead of ${name} (docker rename by hand?)`];
  const on = c.networks;
  if (on) {
    // a service without networks is on the project's default one, which compose creates
    const wanted =
      spec.networks.length > 0 ? spec.networks.map((n) => networkName(project, n)) : [`${project}_default`];
    const missing = wanted.filter((n) => !on.includes(n)).sort();
    const extra = on.filter((n) => !wanted.includes(n));
    if (missing.length > 0) reasons.push(`not on network ${missing.join(', ')} (docker network disconnect by hand?)`);
    if (extra.length > 0) reasons.push(`also on network ${extra.join(', ')} (docker network connect by hand?)`);
  }
  const l = c.limits;
  if (l) {
    const changed: string[] = [];
    const restart = l.restart === '' ? 'no' : l.restart;
    if (restart !== spec.restart || l.restartRetries !== 0)
      changed.push(
        `restart policy ${restart}${l.restartRetries !== 0 ? `:${l.restartRetries}` : ''} instead of ${spec.restart}`,
      );
    // A limit docker reports as none although the definition sets one is not taken for a change: docker discards a
    // limit the kernel cannot apply (no memory or pids cgroup, rootless on cgroup v1), with a warning, and keeps none;
    // a recreate would get none again, for ever. `docker update` cannot lift a memory limit anyway.
    const bytes = (what: string, has: number, wants: string | undefined): void => {
      const want = wants === undefined ? 0 : byteCount(wants);
      if (has !== want && has !== 0) changed.push(`${what} ${sizeText(has)} instead of ${wants ?? 'none'}`);
    };
    bytes('memory limit', l.memory, spec.memLimit);
    bytes('memory reservation', l.memoryReservation, spec.memReservation);
    // compose turns `cpus` into billionths through a float (0.57 CPUs can become 569999999)
    const cpus = spec.cpus ?? 0;
    if ((l.nanoCpus !== 0 && Math.abs(l.nanoCpus - cpus * 1e9) > 1000) || l.cpuQuota !== 0)
      changed.push(
        `CPUs ${l.cpuQuota !== 0 ? `quota ${l.cpuQuota}` : l.nanoCpus / 1e9} instead of ${spec.cpus ?? 'none'}`,
      );
    const pids = l.pidsLimit === null || l.pidsLimit <= 0 ? undefined : l.pidsLimit;
    if (pids !== undefined && pids !== spec.pidsLimit)
      changed.push(`pids limit ${pids} instead of ${spec.pidsLimit ?? 'none'}`);
    if (changed.length > 0) reasons.push(`${changed.join(', ')} (docker update by hand?)`);
  }
  return reasons;
}

const UNIT: Readonly<Record<string, number>> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** `512m` → bytes, as compose reads mem_limit (units of 1024; the schema allows digits and one of b, k, m, g). */
export function byteCount(size: string): number {
  const m = /^(\d+)([bkmg]?)$/i.exec(size);
  if (m === null) throw new Error(`not a size: ${JSON.stringify(size)}`);
  return Number(m[1]) * (UNIT[(m[2] ?? '').toLowerCase()] ?? 1);
}

/** Bytes in the largest unit that divides them: `2g`, `1536m`, `1000b`. */
function sizeText(n: number): string {
  for (const u of ['g', 'm', 'k'] as const) {
    const f = UNIT[u] ?? 1;
    if (n % f === 0) return `${n / f}${u}`;
  }
  return `${n}b`;
}
