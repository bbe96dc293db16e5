// The deploy journal's read side: fetch a host's journal, parse it line by line (skipping bad lines), format it for
// people.
import { z } from 'zod';
import { sh } from '../core/cmd/cmd.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { JOURNAL_EVENT_NAMES, JOURNAL_FILE, type JournalEvent } from './journal.js';

/** Parsed events in file order, plus how many non-blank lines were skipped as malformed. */
export type JournalEvents = JournalEvent[] & { readonly malformed: number };

const EventSchema = z.looseObject({
  ts: z.string(),
  event: z.enum(JOURNAL_EVENT_NAMES),
  env: z.string(),
  host: z.string(),
  deployId: z.string(),
  user: z.string(),
});

/**
 * Parses JSONL text. A line that is not JSON, lacks a common field or names an unknown event (say, from a
 * newer rig) is skipped and counted in `malformed`; blank lines are ignored.
 */
export function parseJournal(text: string): JournalEvents {
  const events: JournalEvent[] = [];
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const e = parseLine(line);
    if (e === undefined) malformed++;
    else events.push(e);
  }
  return Object.assign(events, { malformed });
}

function parseLine(line: string): JournalEvent | undefined {
  try {
    const r = EventSchema.safeParse(JSON.parse(line));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Args: stateDir, line limit ('' = all). No journal yet prints nothing. */
const READ = `f=$1/${JOURNAL_FILE}
[ -e "$f" ] || exit 0
if [ -n "$2" ]; then exec tail -n "$2" -- "$f"; fi
exec cat -- "$f"`;

/**
 * Reads `<stateDir>/journal.jsonl` in one exec; `limit` keeps the last that many lines (malformed ones
 * included). A host without a journal yields no events. Malformed lines are skipped, see `parseJournal`.
 */
export async function readJournal(
  t: Transport,
  stateDir: string,
  opts: { become?: boolean; limit?: number } = {},
): Promise<JournalEvents> {
  const { limit } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new Error(`journal limit must be a whole number >= 1, got ${limit}`);
  if (stateDir === '' || stateDir.startsWith('-'))
    throw new Error(`invalid state directory ${JSON.stringify(stateDir)}`);
  const r = await run(t, sh(READ, stateDir, limit === undefined ? '' : String(limit)), {
    become: opts.become === true,
  });
  return parseJournal(r.stdout);
}

const COMMON_KEYS = new Set(['ts', 'event', 'env', 'host', 'deployId', 'user', 'summary']);

/**
 * One line per event: `<ts> <host> <event> <user>`, then the event's `summary` when it is a string, then its
 * other own fields as `key=value` in their written order (strings bare when they hold no blank, quote or
 * control character, else JSON-quoted; other values as JSON). `env` and `deployId` are left out: a journal is
 * read per env, and a deploy's lines sit together. E.g.
 * `2026-12-01T07:10:00Z web1 deploy.finished alice 3 services recreated durationMs=8123`.
 */
export function formatJournal(events: readonly JournalEvent[]): string {
  return events.map(formatEvent).join('\n');
}

function formatEvent(e: JournalEvent): string {
  const head = [e.ts, e.host, e.event, e.user].map(word);
  const summary = typeof e['summary'] === 'string' && e['summary'] !== '' ? [text(e['summary'])] : [];
  const rest = Object.entries(e)
    .filter(([k]) => !COMMON_KEYS.has(k))
    .map(([k, v]) => `${word(k)}=${typeof v === 'string' ? word(v) : quoted(v)}`);
  return [...head, ...summary, ...rest].join(' ');
}

/** A token: bare when it has no blank, quote, backslash or control character (journal text comes from a host). */
function word(s: string): string {
  return s !== '' && !/[\s"'\\\p{C}]/u.test(s) ? s : quoted(s);
}

/** Free text: bare unless it holds a control character. */
function text(s: string): string {
  return /\p{C}/u.test(s) ? quoted(s) : s;
}

/** JSON, with the control and format characters JSON leaves raw (DEL, C1 such as CSI, bidi overrides) escaped too. */
function quoted(v: unknown): string {
  const json = JSON.stringify(v) ?? 'undefined';
  return json.replace(/\p{C}/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
