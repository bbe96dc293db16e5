// rig logs, pure parts: docker's timestamped lines, the line splitter (pty CRLF, split UTF-8), the merge by time,
// the flags, and the remote command as it is rendered.
import { describe, expect, it } from 'vitest';
import { display } from '../../../src/core/cmd/render.js';
import { LineSplitter, parseLogLine } from '../../../src/logs/log-line.js';
import { LogMerger } from '../../../src/logs/log-merge.js';
import { logsCmd, parseSince, parseTail } from '../../../src/logs/logs-cmd.js';

describe('parseLogLine', () => {
  it('splits the RFC3339Nano stamp (trailing zeros dropped by docker) into a sortable key', () => {
    expect(parseLogLine('h1', '2026-12-05T10:17:32.7115Z hello  world')).toEqual({
      host: 'h1',
      key: '2026-12-05T10:17:32.711500000',
      time: '2026-12-05T10:17:32.7115Z',
      text: 'hello  world',
    });
    expect(parseLogLine('h1', '2026-12-05T10:17:32Z x').key).toBe('2026-12-05T10:17:32.000000000');
    expect(parseLogLine('h2', 'Error response from daemon: boom')).toEqual({
      host: 'h2',
      key: undefined,
      time: undefined,
      text: 'Error response from daemon: boom',
    });
  });
});

describe('LineSplitter', () => {
  it('keeps an unfinished line for the next chunk, strips a pty CR, and never cuts a UTF-8 character', () => {
    const s = new LineSplitter();
    const euro = Buffer.from('€');
    expect(s.push(Buffer.concat([Buffer.from('a\r\nb'), euro.subarray(0, 1)]))).toEqual(['a']);
    expect(s.push(Buffer.concat([euro.subarray(1), Buffer.from('\nc')]))).toEqual(['b€']);
    expect(s.end()).toEqual(['c']);
    expect(s.end()).toEqual([]);
  });
});

describe('LogMerger', () => {
  const line = (host: string, second: number, text: string) => ({
    host,
    key: `2026-12-05T10:00:${String(second).padStart(2, '0')}.000000000`,
    time: undefined,
    text,
  });

  it('holds lines until every host started, then hands out those older than the hold, sorted by time', () => {
    const m = new LogMerger(300);
    m.push(line('h1', 3, 'a3'), 0);
    m.push(line('h2', 1, 'b1'), 50);
    expect(m.flush(1000)).toEqual([]);
    m.open();
    m.push(line('h1', 5, 'a5'), 900);
    expect(m.flush(1000).map((l) => l.text)).toEqual(['b1', 'a3']);
    m.push(line('h2', 4, 'b4'), 1100);
    expect(m.flush(1250).map((l) => l.text)).toEqual(['a5']);
    expect(m.end().map((l) => l.text)).toEqual(['b4']);
  });

  it('without a hold limit (no -f) everything comes out at the end, in time order, same stamps in arrival order', () => {
    const m = new LogMerger(Infinity);
    m.open();
    m.push(line('h2', 2, 'x'), 0);
    m.push(line('h1', 1, 'y'), 1);
    m.push(line('h1', 2, 'z'), 2);
    expect(m.flush(1e12)).toEqual([]);
    expect(m.end().map((l) => `${l.host}:${l.text}`)).toEqual(['h1:y', 'h2:x', 'h1:z']);
  });
});

describe('logs flags and command', () => {
  it('--since takes durations, days, times and epoch seconds; --tail a number or all', () => {
    expect(['10m', '1h30m', '90s', '2026-12-01', '2026-12-01T07:00:00Z', '1796465660'].map(parseSince)).toEqual([
      '10m',
      '1h30m',
      '90s',
      '2026-12-01',
      '2026-12-01T07:00:00Z',
      '1796465660',
    ]);
    expect(parseSince('2d')).toBe('48h');
    expect(() => parseSince('10 minutes')).toThrow('rig logs --since: "10 minutes" is not a duration');
    expect([parseTail('0'), parseTail('25'), parseTail('all')]).toEqual([0, 25, undefined]);
    expect(() => parseTail('-3')).toThrow('rig logs --tail: "-3" is not a number');
  });

  it('the container and every flag are positional parameters of the script, never its text', () => {
    const c = logsCmd({ container: "app_web'; rm -rf /", follow: true, since: '10m', tail: 5 });
    expect(c.argv.slice(3)).toEqual([
      'sh',
      "app_web'; rm -rf /",
      '--timestamps',
      '--follow',
      '--since',
      '10m',
      '--tail',
      '5',
    ]);
    expect(display(c)).toContain(`sh 'app_web'\\''; rm -rf /' --timestamps --follow --since 10m --tail 5`);
  });
});
