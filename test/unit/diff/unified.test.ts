// additionPatch (the patch of a new file, written without jsdiff) is byte-equal to jsdiff's own, on any text.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { additionPatch, unifiedDiff } from '../../../src/diff/unified.js';

const jsdiff = (oldName: string, text: string): string =>
  createTwoFilesPatch(oldName, 'p (rig)', '', text, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });

// pieces that make line handling differ: newlines, CR, CRLF, a lone backslash, diff markers, non-ASCII, U+2028
const PIECES = ['a', 'b c', '\n', '\n', '\r', '\r\n', '\\', '-', '+', '@@ -1 @@', 'é', '😀', '\u2028', ' ', '\t', ''];
const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((ps) => ps.join(''));

describe('additionPatch', () => {
  it.each([
    ['empty', ''],
    ['one newline', '\n'],
    ['blank lines', '\n\n\n'],
    ['no newline at the end', 'x'],
    ['lines', 'a\nb\n'],
    ['lines, the last without newline', 'a\nb'],
    ['CRLF', 'a\r\nb\r\n'],
    ['a lone CR', 'a\rb\n'],
    ['diff markers as content', '--- x\n+++ y\n@@ -0,0 +1 @@\n\\ No newline at end of file\n'],
  ])('%s: as jsdiff writes it', (_, t) => {
    expect(additionPatch('/dev/null', 'p (rig)', t)).toBe(jsdiff('/dev/null', t));
    expect(additionPatch('p (remote)', 'p (rig)', t)).toBe(jsdiff('p (remote)', t));
  });

  it('any text: as jsdiff writes it (property)', () => {
    fc.assert(
      fc.property(text, (t) => additionPatch('/dev/null', 'p (rig)', t) === jsdiff('/dev/null', t)),
      { numRuns: 3000 },
    );
  });
});

describe('unifiedDiff of a new file', () => {
  it('masks a secret, caps the lines, and is undefined for an empty file', () => {
    const redactor = new Redactor(['s3cr3t-value-1234']);
    const after = 'key = s3cr3t-value-1234\n' + Array.from({ length: 9 }, (_, i) => `l${i}\n`).join('');
    expect(unifiedDiff({ path: '/etc/x', before: undefined, after, redactor, maxLines: 5 })).toBe(
      '--- /dev/null\n+++ /etc/x (rig)\n@@ -0,0 +1,10 @@\n+key = ***\n+l0\n… 8 more lines\n',
    );
    expect(unifiedDiff({ path: '/etc/x', before: undefined, after: '', redactor })).toBeUndefined();
    expect(unifiedDiff({ path: '/etc/x', before: '', after: 'a\n', redactor })).toBe(
      '--- /etc/x (remote)\n+++ /etc/x (rig)\n@@ -0,0 +1,1 @@\n+a\n',
    );
  });
});
