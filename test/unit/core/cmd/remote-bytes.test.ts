// remoteCommandBytes (the command-line limit's measure) equals the length of what toRemote builds, on any command.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  and,
  exec,
  not,
  pipe,
  secret,
  seq,
  sh,
  toFile,
  type Cmd,
  type EnvValue,
} from '../../../../src/core/cmd/cmd.js';
import { assertCommandFits, MAX_REMOTE_COMMAND_BYTES } from '../../../../src/core/cmd/limit.js';
import { remoteCommandBytes, toRemote } from '../../../../src/core/cmd/remote.js';

const built = (cmd: Cmd, sudo: boolean): number => Buffer.byteLength(toRemote(cmd, { sudo }).command, 'utf8');

// words that quote differently: bare, empty, spaces, single quotes (nested quoting multiplies them), non-ASCII
const PIECES = ['a', 'x/y.z', '', ' ', "'", "''", '"', '$1', '\\', '\n', 'é', '😀', '=', 'if', '*'];
const word = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((ps) => ps.join(''));
const envValue: fc.Arbitrary<EnvValue> = fc.oneof(
  word,
  word.map((w) => secret(`s3cr3t-${w}`)),
);
const leaf: fc.Arbitrary<Cmd> = fc.oneof(
  fc
    .tuple(
      word.filter((w) => w !== ''),
      fc.array(word, { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('A', 'TOKEN'), envValue),
    )
    .map(([p, args, env]) => exec([p, ...args], env)),
  fc.tuple(word, fc.array(word, { maxLength: 4 })).map(([script, args]) => sh(`echo ${script}`, ...args)),
);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  leaf,
  fc.tuple(leaf, leaf).map(([a, b]) => and(a, b)),
  fc.tuple(leaf, leaf).map(([a, b]) => pipe(a, b)),
  fc.tuple(leaf, leaf).map(([a, b]) => seq(not(a), b)),
  fc
    .tuple(
      leaf,
      word.filter((w) => w !== ''),
    )
    .map(([a, f]) => toFile(a, `/tmp/${f}`)),
);

describe('remoteCommandBytes', () => {
  it.each([
    ['a lone program', exec(['stat', '-c', '%s', '--', "/srv/it's here"])],
    ['an sh script with arguments', sh('printf \'%s\\n\' "$1"', "o'neil", 'é')],
    ['a secret in the environment', exec(['curl', 'https://x'], { TOKEN: secret("t'ok\nen") })],
    ['a list', and(exec(['true']), pipe(exec(['echo', "'"]), exec(['cat'])))],
  ])('%s: with and without sudo', (_, c) => {
    expect(remoteCommandBytes(c, { sudo: false })).toBe(built(c, false));
    expect(remoteCommandBytes(c, { sudo: true })).toBe(built(c, true));
  });

  it('any command, with and without sudo (property)', () => {
    fc.assert(
      fc.property(cmd, fc.boolean(), (c, sudo) => remoteCommandBytes(c, { sudo }) === built(c, sudo)),
      { numRuns: 2000 },
    );
  });

  it('refuses NUL as quoting does', () => {
    const c = exec(['echo', 'a\0b']);
    expect(() => built(c, true)).toThrow(/NUL/);
    expect(() => remoteCommandBytes(c, { sudo: true })).toThrow(/NUL/);
  });
});

describe('assertCommandFits', () => {
  it('measures the sudo form: a script that fits plain but not quoted twice is refused', () => {
    // each `'` is 1 byte plain, 4 quoted once, 13 quoted twice
    const quotes = "'".repeat(Math.floor(MAX_REMOTE_COMMAND_BYTES / 12));
    const c = sh(`echo ${quotes}`);
    expect(built(c, false)).toBeLessThan(MAX_REMOTE_COMMAND_BYTES);
    expect(() => assertCommandFits(c, 'the test')).toThrow(
      `the test: the command is ${built(c, true)} bytes, over the ${MAX_REMOTE_COMMAND_BYTES}-byte remote command line limit; split the batch`,
    );
    expect(() => assertCommandFits(sh('echo ok'), 'the test')).not.toThrow();
  });
});
