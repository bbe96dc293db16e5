// Node's on-disk compile cache for rig's own modules and the type-stripped roles and checks: a warm start skips
// compiling rig and stripping the roles (the stripper alone costs more than the whole cached load). The cache holds
// code rig runs, so it lives only in a directory of the user's own that no other account can write to.
import { lstatSync, mkdirSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * `<XDG_CACHE_HOME or ~/.cache>/rig/<leaf>` (`node-compile-cache` for Node's, `templates` for Handlebars'), created
 * 0700 when missing; undefined (no cache) when it or a directory above it up to the cache home is a symlink, another
 * account's, or writable by group or others.
 */
export function privateCacheDir(
  env: NodeJS.ProcessEnv,
  uid: number,
  home: string = os.homedir(),
  leaf = 'node-compile-cache',
): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  // a relative XDG_CACHE_HOME is invalid (XDG Base Directory spec): the default applies
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  const dirs = [base, path.join(base, 'rig'), path.join(base, 'rig', leaf)];
  try {
    for (const dir of dirs) {
      mkdirSync(dir, { mode: 0o700, recursive: true });
      const st = lstatSync(dir);
      if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) return undefined;
    }
  } catch {
    return undefined;
  }
  return dirs[2];
}

/** Turns the cache on for the modules imported after this call (NODE_DISABLE_COMPILE_CACHE=1 turns it off). */
export function enableRigCompileCache(env: NodeJS.ProcessEnv = process.env): void {
  const dir = rigCacheDir(env, 'node-compile-cache');
  if (dir !== undefined) enableCompileCache(dir);
}

/**
 * Where Handlebars' compiled templates are kept between runs (src/template/compiled-cache.ts): undefined when the
 * compile cache is off (NODE_DISABLE_COMPILE_CACHE) or no private directory is to be had.
 */
export function templateCacheDir(env: NodeJS.ProcessEnv): string | undefined {
  return rigCacheDir(env, 'templates');
}

/** The user's private `rig/<leaf>` cache directory, unless NODE_DISABLE_COMPILE_CACHE turns rig's code caches off. */
function rigCacheDir(env: NodeJS.ProcessEnv, leaf: string): string | undefined {
  if (env['NODE_DISABLE_COMPILE_CACHE'] !== undefined || process.getuid === undefined) return undefined;
  return privateCacheDir(env, process.getuid(), os.homedir(), leaf);
}
