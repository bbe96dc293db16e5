// Names of in-flight uploads: `.<basename>.rig-tmp-<run id>` beside the target, so the final rename stays on one filesystem.
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';

/** The marker every temp name carries; stale-temp sweeps match `.*<marker>*`. */
export const TEMP_MARKER = '.rig-tmp-';

/** Room left for the marker and run id under NAME_MAX (255 bytes). */
const MAX_BASENAME_BYTES = 200;

/** A fresh run id: 12 hex characters, shared by all temp files of one apply. */
export function newRunId(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The temp path for `target` in the same directory. A very long basename is shortened (never mid-character)
 * and suffixed with a hash of the full name, so two long names sharing a prefix still get distinct temps.
 */
export function tempPathFor(target: string, runId: string): string {
  const full = path.posix.basename(target);
  let base = full;
  if (Buffer.byteLength(full, 'utf8') > MAX_BASENAME_BYTES) {
    while (Buffer.byteLength(base, 'utf8') > MAX_BASENAME_BYTES) base = [...base].slice(0, -1).join('');
    base = `${base}~${createHash('sha256').update(full).digest('hex').slice(0, 8)}`;
  }
  return path.posix.join(path.posix.dirname(target), `.${base}${TEMP_MARKER}${runId}`);
}
