// Pure: merges the log lines of several hosts by time. Lines are held a short while after they arrive, so that lines
// of hosts whose output comes a little later still fall into place; whatever is older than that goes out in order.
import type { LogLine } from './log-line.js';

interface Held {
  readonly line: LogLine & { readonly key: string };
  readonly at: number;
  readonly seq: number;
}

/**
 * `push` lines as they come; `flush(now)` hands out, sorted by time, those that arrived more than `holdMs` ago (none
 * before `open()`: while hosts still connect, their backlogs must not be printed one host after the other); `end()`
 * hands out the rest. A line arriving later than `holdMs` after an earlier-stamped one is printed late, never lost.
 */
export class LogMerger {
  private held: Held[] = [];
  private seq = 0;
  private opened = false;

  constructor(private readonly holdMs: number) {}

  push(line: LogLine & { readonly key: string }, now: number): void {
    this.held.push({ line, at: now, seq: this.seq++ });
  }

  /** Every host has started streaming: from now on `flush` hands lines out. */
  open(): void {
    this.opened = true;
  }

  flush(now: number): LogLine[] {
    if (!this.opened) return [];
    const due = this.held.filter((h) => h.at <= now - this.holdMs);
    if (due.length === 0) return [];
    this.held = this.held.filter((h) => h.at > now - this.holdMs);
    return sorted(due);
  }

  end(): LogLine[] {
    const all = sorted(this.held);
    this.held = [];
    return all;
  }
}

function sorted(held: readonly Held[]): LogLine[] {
  return [...held]
    .sort((a, b) => (a.line.key < b.line.key ? -1 : a.line.key > b.line.key ? 1 : a.seq - b.seq))
    .map((h) => h.line);
}
