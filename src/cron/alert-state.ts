// Which nightly alerts went out today: `.rig/cron/<env>.alerts.json`, keyed by (check, host, UTC date), so a failing
// check alerts once a day however often the night runs.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../config/vault/atomic-write.js';
import { UserError } from '../core/errors/errors.js';
import type { NightlyFailure } from './nightly-checks.js';

/** Entries older than this many days are dropped on each write: the file stays small. */
export const ALERT_STATE_KEEP_DAYS = 8;

const AlertStateSchema = z.strictObject({
  version: z.literal(1),
  sent: z.array(
    z.strictObject({
      check: z.string(),
      host: z.string(),
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      at: z.string(),
    }),
  ),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

/** `2026-12-01`: the UTC day an alert counts for. */
export function utcDate(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** The state file's content; a missing file is an empty state, a damaged one an error naming it. */
export function readAlertState(file: string): AlertState {
  if (!existsSync(file)) return { version: 1, sent: [] };
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `${file}:1:1: not JSON (${err instanceof Error ? err.message : String(err)}); delete it to start over (alerts of today may then repeat)`,
    );
  }
  const r = AlertStateSchema.safeParse(value);
  if (!r.success)
    throw new UserError(
      `${file}:1:1: not an alert state file (${r.error.issues[0]?.message ?? 'invalid'} at ${r.error.issues[0]?.path.join('.') ?? '?'}); delete it to start over`,
    );
  return r.data;
}

/** The failures not alerted yet on `date`, each (check, host) once. */
export function pendingAlerts(state: AlertState, failures: readonly NightlyFailure[], date: string): NightlyFailure[] {
  const seen = new Set(state.sent.filter((s) => s.date === date).map((s) => key(s.check, s.host)));
  return failures.filter((f) => {
    const k = key(f.check, f.host);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The state with `sent` recorded for `now`'s date, entries older than ALERT_STATE_KEEP_DAYS dropped. */
export function recordAlerts(state: AlertState, sent: readonly NightlyFailure[], now: Date): AlertState {
  const cutoff = utcDate(new Date(now.getTime() - ALERT_STATE_KEEP_DAYS * 86_400_000));
  const date = utcDate(now);
  const kept = state.sent.filter((s) => s.date >= cutoff);
  return {
    version: 1,
    sent: [...kept, ...sent.map((f) => ({ check: f.check, host: f.host, date, at: now.toISOString() }))],
  };
}

/** Writes the state atomically (0600; the directory 0700). */
export async function writeAlertState(file: string, state: AlertState): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, 0o600);
}

function key(check: string, host: string): string {
  return JSON.stringify([check, host]);
}
