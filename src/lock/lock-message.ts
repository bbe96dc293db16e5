// What rig says about a deploy lock someone holds: who, since when, how fresh its lease is, and what to do next.
import type { LockInfo, LockState } from './lock-info.js';

const BREAK_HINT = 'rerun with --break-lock to break it now (it shows the holder and asks first; --yes in scripts)';

/**
 * The text for a lock held by someone else, e.g. `web1: deploy lock held by alice@laptop (pid 4242, "rig deploy
 * --env prod", since 2026-12-01T07:10:00Z; renewed 12s ago, lease 1m30s): that deploy is running: wait for it and
 * retry; if it is gone, the next run takes the lock over when its lease ends (in 1m18s), or rerun with --break-lock …`.
 * Ages are the host's; `since` is the holder's clock.
 */
export function lockHeldMessage(host: string, lockPath: string, s: LockState): string {
  const what = `${host}: ${describeLock(lockPath, s)}`;
  if (s.info === undefined)
    return `${what}; ${s.stale ? 'it counts as expired: the next deploy takes it over' : 'retry in a few seconds'}`;
  if (s.stale) return `${what}: the next deploy takes it over`;
  if (s.info.version === undefined) return `${what}: wait for that deploy and retry; if it is gone, ${BREAK_HINT}`;
  return `${what}: that deploy is running: wait for it and retry; if it is gone, the next run takes the lock over when its lease ends (in ${formatDuration(s.info.ttlSec - s.ageSec)}), or ${BREAK_HINT}`;
}

/**
 * The lock and its holder, without advice: `deploy lock held by alice@laptop (pid 4242, …; renewed 12s ago, lease
 * 1m30s)`.
 */
export function describeLock(lockPath: string, s: LockState): string {
  if (s.info === undefined) {
    if (!s.stale)
      return `deploy lock ${lockPath} is being taken by another run (empty file, ${formatDuration(s.ageSec)} ago)`;
    return `deploy lock ${lockPath} has unreadable content ${printable(JSON.stringify(s.raw.slice(0, 200)))} (written ${formatDuration(s.ageSec)} ago)`;
  }
  const i = s.info;
  const who = `${holderText(i)}, since ${printable(i.startedAt)}`;
  if (s.stale)
    return `expired deploy lock held by ${who}; not renewed for ${formatDuration(s.ageSec)}, lease ${formatDuration(i.ttlSec)})`;
  // an earlier rig: no heartbeat, its TTL runs from when it took the lock
  if (i.version === undefined)
    return `deploy lock held by ${who}, ${formatDuration(s.ageSec)} ago, by an earlier rig version; expires in ${formatDuration(i.ttlSec - s.ageSec)})`;
  return `deploy lock held by ${who}; renewed ${formatDuration(s.ageSec)} ago, lease ${formatDuration(i.ttlSec)})`;
}

/** `alice@laptop (pid 4242, "rig deploy --env prod"`: the holder, safe to print (the text comes from a host). */
export function holderText(i: LockInfo): string {
  return `${printable(i.user)}@${printable(i.workstation)} (pid ${i.pid}, ${printable(JSON.stringify(i.command))}`;
}

/** `45s`, `3m12s`, `2h05m`, `3d04h`: two units at most, the second zero-padded. */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/**
 * The lock file comes from a host: keep its control and format characters (escapes, bidi overrides) off the terminal.
 */
export function printable(s: string): string {
  return s.replace(/[\p{Cc}\p{Cf}]/gu, '?');
}
