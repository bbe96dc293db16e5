// An SSH connection to a bed host through rig's own transport, trusting only the run's known_hosts.
import os from 'node:os';
import { SshTransport } from '../../src/transport/ssh/ssh-transport.ts';
import type { TestbedDescription, TestbedHost } from './testbed-description.ts';

/**
 * Connects as root with the run's key to `host`, checking its key against `knownHostsPath` (default the run's
 * known_hosts): no agent, no ssh_config, no trust on first use. Close it when done.
 */
export function connectHost(
  run: Pick<TestbedDescription, 'knownHostsPath'>,
  host: TestbedHost,
  knownHostsPath = run.knownHostsPath,
): Promise<SshTransport> {
  return SshTransport.connect(
    { name: host.name, host: host.address, port: host.port, user: host.user, identityFiles: [host.keyPath] },
    {
      sshConfig: [],
      hostKeys: { files: [knownHostsPath], writeTo: knownHostsPath, acceptNew: false },
      home: os.homedir(),
      localUser: os.userInfo().username,
      agentSocket: undefined,
      readyTimeoutMs: 10_000,
    },
  );
}
