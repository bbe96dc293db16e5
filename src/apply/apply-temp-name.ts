// Names of in-flight writes: `.<basename>.rig-tmp-<random>` beside the target, so the final rename stays on one
// filesystem.
import { createHash, randomInt } from 'node:crypto';
import path from 'node:path';

/** The marker every temp name carries; stale-temp sweeps match `.*<marker>*`. */
export const TEMP_MARKER = '.rig-tmp-';

/**
 * The random part of a temp name, as a template holds it: `tempName` fills it in as the apply command is built (12
 * characters from crypto, 71 bits), and the host creates that name exclusively (see apply-files-script).
 */
export const TEMP_RANDOM = 'XXXXXXXXXXXX';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Room left for the marker and random part under NAME_MAX (255 bytes). */
const MAX_BASENAME_BYTES = 200;

/**
 * The temp template for `target`, in the same directory. A very long basename is shortened (never mid-character)
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

/** A fresh temp name from `template`: its random part filled in. */
export function tempName(template: string): string {
  if (!template.endsWith(TEMP_RANDOM)) throw new Error(`apply: not a temp template: ${JSON.stringify(template)}`);
  const random = Array.from({ length: TEMP_RANDOM.length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return template.slice(0, -TEMP_RANDOM.length) + random;
}

/** The temp made from `template`, given the random part the host reported. */
export function tempFromTemplate(template: string, random: string): string {
  if (!/^[A-Za-z0-9]{12}$/.test(random)) throw new Error(`apply: unexpected temp suffix ${JSON.stringify(random)}`);
  return template.slice(0, -TEMP_RANDOM.length) + random;
}
