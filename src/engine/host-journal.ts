// A host's journal for one run: events with the run's context, flushed once at the end to the host and the local
// mirror.
import type { FinishStep } from './host-finish.js';
import {
  appendJournalCmd,
  appendLocalMirror,
  JournalBuffer,
  type JournalEvent,
  type JournalEventName,
} from '../journal/journal.js';
import type { HostResult } from './host-result.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import type { Redactor } from '../core/redact/redactor.js';
import type { RunContext } from './run-context.js';

/**
 * What a host's journal needs of its run's input (`HostRunInput` has it; named here so the session imports the journal,
 * not back).
 */
export interface JournalInput {
  readonly host: string;
  readonly redactor: Redactor;
  readonly run: RunContext;
  readonly stack: StackConfig;
}

/** The events of one host's run; the values of known secrets never reach a line (the buffer redacts). */
export class HostJournal {
  private readonly buffer: JournalBuffer;

  constructor(private readonly input: JournalInput) {
    this.buffer = new JournalBuffer(input.redactor);
  }

  /** Adds one event (timestamped now). */
  add(event: JournalEventName, data: Record<string, unknown> = {}): void {
    this.buffer.add(this.event(event, data));
  }

  private event(event: JournalEventName, data: Record<string, unknown>): JournalEvent {
    const ctx = this.input.run;
    return {
      ts: new Date().toISOString(),
      event,
      env: ctx.env,
      host: this.input.host,
      deployId: ctx.runId,
      user: ctx.user,
      ...data,
    };
  }

  /** The closing event of a run: finished, failed or interrupted, with the counts and the release. */
  finished(r: HostResult, interrupted: boolean): void {
    const ctx = this.input.run;
    const base = {
      command: ctx.mode,
      workstation: ctx.workstation,
      git: ctx.git,
      changes: r.changes,
      ...(r.release ? { release: r.release } : {}),
      ...(r.rolledBackTo ? { rolledBackTo: r.rolledBackTo } : {}),
    };
    if (interrupted) this.add('deploy.interrupted', { ...base, ...(r.error ? { error: r.error } : {}) });
    else if (r.status === 'failed' || r.status === 'unreachable')
      this.add('deploy.failed', { ...base, error: r.error ?? r.status });
    else this.add('deploy.finished', base);
  }

  /** False once discarded: nothing more is journaled for this run. */
  get pending(): boolean {
    return !this.discarded;
  }

  private discarded = false;

  /** Drops the buffered events: a run that was declined or refused before applying leaves no trace on the host. */
  discard(): void {
    this.buffer.drain();
    this.discarded = true;
  }

  /**
   * Events rendered as journal text (whole lines) without buffering them: what a host job appends by itself when it
   * ends, so the host records its outcome even when rig is gone. `mirror` copies such lines to the local journal.
   */
  render(events: readonly { event: JournalEventName; data: Record<string, unknown> }[]): string[] {
    const buf = new JournalBuffer(this.input.redactor);
    for (const e of events) buf.add(this.event(e.event, e.data));
    return buf.drain();
  }

  /** Adds lines a host job already appended on the host to the workstation's copy. */
  mirror(lines: readonly string[]): void {
    appendLocalMirror(this.input.run.root, this.input.run.env, this.input.host, lines);
  }

  /**
   * The buffered events and the closing event of `r` (a run about to succeed) as the append step of an exec that may
   * not get that far: nothing is drained or mirrored until `commit` (the exec ran); `withdraw` takes the closing
   * event back (it did not).
   */
  closing(r: HostResult): { step: FinishStep; commit(): void; withdraw(): void } {
    this.finished(r, false);
    const lines = this.buffer.peek();
    return {
      step: appendJournalCmd(this.input.stack.stateDir, lines),
      commit: () => {
        this.buffer.dropFirst(lines.length);
        appendLocalMirror(this.input.run.root, this.input.run.env, this.input.host, lines);
      },
      withdraw: () => this.buffer.dropLast(),
    };
  }

  /** The buffered events as the append step of the run's last exec (undefined when there are none), drained. */
  drainStep(): FinishStep | undefined {
    const lines = this.buffer.drain();
    if (lines.length === 0) return undefined;
    appendLocalMirror(this.input.run.root, this.input.run.env, this.input.host, lines);
    return appendJournalCmd(this.input.stack.stateDir, lines);
  }
}
