// How every command reaches hosts: ssh with the run's known_hosts, host-key policy and connect timeout (one rule).
import type { Connection } from '../../config/inventory/connection.js';
import type { Project } from '../../config/project.js';
import type { Settings } from '../../config/settings.js';
import { sshConnector, type RunHostsOptions } from '../../engine/fleet.js';
import type { Transport } from '../../transport/transport.js';
import type { CliIo } from '../io.js';
import { repoKnownHosts } from '../known-hosts-files.js';

/** The flags that say how hosts are reached. */
export interface ConnectFlags {
  readonly 'known-hosts'?: string | undefined;
  readonly 'accept-new-host-keys'?: boolean | undefined;
}

/** The connect options of a run (what `runHosts` and `sshConnector` take). */
export type ConnectOptions = Pick<
  RunHostsOptions,
  'acceptNewHostKeys' | 'env' | 'connectTimeoutSec' | 'factsTimeoutSec' | 'repoKnownHosts' | 'recordInRepo'
>;

/**
 * `--known-hosts F` or the env's `inventory/<env>/known_hosts` (see known-hosts-files.ts), `--accept-new-host-keys`,
 * the workstation's RIG_CONNECT_TIMEOUT (unset: ssh_config's ConnectTimeout, else 10 s) and RIG_FACTS_TIMEOUT.
 */
export function connectOptions(
  inventory: Project['inventory'],
  flags: ConnectFlags,
  io: CliIo,
  settings: Pick<Settings, 'RIG_CONNECT_TIMEOUT' | 'RIG_FACTS_TIMEOUT'>,
): ConnectOptions {
  return {
    acceptNewHostKeys: flags['accept-new-host-keys'] === true,
    env: io.env,
    ...(settings.RIG_CONNECT_TIMEOUT === undefined ? {} : { connectTimeoutSec: settings.RIG_CONNECT_TIMEOUT }),
    factsTimeoutSec: settings.RIG_FACTS_TIMEOUT,
    ...repoKnownHosts(inventory.dir, flags['known-hosts'], io.cwd, inventory.settings),
  };
}

/** Connects to hosts of `inventory` with `connectOptions`. */
export function connectorOf(
  inventory: Project['inventory'],
  flags: ConnectFlags,
  io: CliIo,
  settings: Pick<Settings, 'RIG_CONNECT_TIMEOUT' | 'RIG_FACTS_TIMEOUT'>,
): Promise<(name: string, c: Connection) => Promise<Transport>> {
  return sshConnector(connectOptions(inventory, flags, io, settings));
}
