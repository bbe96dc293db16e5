// The test-only pause points: off by default, strict about their names, and a held run released by a file or an abort.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pauseFiles, testPauses } from '../../../src/engine/test-pause.js';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'rig-pause-'));

describe('testPauses', () => {
  it('is off unless RIG_TEST_PAUSE names points', () => {
    expect(testPauses({})).toBeUndefined();
    expect(testPauses({ RIG_TEST_PAUSE: ' ' })).toBeUndefined();
  });

  it('refuses unknown points and a missing or relative directory', () => {
    expect(() => testPauses({ RIG_TEST_PAUSE: 'during-up,bogus', RIG_TEST_PAUSE_DIR: '/tmp' })).toThrow(
      'unknown pause point bogus (known: before-lock, after-facts, before-files, after-files, during-up, during-gate, during-rollback)',
    );
    expect(() => testPauses({ RIG_TEST_PAUSE: 'during-up' })).toThrow('RIG_TEST_PAUSE_DIR');
    expect(() => testPauses({ RIG_TEST_PAUSE: 'during-up', RIG_TEST_PAUSE_DIR: 'rel' })).toThrow('RIG_TEST_PAUSE_DIR');
  });

  it('holds a named point until the go file appears, and passes the others at once', async () => {
    const dir = tmp();
    const pause = testPauses({ RIG_TEST_PAUSE: 'after-files', RIG_TEST_PAUSE_DIR: dir })!;
    await pause('before-files', 'h1');
    const files = pauseFiles(dir, 'h1', 'after-files');
    let done = false;
    const held = pause('after-files', 'h1').then(() => (done = true));
    for (let i = 0; i < 200 && !existsSync(files.reached); i++) await new Promise((r) => setTimeout(r, 10));
    expect(readFileSync(files.reached, 'utf8')).toBe(`${process.pid}\n`);
    expect(done).toBe(false);
    writeFileSync(files.go, '');
    await held;
    expect(done).toBe(true);
  });

  it('fails after its timeout: a test that died never leaves rig held', async () => {
    const dir = tmp();
    const pause = testPauses({
      RIG_TEST_PAUSE: 'during-gate',
      RIG_TEST_PAUSE_DIR: dir,
      RIG_TEST_PAUSE_TIMEOUT: '0.2',
    })!;
    await expect(pause('during-gate', 'web/1')).rejects.toThrow(
      'test pause during-gate on web/1: not released within 0.2 s',
    );
    expect(existsSync(pauseFiles(dir, 'web/1', 'during-gate').reached)).toBe(true);
  });
});
