// The client-side files of a run: an OpenSSH config with a `Host hN` alias per host, known_hosts, testbed.json.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestbedDescription, TestbedHost } from './testbed-description.ts';

/** `[127.0.0.1]:port ssh-ed25519 AAAA…`: one host's known_hosts line. */
export function knownHostsLine(host: Pick<TestbedHost, 'address' | 'port' | 'hostKey'>): string {
  return `[${host.address}]:${host.port} ${host.hostKey}`;
}

/** (Re)writes the ssh config, known_hosts and testbed.json of `run` from its current host list. */
export async function writeClientFiles(run: TestbedDescription): Promise<void> {
  await writeFile(run.sshConfigPath, run.hosts.map((h) => configEntry(h, run.knownHostsPath)).join(''));
  await writeFile(run.knownHostsPath, run.hosts.map((h) => `${knownHostsLine(h)}\n`).join(''));
  await writeFile(path.join(run.runDir, 'testbed.json'), `${JSON.stringify(run)}\n`);
}

function configEntry(h: TestbedHost, knownHosts: string): string {
  return [
    `Host ${h.name}`,
    `  HostName ${h.address}`,
    `  Port ${h.port}`,
    `  User ${h.user}`,
    `  IdentityFile ${h.keyPath}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHosts}`,
    '  StrictHostKeyChecking yes',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}
