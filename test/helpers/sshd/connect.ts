// Test helper: opens a real SshTransport to a fleet host, trusting the fleet's known_hosts unless told otherwise.
import os from 'node:os';
import type { HostKeyPolicy } from '../../../src/transport/host-keys/host-key-policy.js';
import type { SshConfigLine } from '../../../src/transport/ssh-config.js';
import { SshTransport, type SshTransportOptions } from '../../../src/transport/ssh/ssh-transport.js';
import type { SshdFleet, SshdHost } from './sshd-fleet.js';

/** Transport options for a fleet: its known_hosts, no agent, no ssh_config unless given. */
export function fleetOptions(
  fleet: SshdFleet,
  over: { hostKeys?: HostKeyPolicy; sshConfig?: readonly SshConfigLine[]; readyTimeoutMs?: number } = {},
): SshTransportOptions {
  return {
    sshConfig: over.sshConfig ?? [],
    hostKeys: over.hostKeys ?? { files: [fleet.knownHostsFile], writeTo: fleet.knownHostsFile, acceptNew: false },
    home: os.homedir(),
    localUser: os.userInfo().username,
    agentSocket: undefined,
    ...(over.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: over.readyTimeoutMs }),
  };
}

/** Connects as root with the fleet's client key to `host` by address and port. */
export function connectTo(
  fleet: SshdFleet,
  host: SshdHost,
  over: Parameters<typeof fleetOptions>[1] = {},
): Promise<SshTransport> {
  return SshTransport.connect(
    { name: host.name, host: host.address, port: host.port, user: 'root', identityFiles: [fleet.clientKey.path] },
    fleetOptions(fleet, over),
  );
}
