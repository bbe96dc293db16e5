// The deploy journal's write side: its events, a buffer that redacts them, the append on a host and the local mirror.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { exec, not, or, sh, type ExecNode } from '../core/cmd/cmd.js';
import type { Redactor } from '../core/redact/redactor.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';

/** Every event a journal line can carry; readers skip lines with any other name. */
export const JOURNAL_EVENT_NAMES = [
  'deploy.started',
  'deploy.finished',
  'deploy.failed',
  'deploy.interrupted',
  'files.changed',
  'files.failed',
  'service.recreated',
  'health.result',
  'rollback.started',
  'rollback.finished',
  'lock.broken',
  'lock.expired',
  'lock.lost',
  'deploy.resumed',
  'compose.failed',
  'precheck.failed',
  'smoke.result',
  'checklist.decision',
] as const;

export type JournalEventName = (typeof JOURNAL_EVENT_NAMES)[number];

/**
 * One journal line. Beyond the common fields an event carries its own; a string `summary` is what
 * `formatJournal` shows first (e.g. "3 services recreated").
 */
export interface JournalEvent {
  readonly ts: string;
  readonly event: JournalEventName;
  readonly env: string;
  readonly host: string;
  readonly deployId: string;
  readonly user: string;
  readonly [k: string]: unknown;
}

/** The journal's file name inside a host's state dir. */
export const JOURNAL_FILE = 'journal.jsonl';

/** Events collected during a run, flushed to the host (and the mirror) in few round trips. */
export class JournalBuffer {
  private events: JournalEvent[] = [];

  constructor(private readonly redactor: Redactor) {}

  add(e: JournalEvent): void {
    this.events.push(e);
  }

  get length(): number {
    return this.events.length;
  }

  /**
   * The buffered events as JSON lines, emptied. Strings (keys too) are redacted before serializing, because
   * JSON escaping would hide a secret holding `"` or `\` from a redaction of the line; the line is redacted
   * once more after, so no secret survives even in the rare case where it matches JSON text (a secret
   * "true" or "42"): such a line may then no longer parse, and readers skip it.
   */
  drain(): string[] {
    const lines = this.peek();
    this.events = [];
    return lines;
  }

  /** The buffered events as `drain` renders them, kept. */
  peek(): string[] {
    return this.events.map((e) => this.redactor.redact(JSON.stringify(redactValue(e, this.redactor))));
  }

  /** Drops the first `n` events (those a `peek` rendered and the host now holds). */
  dropFirst(n: number): void {
    this.events = this.events.slice(n);
  }

  /** Takes the last event back. */
  dropLast(): void {
    this.events = this.events.slice(0, -1);
  }
}

function redactValue(v: unknown, r: Redactor): unknown {
  if (typeof v === 'string') return r.redact(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
    return r.touches(String(v)) ? r.redact(String(v)) : v;
  if (Array.isArray(v)) return v.map((x) => redactValue(x, r));
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [r.redact(k), redactValue(x, r)]));
  return v;
}

/*
 * Args: stateDir, the batch's size in bytes. Stdin: the lines. GNU dd reads exactly that many bytes (`fullblock`:
 * whatever pieces they arrive in over SSH) and appends them with a single write(2); an O_APPEND write is applied
 * whole on Linux local filesystems, so two runs appending at once never interleave. One process (it was a temp file,
 * two cats and an rm). The file is created 0600 (umask), the dir 0700.
 */
const APPEND = `[ -d "$1" ] || mkdir -p -m 0700 -- "$1" || exit 1
umask 077
exec dd bs="$2" count=1 iflag=fullblock oflag=append conv=notrunc status=none of="$1/${JOURNAL_FILE}"`;

/**
 * Appends `lines` to `<stateDir>/journal.jsonl` (created 0600, the dir 0700) in ONE exec, the lines on
 * stdin (never argv). No exec at all for an empty batch. Throws RemoteCommandError when the append fails.
 */
export async function appendJournal(
  t: Transport,
  stateDir: string,
  lines: readonly string[],
  opts: { become?: boolean } = {},
): Promise<void> {
  if (lines.length === 0) return;
  const { cmd, stdin } = appendJournalCmd(stateDir, lines);
  await run(t, cmd, { stdin, become: opts.become === true });
}

/**
 * A host's lines outside a deploy (smoke, checklist): always in the workstation's mirror, and on the host when it was
 * reached and has a state dir (one exec, the lines on stdin, no lock: one O_APPEND write). A host never deployed to
 * gets nothing written.
 */
export async function journalOutsideDeploy(
  where: { readonly root: string; readonly env: string },
  host: { readonly name: string; readonly stateDir: string; readonly become: boolean },
  lines: readonly string[],
  t: Transport | undefined,
): Promise<void> {
  appendLocalMirror(where.root, where.env, host.name, lines);
  if (t === undefined || lines.length === 0) return;
  const append = appendJournalCmd(host.stateDir, lines);
  await run(t, or(not(exec(['test', '-d', host.stateDir])), append.cmd), { stdin: append.stdin, become: host.become });
}

/** The append as a command and its stdin, for callers that join it with another step in one exec. */
export function appendJournalCmd(stateDir: string, lines: readonly string[]): { cmd: ExecNode; stdin: string } {
  if (stateDir === '' || stateDir.startsWith('-'))
    throw new Error(`invalid state directory ${JSON.stringify(stateDir)}`);
  const stdin = journalText(lines);
  return { cmd: sh(APPEND, stateDir, String(Buffer.byteLength(stdin, 'utf8'))), stdin };
}

/** Appends `lines` to the workstation's copy `<root>/.rig/journal/<env>/<host>.jsonl` (dirs 0700, file 0600). */
export function appendLocalMirror(root: string, env: string, host: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  const dir = path.join(root, '.rig', 'journal', pathSegment(env, 'environment'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  appendFileSync(path.join(dir, `${pathSegment(host, 'host')}.jsonl`), journalText(lines), { mode: 0o600 });
}

/** The batch as JSONL text; a line holding a newline would split into two broken lines, so it is refused. */
function journalText(lines: readonly string[]): string {
  for (const l of lines)
    if (/[\n\r]/.test(l)) throw new Error(`journal line holds a line break: ${JSON.stringify(l.slice(0, 80))}`);
  return `${lines.join('\n')}\n`;
}

/** An env or host name used as one path component: no separators, no `..`. */
function pathSegment(name: string, what: string): string {
  if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name))
    throw new Error(`invalid ${what} name for the journal mirror: ${JSON.stringify(name)}`);
  return name;
}
