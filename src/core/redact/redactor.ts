// Masks secret values in any text leaving rig (output, diffs, plans, logs, journal), the way CI systems mask secrets.
import { encodedForms } from './secret-encodings.js';

export const MASK = '***';

/** The shortest piece of a secret `partOf` counts. */
const MIN_PIECE = 6;

/**
 * Holds the plaintext of every secret known to this run, with its encoded forms (JSON-escaped, URL-encoded,
 * base64, shell-quoted: see encodedForms). `redact` replaces each occurrence of any of them with `***`, longest
 * first so that a secret containing another is masked whole.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly patterns = new Set<string>();
  private sorted: string[] | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a secret. Empty strings are ignored: they cannot leak and would match everywhere. */
  add(secret: string): void {
    if (secret.length === 0 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    for (const p of [secret, ...encodedForms(secret)]) this.patterns.add(p);
    this.sorted = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  /**
   * What a masker that must see values whole (StreamRedactor, over output cut into chunks) masks: every secret and its
   * encoded forms.
   */
  values(): readonly string[] {
    return [...this.patterns];
  }

  /** True when `text` contains any registered secret, in clear or encoded. */
  touches(text: string): boolean {
    for (const s of this.patterns) if (text.includes(s)) return true;
    return false;
  }

  /**
   * True when `text` holds a known secret, or shares a run of at least MIN_PIECE characters with one: a name parsed
   * out of a garbled file (a base64 token on a line of its own reads as `KEY=` with its `=` padding) shows most of the
   * secret while not containing it. Shorter runs (`DB`, `PORT`) occur in secrets by chance and tell little.
   */
  partOf(text: string): boolean {
    if (this.touches(text)) return true;
    for (let i = 0; i + MIN_PIECE <= text.length; i++) {
      const piece = text.slice(i, i + MIN_PIECE);
      for (const s of this.secrets) if (s.includes(piece)) return true;
    }
    return false;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.sorted ??= [...this.patterns].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.sorted) out = out.split(s).join(MASK);
    return out;
  }

  /**
   * `value` with every string in it (keys too) redacted: for JSON output, masked before it is serialised (after,
   * a secret holding `"` or `\` would be escaped past the match).
   */
  redactValue<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object' || depth > 64) return value;
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return this.walk((toJSON as () => unknown).call(value), depth + 1);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.redact(k), this.walk(v, depth + 1)]));
  }
}
