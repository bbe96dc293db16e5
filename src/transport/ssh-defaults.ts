// The usual ssh surroundings of a run: ~/.ssh/config, ~/.ssh/known_hosts plus the repository's file, SSH_AUTH_SOCK.
import os from 'node:os';
import path from 'node:path';
import { loadSshConfig } from './ssh-config-load.js';
import type { SshTransportOptions } from './ssh-transport.js';

/** What the CLI decides; everything else comes from the user's environment. */
export interface SshDefaultsInput {
  /** The repository's known_hosts (e.g. `inventory/<env>/known_hosts`); new keys are written there when set. */
  readonly repoKnownHosts?: string;
  /** `--accept-new-host-keys`. */
  readonly acceptNewHostKeys: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readyTimeoutMs?: number;
}

/**
 * Builds SshTransportOptions as OpenSSH would see things: reads `~/.ssh/config` (missing is fine),
 * checks keys against `~/.ssh/known_hosts` and the repository file, writes new ones to the repository
 * file (else to `~/.ssh/known_hosts`), and uses the agent at `SSH_AUTH_SOCK` if any.
 */
export async function defaultSshOptions(input: SshDefaultsInput): Promise<SshTransportOptions> {
  const home = input.env['HOME'] ?? os.homedir();
  const userKnownHosts = path.join(home, '.ssh', 'known_hosts');
  const files = input.repoKnownHosts === undefined ? [userKnownHosts] : [userKnownHosts, input.repoKnownHosts];
  return {
    sshConfig: await loadSshConfig(path.join(home, '.ssh', 'config'), home),
    hostKeys: { files, writeTo: input.repoKnownHosts ?? userKnownHosts, acceptNew: input.acceptNewHostKeys },
    agentSocket: input.env['SSH_AUTH_SOCK'],
    home,
    localUser: input.env['USER'] ?? os.userInfo().username,
    ...(input.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: input.readyTimeoutMs }),
  };
}
