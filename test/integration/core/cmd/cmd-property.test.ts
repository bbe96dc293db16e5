// Property: whatever the bytes, render() read back by a real POSIX shell yields exactly the same arguments.
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exec, secret, withEnv } from '../../../../src/core/cmd/cmd.js';
import { render } from '../../../../src/core/cmd/render.js';
import { toRemote } from '../../../../src/core/cmd/remote.js';

const NASTY = [
  "'",
  '"',
  '\\',
  '$',
  '$(id)',
  '`id`',
  ';',
  '&',
  '|',
  '\n',
  '\r',
  '\t',
  ' ',
  '-',
  '--',
  '*',
  '?',
  '~',
  '#',
  '!',
  '{',
  '}',
  '=',
  '%',
  'é',
  '😀',
  '\u00a0',
];
const unit = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }));
/** Arbitrary strings without NUL (no argv can carry it). */
const word = fc.string({ unit, maxLength: 12 }).filter((s) => !s.includes('\0'));

const SHELLS = ['/bin/sh', '/bin/bash'];

function nulJoined(args: readonly string[]): Buffer {
  return Buffer.from(args.map((a) => `${a}\0`).join(''), 'utf8');
}

describe('render through a real shell', () => {
  it.each(SHELLS)('printf %%s\\0 args are byte-exact under %s', async (shell) => {
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 6 }), async (args) => {
        const { command } = toRemote(exec(['printf', '%s\\0', ...args]), { sudo: false });
        const out = await execa(shell, ['-c', command], { encoding: 'buffer', stripFinalNewline: false });
        expect(Buffer.from(out.stdout)).toEqual(nulJoined(args));
      }),
      { numRuns: 150 },
    );
  });

  it('render alone (no wrapper) round-trips too', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 6 }), async (args) => {
        const out = await execa('/bin/sh', ['-c', render(exec(['printf', '%s\\0', ...args]))], {
          encoding: 'buffer',
          stripFinalNewline: false,
        });
        expect(Buffer.from(out.stdout)).toEqual(nulJoined(args));
      }),
      { numRuns: 100 },
    );
  });

  it('secrets arrive byte-exact through stdin and the caller stdin follows them', async () => {
    await fc.assert(
      fc.asyncProperty(word, word, async (a, b) => {
        const node = withEnv(exec(['/bin/sh', '-c', 'printf "%s\\0%s\\0" "$A" "$B"; cat']), {
          A: secret(a),
          B: secret(b),
        });
        const inv = toRemote(node, { sudo: false });
        const input = Buffer.concat([inv.stdinPrefix, Buffer.from('rest of stdin\n')]);
        const out = await execa('/bin/sh', ['-c', inv.command], {
          input,
          encoding: 'buffer',
          stripFinalNewline: false,
        });
        expect(Buffer.from(out.stdout)).toEqual(Buffer.concat([nulJoined([a, b]), Buffer.from('rest of stdin\n')]));
        if (a.length > 3) expect(inv.command).not.toContain(a);
      }),
      { numRuns: 100 },
    );
  });
});
