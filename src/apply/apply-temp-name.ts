// Names of in-flight writes: `.<basename>.rig-tmp-<random>` beside the target, so the final rename stays on one filesystem.
import { createHash } from 'node:crypto';
import path from 'node:path';

/** The marker every temp name carries; stale-temp sweeps match `.*<marker>*`. */
export const TEMP_MARKER = '.rig-tmp-';

/** What mktemp replaces with random characters on the host: the name is chosen there, never sent or guessable. */
export const TEMP_RANDOM = 'XXXXXXXXXXXX';

/** Room left for the marker and random part under NAME_MAX (255 bytes). */
const MAX_BASENAME_BYTES = 200;

/**
 * The mktemp template for `target`, in the same directory. A very long basename is shortened (never mid-character)
 * and suffixed with a hash of the full name, so two long names sharing a prefix still get distinct temps.
 */
export function tempTemplateFor(target: string): string {
  const full = path.posix.basename(target);
  let base = full;
  if (Buffer.byteLength(full, 'utf8') > MAX_BASENAME_BYTES) {
    while (Buffer.byteLength(base, 'utf8') > MAX_BASENAME_BYTES) base = [...base].slice(0, -1).join('');
    base = `${base}~${createHash('sha256').update(full).digest('hex').slice(0, 8)}`;
  }
  return path.posix.join(path.posix.dirname(target), `.${base}${TEMP_MARKER}${TEMP_RANDOM}`);
}

/** The temp mktemp made from `template`, given the random part the host reported. */
export function tempFromTemplate(template: string, random: string): string {
  if (!/^[A-Za-z0-9]{12}$/.test(random)) throw new Error(`apply: unexpected temp suffix ${JSON.stringify(random)}`);
  return template.slice(0, -TEMP_RANDOM.length) + random;
}
