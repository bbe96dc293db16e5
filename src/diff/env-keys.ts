// Which keys of an env file changed, compared by parsed value, reported by name only so values never leak.
import { parseEnvFile } from '../template/env/env-file.js';
import type { EnvKeyChanges } from '../core/plan-data/file-change.js';

/** True for paths that are env files by name: `.env`, `app.env`, `/srv/litellm/litellm.env`. */
export function isEnvFilePath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.endsWith('.env');
}

/**
 * Keys added, removed and changed between two env files (`before` undefined = no file), each list sorted.
 * Values are compared after parsing, so re-quoting a value is not a change; they are never returned.
 */
export function envKeyChanges(before: string | undefined, after: string): EnvKeyChanges {
  const old = before === undefined ? new Map<string, string>() : parseEnvFile(before);
  const now = parseEnvFile(after);
  const added = [...now.keys()].filter((k) => !old.has(k));
  const removed = [...old.keys()].filter((k) => !now.has(k));
  const changed = [...now].filter(([k, v]) => old.has(k) && old.get(k) !== v).map(([k]) => k);
  return { added: added.sort(), removed: removed.sort(), changed: changed.sort() };
}

/** True when no key was added, removed or changed. */
export function isEmptyEnvKeyChanges(keys: EnvKeyChanges): boolean {
  return keys.added.length + keys.removed.length + keys.changed.length === 0;
}

/**
 * One-line summary for plans and recreate reasons: `+OPENAI_API_KEY ~LITELLM_MASTER_KEY -OLD` — added, then
 * changed, then removed, sorted within each group; empty string when nothing changed.
 */
export function envKeyDiffSummary(keys: EnvKeyChanges): string {
  const mark = (sign: string, names: readonly string[]): string[] => [...names].sort().map((n) => `${sign}${n}`);
  return [...mark('+', keys.added), ...mark('~', keys.changed), ...mark('-', keys.removed)].join(' ');
}
