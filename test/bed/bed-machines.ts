// The role bed's hosts: a testcontainers run of rig/target, or sshd processes of this machine (option sshd).
import type { SshdFleet } from '../helpers/sshd/sshd-fleet.ts';
import type { BedHost } from './role-project.ts';
import { startSshdMachines } from './sshd-machines.ts';
import { startHosts } from './start-hosts.ts';
import type { ComposeFlavor } from './target-host.ts';
import { hostLogs, type Testbed } from './testbed-control.ts';

/** The bed's hosts, on containers (a testcontainers run) or sshd processes: what the bed needs of either. */
export interface Machines {
  readonly hosts: readonly BedHost[];
  readonly knownHostsPath: string;
  readonly tb: Testbed | undefined;
  readonly fleet: SshdFleet | undefined;
  /** The run id or the sshd address range, for the dumps. */
  readonly label: string;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** Options of {@link startBedHosts}: RoleBedOptions' `hosts`, `compose` and `sshd`. */
export interface BedHostsOptions {
  readonly hosts?: number;
  readonly compose?: ComposeFlavor;
  readonly sshd?: { readonly firstOctet: number };
}

export async function startBedHosts(opts: BedHostsOptions): Promise<Machines> {
  const n = opts.hosts ?? 1;
  if (opts.sshd) {
    const m = await startSshdMachines(n, opts.sshd.firstOctet);
    const label = `sshd 127.0.0.${opts.sshd.firstOctet}`;
    return { ...m, tb: undefined, label, logs: () => m.fleet.logs(), stop: () => m.stop() };
  }
  const tb = await startHosts(n, opts.compose === undefined ? {} : { compose: opts.compose });
  const logs = () => hostLogs(tb);
  return {
    hosts: tb.hosts,
    knownHostsPath: tb.knownHostsPath,
    tb,
    fleet: undefined,
    label: tb.runId,
    logs,
    stop: () => tb.stop(),
  };
}
