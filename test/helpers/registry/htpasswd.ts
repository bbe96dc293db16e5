// Writes a bcrypt htpasswd file (the only hash distribution 2.8 accepts) with apache2-utils' htpasswd.
import { writeFile } from 'node:fs/promises';
import { execa } from 'execa';

export const HTPASSWD = '/usr/bin/htpasswd';

/** Writes `path` with one `user:<bcrypt>` line. The password rides argv: acceptable for a throwaway test user only. */
export async function writeHtpasswd(path: string, user: string, password: string): Promise<void> {
  const { stdout } = await execa(HTPASSWD, ['-Bbn', user, password]);
  await writeFile(path, `${stdout.trim()}\n`);
}
