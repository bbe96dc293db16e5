// Test helper: N real sshd "hosts" on 127.0.0.11.. with generated keys in a temp dir; kills them on stop.
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { generateKey, type KeyPair } from './keys.js';
import { freePort, SSHD, startSshd, stopSshd, type SshdProcess } from './sshd-process.js';

/** One fake host: its sshd, address, port and current host keys. */
export interface SshdHost {
  readonly name: string;
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  /** Its Ed25519 key (offered unless a restart said otherwise). */
  hostKey: KeyPair;
  /** Its ECDSA key, once a restart asked for one. */
  ecdsaKey: KeyPair | undefined;
  /** The key types sshd offers. */
  keyTypes: readonly HostKeyType[];
  /** Its MaxStartups, once a restart set one (see SshdSpec). */
  maxStartups?: string;
  process: SshdProcess;
}

export type HostKeyType = 'ed25519' | 'ecdsa';

/** A set of running sshd hosts sharing one client key. */
export interface SshdFleet {
  readonly dir: string;
  readonly clientKey: KeyPair;
  readonly hosts: readonly SshdHost[];
  /** A known_hosts file listing every host's current key (`[addr]:port` form). */
  readonly knownHostsFile: string;
  /** An ssh_config with `Host <name>` aliases for every host. */
  readonly sshConfigFile: string;
  /**
   * Restarts a host's sshd on the same address and port, with a fresh Ed25519 key when asked, offering the key types
   * `keyTypes` (default: those it offered; an ECDSA key is made the first time it is asked for).
   */
  restart(
    host: SshdHost,
    opts?: { newHostKey?: boolean; keyTypes?: readonly HostKeyType[]; maxStartups?: string },
  ): Promise<void>;
  /** Stops one host's sshd (restart brings it back). */
  stopHost(host: SshdHost): Promise<void>;
  /** The sshd logs of all hosts, for dumping when a test fails. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

/** Why sshd tests cannot run here, or undefined when they can. */
export async function sshdUnavailable(): Promise<string | undefined> {
  try {
    await access(SSHD);
    await access('/usr/bin/ssh-keygen');
    return undefined;
  } catch {
    return `${SSHD} or ssh-keygen not installed (apt-get install openssh-server)`;
  }
}

/** Starts `count` sshd on 127.0.0.(firstOctet+i), free ports, key auth only. Stop it in afterAll. */
export async function startSshdFleet(count: number, opts: { firstOctet?: number } = {}): Promise<SshdFleet> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rig-sshd-'));
  const clientKey = await generateKey(path.join(dir, 'id_ed25519'), 'rig-test-client');
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${clientKey.pub}\n`, { mode: 0o600 });
  const first = opts.firstOctet ?? 11;
  const hosts = await Promise.all(
    Array.from({ length: count }, (_, i) => startHost(dir, `h${i + 1}`, `127.0.0.${first + i}`, authorizedKeys)),
  );
  const fleet: SshdFleet = {
    dir,
    clientKey,
    hosts,
    knownHostsFile: path.join(dir, 'known_hosts'),
    sshConfigFile: path.join(dir, 'ssh_config'),
    restart: async (host, o = {}) => {
      await stopSshd(host.process);
      if (o.newHostKey === true)
        host.hostKey = await generateKey(path.join(host.dir, 'ssh_host_ed25519_key'), host.name);
      host.keyTypes = o.keyTypes ?? host.keyTypes;
      if (o.maxStartups !== undefined) host.maxStartups = o.maxStartups;
      const ecdsaPath = path.join(host.dir, 'ssh_host_ecdsa_key');
      if (host.keyTypes.includes('ecdsa')) host.ecdsaKey ??= await generateKey(ecdsaPath, host.name, 'ecdsa');
      host.process = await startSshd(spec(host, authorizedKeys));
    },
    stopHost: (host) => stopSshd(host.process),
    logs: async () =>
      (
        await Promise.all(
          hosts.map(
            async (h) =>
              `== ${h.name} ${h.process.logFile}\n${await readFile(h.process.logFile, 'utf8').catch(() => '')}`,
          ),
        )
      ).join('\n'),
    stop: async () => {
      await Promise.all(hosts.map((h) => stopSshd(h.process)));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await writeFile(
    fleet.knownHostsFile,
    hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey.pub.split(' ').slice(0, 2).join(' ')}\n`).join(''),
  );
  await writeFile(fleet.sshConfigFile, hosts.map((h) => aliasBlock(h, clientKey.path)).join(''));
  return fleet;
}

async function startHost(dir: string, name: string, address: string, authorizedKeys: string): Promise<SshdHost> {
  const hostDir = path.join(dir, name);
  await mkdir(hostDir);
  const hostKey = await generateKey(path.join(hostDir, 'ssh_host_ed25519_key'), name);
  const port = await freePort(address);
  const partial = { name, dir: hostDir, address, port, hostKey, ecdsaKey: undefined, keyTypes: ['ed25519'] as const };
  const process = await startSshd(spec(partial, authorizedKeys));
  return { ...partial, process };
}

type SpecOf = Pick<SshdHost, 'name' | 'dir' | 'address' | 'port' | 'keyTypes' | 'maxStartups'>;

function spec(h: SpecOf, authorizedKeys: string): Parameters<typeof startSshd>[0] {
  const hostKeys = h.keyTypes.map((t) => path.join(h.dir, `ssh_host_${t}_key`));
  const max = h.maxStartups === undefined ? {} : { maxStartups: h.maxStartups };
  return { name: h.name, dir: h.dir, address: h.address, port: h.port, hostKeys, authorizedKeys, ...max };
}

function aliasBlock(h: SshdHost, key: string): string {
  return `Host ${h.name}\n  HostName ${h.address}\n  Port ${h.port}\n  User root\n  IdentityFile ${key}\n  IdentitiesOnly yes\n`;
}
