// Finds the repository root: where inventory/, roles/, .env and .vault_password are looked for.
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `explicit` (--root) when given, else the nearest ancestor of `cwd` (itself included) holding an `inventory/`
 * directory, else `cwd`.
 */
export function findRepoRoot(cwd: string, explicit?: string): string {
  if (explicit !== undefined) return path.resolve(cwd, explicit);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const inv = path.join(dir, 'inventory');
    if (existsSync(inv) && statSync(inv).isDirectory()) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}
