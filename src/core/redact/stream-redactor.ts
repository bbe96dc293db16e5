// Masks secrets in a byte stream that arrives in chunks (exec, ssh output): a secret cut across two chunks is still
// masked, because the end of a chunk that could begin a secret is held back until the next chunk tells.
import { MASK } from './redactor.js';

/**
 * Feed chunks to `push`, write what it returns; `end` returns what is held at the end. Bytes are matched as bytes
 * (latin1 strings: one character per byte), so multi-byte characters split across chunks are handled alike.
 */
export class StreamRedactor {
  private held = '';
  private readonly secrets: string[];
  private readonly longest: number;

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets)]
      .filter((s) => s !== '')
      .map((s) => Buffer.from(s, 'utf8').toString('latin1'))
      .sort((a, b) => b.length - a.length);
    this.longest = this.secrets[0]?.length ?? 0;
  }

  /** The bytes safe to show now: whole secrets masked, a tail that may still become (part of) one held back. */
  push(chunk: Buffer): Buffer {
    if (this.secrets.length === 0) return chunk;
    const text = this.held + chunk.toString('latin1');
    const cut = this.safeCut(text);
    this.held = text.slice(cut);
    return Buffer.from(this.mask(text.slice(0, cut)), 'latin1');
  }

  /** Whether bytes are held back (a terminal session shows them after a pause: see `end`). */
  get holding(): boolean {
    return this.held !== '';
  }

  /** The held tail, masked: at the end of the stream nothing more can complete a secret. */
  end(): Buffer {
    const rest = Buffer.from(this.mask(this.held), 'latin1');
    this.held = '';
    return rest;
  }

  private mask(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(MASK);
    return out;
  }

  /**
   * Where to cut: before the earliest end of `text` that a longer secret may still begin with (a whole short secret
   * too: `alp` may be the start of `alpha-secret`), and never through a secret that lies across the cut.
   */
  private safeCut(text: string): number {
    let cut = text.length;
    for (let n = Math.min(this.longest - 1, text.length); n > 0; n--) {
      const tail = text.slice(text.length - n);
      if (this.secrets.some((s) => s.length > n && s.startsWith(tail))) {
        cut = text.length - n;
        break;
      }
    }
    for (let moved = true; moved;) {
      moved = false;
      for (const s of this.secrets) {
        for (
          let at = text.indexOf(s, Math.max(0, cut - s.length + 1));
          at >= 0 && at < cut;
          at = text.indexOf(s, at + 1)
        ) {
          if (at + s.length > cut) {
            cut = at;
            moved = true;
          }
        }
      }
    }
    return cut;
  }
}
