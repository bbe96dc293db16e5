// The run's known_hosts besides the user's and the system's, and where accepted keys go: one rule for every command.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EnvSettings } from '../config/inventory/inventory-schema.js';

/** What `sshConnector` needs to know about the repository's known_hosts. */
export interface RepoKnownHosts {
  readonly repoKnownHosts?: string;
  readonly recordInRepo: boolean;
}

/**
 * `--known-hosts F` is read, and receives accepted keys (the operator named it for this run). Else
 * `inventory/<env>/known_hosts` is read when kept, and receives accepted keys only when env.yml says
 * `new_host_keys: env`; by default they go to the user's `~/.ssh/known_hosts`, so that a key one operator accepted
 * (perhaps a man in the middle's) is not committed for the whole team.
 */
export function repoKnownHosts(
  inventoryDir: string,
  flag: string | undefined,
  cwd: string,
  settings: EnvSettings,
): RepoKnownHosts {
  if (flag !== undefined && flag !== '') return { repoKnownHosts: path.resolve(cwd, flag), recordInRepo: true };
  const perEnv = path.join(inventoryDir, 'known_hosts');
  const recordInRepo = settings.new_host_keys === 'env';
  return existsSync(perEnv) || recordInRepo ? { repoKnownHosts: perEnv, recordInRepo } : { recordInRepo: false };
}
