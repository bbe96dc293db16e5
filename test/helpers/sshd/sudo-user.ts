// A throwaway login user with passwordless sudo, as on a typical VPS, and a fleet whose key list that user can read.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSshdFleet, type SshdFleet } from './sshd-fleet.js';

/** Creates `user` (unless it exists) with NOPASSWD sudo; needs root. */
export function ensureSudoUser(user: string): void {
  try {
    execFileSync('id', [user], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user]);
  }
  // useradd leaves the account locked ('!'), and sshd refuses keys for locked accounts: no password, not locked.
  execFileSync('usermod', ['-p', '*', user]);
  writeFileSync(`/etc/sudoers.d/${user}`, `${user} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });
}

/** A fleet of `count` sshd hosts that a non-root login user can use (sshd reads AuthorizedKeysFile as that user). */
export async function startFleetForUser(count: number, firstOctet: number): Promise<SshdFleet> {
  const fleet = await startSshdFleet(count, { firstOctet });
  chmodSync(fleet.dir, 0o755);
  chmodSync(path.join(fleet.dir, 'authorized_keys'), 0o644);
  return fleet;
}
