// The journal's pure parts: redaction of drained lines, parsing with malformed lines skipped, the human format, the
// mirror.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { formatJournal, parseJournal } from '../../../src/journal/journal-read.js';
import { render } from '../../../src/core/cmd/render.js';
import {
  appendJournalCmd,
  appendLocalMirror,
  JOURNAL_FILE,
  JournalBuffer,
  type JournalEvent,
} from '../../../src/journal/journal.js';

const BASE = { env: 'prod', host: 'web1', deployId: 'd-1', user: 'alice' } as const;

function ev(ts: string, event: JournalEvent['event'], extra: Record<string, unknown> = {}): JournalEvent {
  return { ts, event, ...BASE, ...extra };
}

describe('JournalBuffer', () => {
  it('drains JSON lines with every registered secret masked, and empties itself', () => {
    const secrets = ['sk-live-4f9a8b7c', 'pa"ss\\word', 'tab\there'];
    const buf = new JournalBuffer(new Redactor(secrets));
    buf.add(ev('2026-12-01T07:10:00Z', 'deploy.started', { note: 'token sk-live-4f9a8b7c in a message' }));
    buf.add(
      ev('2026-12-01T07:10:01Z', 'files.changed', {
        files: [{ path: '/x', diff: '+API_KEY=pa"ss\\word' }],
        ['tab\there']: true,
      }),
    );
    expect(buf.length).toBe(2);
    const lines = buf.drain();
    expect(buf.length).toBe(0);
    expect(buf.drain()).toEqual([]);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      for (const s of secrets) {
        expect(line).not.toContain(s);
        expect(line).not.toContain(JSON.stringify(s).slice(1, -1)); // nor its JSON-escaped form
      }
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'deploy.started', note: 'token *** in a message' });
    expect(JSON.parse(lines[1]!)).toMatchObject({ files: [{ path: '/x', diff: '+API_KEY=***' }], '***': true });
  });

  it('masks a secret that matches a number, even though the line then is text', () => {
    const buf = new JournalBuffer(new Redactor(['4242']));
    buf.add(ev('t', 'deploy.started', { pid: 4242 }));
    const [line] = buf.drain();
    expect(line).not.toContain('4242');
    expect(JSON.parse(line!)).toMatchObject({ pid: '***' });
  });
});

describe('parseJournal', () => {
  it('keeps good lines in order and counts the malformed ones', () => {
    const good = JSON.stringify(ev('2026-12-01T07:10:00Z', 'deploy.started'));
    const text = [
      good,
      '{not json',
      JSON.stringify({ ...ev('t', 'deploy.started'), event: 'deploy.exploded' }),
      '',
      JSON.stringify({ ts: 't' }),
      good,
      '',
    ].join('\n');
    const events = parseJournal(text);
    expect(events).toHaveLength(2);
    expect(events.malformed).toBe(3);
    expect(events[0]).toEqual(JSON.parse(good));
  });
});

describe('formatJournal', () => {
  it('prints one stable line per event: ts host event user, summary, then key=value', () => {
    const events = [
      ev('2026-12-01T07:10:00Z', 'deploy.started', { command: 'rig deploy --env prod' }),
      ev('2026-12-01T07:12:03Z', 'deploy.finished', {
        summary: '3 services recreated',
        durationMs: 123000,
        services: ['web', 'worker'],
      }),
      ev('2026-12-01T07:12:04Z', 'lock.broken', { holder: 'bob@desk', pid: 77 }),
      { ...ev('2026-12-01T07:12:05Z', 'health.result', { summary: 'bad\u001b[2J', ok: false }), user: 'eve smith' },
    ];
    expect(formatJournal(events).split('\n')).toEqual([
      '2026-12-01T07:10:00Z web1 deploy.started alice command="rig deploy --env prod"',
      '2026-12-01T07:12:03Z web1 deploy.finished alice 3 services recreated durationMs=123000 services=["web","worker"]',
      '2026-12-01T07:12:04Z web1 lock.broken alice holder=bob@desk pid=77',
      '2026-12-01T07:12:05Z web1 health.result "eve smith" "bad\\u001b[2J" ok=false',
    ]);
    expect(formatJournal([])).toBe('');
  });

  it('escapes the control characters JSON leaves raw (C1, bidi overrides)', () => {
    expect(formatJournal([ev('t', 'smoke.result', { summary: 'a\u009bb', probe: 'x\u202ey' })])).toBe(
      't web1 smoke.result alice "a\\u{9b}b" probe="x\\u{202e}y"',
    );
  });
});

describe('appendLocalMirror', () => {
  it('appends to <root>/.rig/journal/<env>/<host>.jsonl, mode 0600', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rig-mirror-'));
    appendLocalMirror(root, 'prod', 'web1', ['{"a":1}', '{"a":2}']);
    appendLocalMirror(root, 'prod', 'web1', ['{"a":3}']);
    appendLocalMirror(root, 'prod', 'web1', []);
    const file = path.join(root, '.rig', 'journal', 'prod', 'web1.jsonl');
    expect(readFileSync(file, 'utf8')).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses names that would leave the mirror directory, and lines with line breaks', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rig-mirror-'));
    expect(() => appendLocalMirror(root, 'prod', '../../etc', ['{}'])).toThrow(/invalid host name/);
    expect(() => appendLocalMirror(root, '..', 'web1', ['{}'])).toThrow(/invalid environment name/);
    expect(() => appendLocalMirror(root, 'prod', 'web1', ['{}\n{}'])).toThrow(/line break/);
  });
});

describe('appendJournalCmd under sh', () => {
  it('appends exactly its batch in one write, however stdin arrives, leaving what follows; creates the file 0600', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rig-journal-'));
    try {
      const state = path.join(dir, 'state');
      const lines = ['{"event":"deploy.started","note":"é"}', '{"event":"deploy.finished"}'];
      const { cmd, stdin } = appendJournalCmd(state, lines);
      // the batch in two writes, then bytes a later part of the same exec reads: the append must leave them
      const script = `{ printf '%s' "$1" | head -c 5; printf '%s' "$1" | tail -c +6; printf 'rest'; } | { ${render(cmd)}; cat; }`;
      const rest = execFileSync('sh', ['-c', script, 'sh', stdin]).toString();
      expect(rest).toBe('rest');
      expect(readFileSync(path.join(state, JOURNAL_FILE), 'utf8')).toBe(`${lines.join('\n')}\n`);
      expect(statSync(path.join(state, JOURNAL_FILE)).mode & 0o777).toBe(0o600);
      expect(statSync(state).mode & 0o777).toBe(0o700);
      execFileSync('sh', ['-c', render(cmd)], { input: stdin });
      expect(readFileSync(path.join(state, JOURNAL_FILE), 'utf8')).toBe(`${lines.join('\n')}\n`.repeat(2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
