// Where this rig is installed: the absolute bin/rig.js a crontab line can run, and whether its build exists.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors/errors.js';

/** rig's package directory, found by walking up from this module (src/cron in tests, dist/src/cron when built). */
export function rigPackageDir(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = path.dirname(from); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'rig') return dir;
  }
  throw new Error(`rig: no package.json of rig above ${from}`);
}

/** `<rig>/bin/rig.js`, which runs the compiled CLI: refuses when it is not built (cron would fail every night). */
export function rigBin(dir: string = rigPackageDir()): string {
  const bin = path.join(dir, 'bin', 'rig.js');
  const built = path.join(dir, 'dist', 'bundle', 'main.js');
  if (!existsSync(built))
    throw new UserError(
      `${built} is missing: the crontab entry runs ${bin}, which needs the compiled CLI: run make build first`,
    );
  return bin;
}
