// The usual ssh surroundings of a run: ~/.ssh/config, the user's, repository's and system's known_hosts, SSH_AUTH_SOCK.
import os from 'node:os';
import path from 'node:path';
import { loadSshConfig } from './ssh-config-load.js';
import type { SshTransportOptions } from './ssh/ssh-transport.js';

/** OpenSSH's GlobalKnownHostsFile default: keys an administrator installs for every user of the workstation. */
export const SYSTEM_KNOWN_HOSTS = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

/** What the CLI decides; everything else comes from the user's environment. */
export interface SshDefaultsInput {
  /** The repository's known_hosts (`--known-hosts F`, or `inventory/<env>/known_hosts` when kept): read. */
  readonly repoKnownHosts?: string;
  /** Accepted new keys go to `repoKnownHosts` (env.yml `new_host_keys: env`) instead of the user's file. */
  readonly recordInRepo?: boolean;
  /** `--accept-new-host-keys`. */
  readonly acceptNewHostKeys: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readyTimeoutMs?: number;
  readonly factsTimeoutMs?: number;
  /** The system-wide files read after the others (default SYSTEM_KNOWN_HOSTS). */
  readonly systemKnownHosts?: readonly string[];
}

/**
 * Builds SshTransportOptions as OpenSSH would see things: reads `~/.ssh/config` (missing is fine), checks keys
 * against `~/.ssh/known_hosts{,2}`, the repository file and `/etc/ssh/ssh_known_hosts{,2}`, writes accepted new keys
 * to the user's `~/.ssh/known_hosts` (a key one operator accepted is not committed for the team unless the
 * environment says so), and uses the agent at `SSH_AUTH_SOCK` if any.
 */
export async function defaultSshOptions(input: SshDefaultsInput): Promise<SshTransportOptions> {
  const home = input.env['HOME'] ?? os.homedir();
  const userKnownHosts = path.join(home, '.ssh', 'known_hosts');
  const repo = input.repoKnownHosts;
  const system = input.systemKnownHosts ?? SYSTEM_KNOWN_HOSTS;
  const files = [userKnownHosts, `${userKnownHosts}2`, ...(repo === undefined ? [] : [repo]), ...system];
  const writeTo = repo !== undefined && input.recordInRepo === true ? repo : userKnownHosts;
  return {
    sshConfig: await loadSshConfig(path.join(home, '.ssh', 'config'), home),
    hostKeys: { files, writeTo, acceptNew: input.acceptNewHostKeys },
    agentSocket: input.env['SSH_AUTH_SOCK'],
    home,
    localUser: input.env['USER'] ?? os.userInfo().username,
    ...(input.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: input.readyTimeoutMs }),
    ...(input.factsTimeoutMs === undefined ? {} : { factsTimeoutMs: input.factsTimeoutMs }),
  };
}
