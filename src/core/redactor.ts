// Masks secret values in any text leaving rig (output, diffs, plans, logs, journal), the way CI systems mask secrets.

export const MASK = '***';

/**
 * Holds the plaintext of every secret known to this run. `redact` replaces each occurrence with `***`,
 * longest secret first so that a secret containing another is masked whole.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private sorted: string[] | undefined;

  constructor(secrets: Iterable<string> = []) {
    for (const s of secrets) this.add(s);
  }

  /** Registers a secret. Empty strings are ignored: they cannot leak and would match everywhere. */
  add(secret: string): void {
    if (secret.length === 0 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.sorted = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** The secrets, for a masker that must see them whole (StreamRedactor, over output cut into chunks). */
  values(): readonly string[] {
    return [...this.secrets];
  }

  /** True when `text` contains any registered secret. */
  touches(text: string): boolean {
    for (const s of this.secrets) if (text.includes(s)) return true;
    return false;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const s of this.sorted) out = out.split(s).join(MASK);
    return out;
  }
}
