// The paths a role names: destinations on the host and files of its own (templates/, files/), checked before any use.
import * as path from 'node:path';

/**
 * Why `dest` cannot be a destination, or undefined: it must be absolute and normalised (no `.`, `..`, `//` or trailing
 * `/`), so that what the plan shows, what drift compares and what the apply script touches are the same path, and a
 * variable like `/srv/app/../../etc` cannot lead a role out of the directory it was given.
 */
export function destinationProblem(dest: string): string | undefined {
  if (!path.posix.isAbsolute(dest)) return `destination must be an absolute path: "${dest}"`;
  if (dest.includes('\0') || dest.includes('\n')) {
    return `destination holds a NUL or a newline: ${JSON.stringify(dest)}`;
  }
  const normal = path.posix.normalize(dest);
  if (dest.split('/').includes('..')) return `destination must not contain "..": "${dest}"`;
  if (dest !== '/' && (normal !== dest || dest.endsWith('/'))) {
    return `destination must be a normalised path: "${dest}" (did you mean "${normal.replace(/\/$/, '')}"?)`;
  }
  return undefined;
}

/** Why `name` cannot name a file of the role under `templates/` or `files/` (it must stay inside), or undefined. */
export function roleFileProblem(name: string): string | undefined {
  if (name === '' || path.posix.isAbsolute(name) || path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    return `role file name must be a relative path inside the role, without "..": "${name}"`;
  }
  return undefined;
}
