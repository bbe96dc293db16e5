// Handlebars' compiled templates, kept on disk between runs: a warm run loads each template's compiled form instead
// of running Handlebars' compiler, which took 16-26 ms of an 8-host no-op of the bench role (~0.55 s; README,
// Benchmarks).
/*
 * An entry is the JavaScript Handlebars' `precompile` writes for one template, the form Handlebars documents for
 * precompiled templates (`template(eval(spec))`). Its name is the sha256 of what that output is a function of:
 * Handlebars' version, the compile options and the template's syntax tree as rig hands it to the compiler (after rig's
 * own checks and rewrites, so a change of rig's rewrites is a new tree, a new name). Entries are code rig runs, so
 * they live only in a directory of the user's own that no other account can write to (`privateCacheDir`), each
 * written to a temp of its own (O_EXCL, 0600) and renamed into place: an entry is whole or absent. One that cannot be
 * read or evaluated is compiled again and replaced. Past ENTRY_LIMIT entries, the oldest half is removed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ENTRY_LIMIT = 2000;

let cacheDir: string | undefined;
let pruned = false;

/** Where compiled templates are kept (undefined: nowhere, every run compiles); the CLI sets it once at start. */
export function configureTemplateCache(dir: string | undefined): void {
  cacheDir = dir;
  pruned = false;
}

/** Whether compiled templates are kept at all. */
export function templateCacheEnabled(): boolean {
  return cacheDir !== undefined;
}

/** An entry's name: the sha256 of Handlebars' version, the compile options and the syntax tree compiled. */
export function templateKey(version: string, options: object, ast: unknown): string {
  return createHash('sha256')
    .update(`${version}\0${JSON.stringify(options)}\0${JSON.stringify(ast)}`)
    .digest('hex');
}

/** The compiled form kept under `key`, undefined when there is none (or it cannot be read). */
export function readCompiled(key: string): string | undefined {
  if (cacheDir === undefined) return undefined;
  try {
    return readFileSync(path.join(cacheDir, `${key}.js`), 'utf8');
  } catch {
    return undefined;
  }
}

/** Keeps `spec` under `key`; a cache that cannot be written is no cache (the run compiles, nothing fails). */
export function writeCompiled(key: string, spec: string): void {
  if (cacheDir === undefined) return;
  const tmp = path.join(cacheDir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, spec, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path.join(cacheDir, `${key}.js`));
  } catch {
    rmSync(tmp, { force: true });
    return;
  }
  if (!pruned) prune(cacheDir);
}

/** Once per run that writes: past ENTRY_LIMIT entries, removes the older half (by modification time). */
function prune(dir: string): void {
  pruned = true;
  try {
    const names = readdirSync(dir).filter((n) => n.endsWith('.js'));
    if (names.length <= ENTRY_LIMIT) return;
    const byAge = names
      .map((n) => ({ n, t: statSync(path.join(dir, n)).mtimeMs }))
      .sort((a, b) => a.t - b.t)
      .slice(0, names.length - ENTRY_LIMIT / 2);
    for (const { n } of byAge) rmSync(path.join(dir, n), { force: true });
  } catch {
    // another run pruning at the same time: nothing to do
  }
}
