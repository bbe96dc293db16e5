// Reads ~/.ssh/config (or another file) from disk, following Include directives with `*` globs.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSshConfig, type SshConfigLine } from './ssh-config.js';
import { matchGlob } from './ssh-pattern.js';

const MAX_INCLUDE_DEPTH = 16;

/**
 * Loads and parses `file` with its Includes attached. A missing file is an empty config. Relative
 * Include paths are taken from `~/.ssh`, as OpenSSH does for the user config.
 */
export async function loadSshConfig(file: string, home: string, depth = 0): Promise<SshConfigLine[]> {
  const text = await readOptional(file);
  if (text === undefined) return [];
  const lines = parseSshConfig(text, file);
  return Promise.all(
    lines.map(async (l): Promise<SshConfigLine> => {
      if (l.kind !== 'include') return l;
      if (depth >= MAX_INCLUDE_DEPTH)
        throw new Error(`${l.file}:${l.line}: Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
      const files = (await Promise.all(l.paths.map((p) => expandInclude(p, home)))).flat();
      const included = (await Promise.all(files.map((f) => loadSshConfig(f, home, depth + 1)))).flat();
      return { ...l, included };
    }),
  );
}

async function expandInclude(p: string, home: string): Promise<string[]> {
  const tilde = p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
  const abs = path.isAbsolute(tilde) ? tilde : path.join(home, '.ssh', tilde);
  const base = path.basename(abs);
  if (!/[*?]/.test(base)) return [abs];
  const dir = path.dirname(abs);
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => matchGlob(base, n))
    .sort()
    .map((n) => path.join(dir, n));
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
