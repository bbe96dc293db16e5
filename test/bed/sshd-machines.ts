// The role bed's hosts as sshd processes on loopback addresses of this machine (test/helpers/sshd), for suites that
// need no docker: they start in a fraction of a second, and their files are this machine's (one data dir per host).
import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd/sshd-fleet.ts';
import type { BedHost } from './role-project.ts';

/** Started sshd hosts h1..hN, as the role bed uses them. */
export interface SshdMachines {
  readonly fleet: SshdFleet;
  readonly hosts: readonly BedHost[];
  readonly knownHostsPath: string;
  stop(): Promise<void>;
}

/**
 * Starts `n` sshd hosts on 127.0.0.<firstOctet>.. (distinct per suite: suites run side by side); h<i>'s data dir is
 * <one temp dir>/h<i>, removed by `stop`.
 */
export async function startSshdMachines(n: number, firstOctet: number): Promise<SshdMachines> {
  const fleet = await startSshdFleet(n, { firstOctet });
  const data = mkdtempSync(path.join(os.tmpdir(), 'rig-bed-data-'));
  const hosts = fleet.hosts.map((h): BedHost => {
    const dataDir = path.join(data, h.name);
    mkdirSync(dataDir);
    const login = { address: h.address, port: h.port, user: 'root', keyPath: fleet.clientKey.path } as const;
    return { name: h.name, ...login, dataDir, composeProject: `rig-sshd-${firstOctet}-${h.name}` };
  });
  return {
    fleet,
    hosts,
    knownHostsPath: fleet.knownHostsFile,
    async stop() {
      await fleet.stop();
      await rm(data, { recursive: true, force: true });
    },
  };
}
