// Finds the repository root: where `.vault_password` is looked for.
import { stat } from 'node:fs/promises';
import * as path from 'node:path';

/** The nearest ancestor of `cwd` (itself included) holding an `inventory/` directory, else `cwd`. */
export async function findRepoRoot(cwd: string): Promise<string> {
  let dir = path.resolve(cwd);
  for (;;) {
    const isRoot = await stat(path.join(dir, 'inventory')).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isRoot) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}
