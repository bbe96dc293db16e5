// The file-state fact: its parser on output recorded from the real script, its command shape and its refusals.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fileStateCmd, parseFileState, type PathState } from '../../../../src/facts/files/file-state.js';

interface Recording {
  readonly exitCode: number;
  readonly paths: string[];
  readonly stdout: string;
}
const rec = JSON.parse(
  readFileSync(new URL('../../../fixtures/facts/file-state.json', import.meta.url), 'utf8'),
) as Recording;
const R = '/tmp/rig-file-state-fixture/';
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
/** The recorder dates every file's content 2023-11-14T22:13:20Z but two (see record-file-state.ts). */
const MTIME = 1_700_000_000;
const rootFile = (content: string, mode: number, modifiedAt = MTIME): PathState => ({
  kind: 'file',
  sha256: sha(content),
  size: Buffer.byteLength(content),
  modifiedAt,
  mode,
  uid: 0,
  gid: 0,
  owner: 'root',
  group: 'root',
});

describe('parseFileState on recorded output', () => {
  const states = parseFileState(rec.stdout, rec.paths);
  // the ctime of `future` (10th path): the time of recording, before its mtime
  const recordedAt = Number(rec.stdout.split('--stat\n')[1]!.split('\n')[9]!.split(':')[5]);

  it('was recorded after 2026-12-01 with `future` dated in 2100', () => {
    expect(recordedAt).toBeGreaterThan(Date.parse('2026-12-01T00:00:00Z') / 1000);
    expect(rec.stdout).toContain(':4102444800:');
  });

  it('reads every awkward path by its position, whatever bytes its name holds', () => {
    expect(rec.exitCode).toBe(0);
    expect(Object.fromEntries(states)).toEqual({
      [`${R}plain.txt`]: rootFile('hello\n', 0o644),
      [`${R}empty`]: rootFile('', 0o600),
      [`${R}sp ace 'q" $x`]: rootFile('quotes\n', 0o640),
      [`${R}new\nline`]: rootFile('nl\n', 0o644),
      [`${R}trail\n`]: rootFile('trailing newline in the name\n', 0o644),
      [`${R}-n`]: rootFile('leading dash\n', 0o644),
      [`${R}ünïcödé.conf`]: rootFile('ü\n', 0o644),
      [`${R}a:b`]: rootFile('colon in the name\n', 0o644),
      [`${R}setuid`]: rootFile('#!/bin/sh\n', 0o4755),
      // an mtime in 2100, later than its ctime (when it was recorded): the content was written by then
      [`${R}future`]: rootFile('mtime in 2100\n', 0o644, recordedAt),
      [`${R}before-1970`]: rootFile('mtime in 1969\n', 0o644, -86_400),
      [`${R}subdir`]: { kind: 'dir', mode: 0o2750, uid: 12345, gid: 54321, owner: '12345', group: '54321' },
      [`${R}nobody.txt`]: {
        ...rootFile('owned by nobody\n', 0o644),
        uid: 65534,
        gid: 65534,
        owner: 'nobody',
        group: 'nogroup',
      },
      [`${R}link`]: { kind: 'other', type: 'symlink' },
      [`${R}fifo`]: { kind: 'other', type: 'fifo' },
      '/dev/null': { kind: 'other', type: 'char-device' },
      [`${R}missing`]: { kind: 'missing', parentDir: true },
      [`${R}no-dir/missing`]: { kind: 'missing', parentDir: false },
      [`${R}plain.txt/x`]: { kind: 'missing', parentDir: false },
      '/': { kind: 'dir', mode: 0o755, uid: 0, gid: 0, owner: 'root', group: 'root' },
    });
  });

  it('keeps the order of the paths it was given', () => {
    expect([...states.keys()]).toEqual(rec.paths);
  });
});

describe('parseFileState refuses what it does not understand', () => {
  const hash = 'a'.repeat(64);
  const out = (pass1: string, stat = '', hashes = ''): string => `${pass1}--stat\n${stat}--hash\n${hashes}`;
  it.each([
    ['a record for an index beyond the paths', out('0:M:1\n1:M:1\n'), 'unexpected record'],
    ['a duplicate record', out('0:M:1\n0:M:0\n'), 'unexpected record'],
    ['no record for a path (the script failed on it)', out(''), 'no record for "/a"'],
    ['no sections at all', '0:M:1\n', 'no --stat/--hash sections'],
    ['an unknown record kind', out('0:X:1\n', '81a4:0:0:6:9:9:root:root\n'), 'malformed or short output'],
    ['a file without its stat line', out('0:F\n', '', `${hash}  /a\0`), 'malformed or short output'],
    ['a regular file without a hash', out('0:F\n', '81a4:0:0:6:9:9:root:root\n'), 'malformed or short output'],
    ['too few stat fields', out('0:E\n', '81a4:0:0:6:9:9:root\n'), 'malformed record'],
    [
      'a name with a colon would shift the fields',
      out('0:F\n', '81a4:0:0:6:9:9:ro:ot:root\n', `${hash}  /a\0`),
      'malformed record',
    ],
    ['a non-hex mode', out('0:F\n', 'zz:0:0:6:9:9:root:root\n', `${hash}  /a\0`), 'malformed record'],
    ['an mtime that is not a number', out('0:F\n', '81a4:0:0:6:?:9:root:root\n', `${hash}  /a\0`), 'malformed record'],
    ['a file without times', out('0:F\n', '81a4:0:0:6:root:root\n', `${hash}  /a\0`), 'malformed record'],
    ['a negative uid', out('0:F\n', '81a4:-1:0:6:9:9:root:root\n', `${hash}  /a\0`), 'malformed record'],
    [
      'more stat lines than paths (a path appeared meanwhile)',
      out('0:M:1\n', '81a4:0:0:6:9:9:root:root\n'),
      'more stat or hash records',
    ],
  ])('%s', (_name, stdout, message) => {
    expect(() => parseFileState(stdout, ['/a'])).toThrow(message);
  });

  it('parses an empty batch', () => {
    expect(parseFileState('--stat\n--hash\n', []).size).toBe(0);
  });
});

describe('fileStateCmd', () => {
  it('is one /bin/sh -c script taking the paths as positional arguments, never in its text', () => {
    const paths = ["/etc/it's", '/a\nb', '/$(reboot)'];
    const c = fileStateCmd(paths);
    expect(c.argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(c.argv.slice(3)).toEqual(['sh', ...paths]);
    for (const p of paths) expect(c.argv[2]).not.toContain(p);
  });

  it('refuses relative paths and batches too long for one remote command line', () => {
    expect(() => fileStateCmd(['etc/x'])).toThrow('path must be absolute: "etc/x"');
    const many = Array.from({ length: 2000 }, (_, i) => `/srv/${'x'.repeat(60)}/${i}`);
    expect(() => fileStateCmd(many)).toThrow(
      /file-state of 2000 paths: the command is \d+ bytes, over the 120000-byte/,
    );
  });
});
