// gather(): facts keyed by name, their sections read in order, a missing or malformed section named by host and fact.
import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/core/cmd/cmd.js';
import { textFact } from '../../../src/facts/fact.js';
import {
  execHost,
  factCommands,
  FactError,
  gather,
  readFacts,
  readSettled,
  type BatchOutcome,
} from '../../../src/facts/gather.js';
import { RemoteCommandError } from '../../../src/core/errors/remote-errors.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';

const count = textFact('line-count', sh('printf "a\\nb\\n"'), (out) => out.split('\n').filter((l) => l !== '').length);
const word = textFact('word', sh('echo hello'), (out) => {
  if (!/^\w+\n$/.test(out)) throw new Error(`word: not one word: ${JSON.stringify(out)}`);
  return out.trim();
});
const sections = (...outs: [number, string][]): BatchOutcome => ({
  results: outs.map(([code, out]) => ({ code, stdout: Buffer.from(out) })),
  stderr: 'boom\n',
  code: 0,
});

describe('readFacts', () => {
  it("gives each fact its own section, in the set's order, keyed like the set; an unasked fact is undefined", () => {
    const got = readFacts('web1', { count, none: undefined, word }, sections([0, 'x\ny\nz\n'], [0, 'hi\n']));
    expect(got).toEqual({ count: 3, none: undefined, word: 'hi' });
    expect(factCommands({ count, none: undefined, word })).toEqual([count.command, word.command]);
  });

  it('a section missing (the batch stopped early) is a FactError naming the host and the fact', () => {
    const run = (): unknown => readFacts('web1', { count, word }, { ...sections([0, 'x\n']), code: 137 });
    expect(run).toThrow(FactError);
    expect(run).toThrow('web1: fact word: no output section: the batch stopped early (exit 137): boom');
  });

  it("a malformed section is a FactError naming the host and the fact once, with the parser's reason", () => {
    const run = (): unknown => readFacts('web1', { count, word }, sections([0, 'x\n'], [0, 'two words\n']));
    expect(run).toThrow('web1: fact word: unexpected output: not one word: "two words\\n"');
    try {
      run();
    } catch (err) {
      expect((err as FactError).cause).toBeInstanceOf(Error);
      expect((err as FactError).fact).toBe('word');
    }
  });

  it('a failed part is the RemoteCommandError it always was (host, displayed command, exit code, stderr)', () => {
    const run = (): unknown => readFacts('web1', { count, word }, sections([0, 'x\n'], [2, '']));
    expect(run).toThrow(RemoteCommandError);
    expect(run).toThrow(/^web1: command failed with exit code 2: .*echo hello/);
  });
});

describe('readSettled', () => {
  it('settles each fact on its own: one bad part spoils no other', () => {
    const got = readSettled('web1', { count, word, gone: count }, sections([0, 'x\n'], [0, 'a b\n']));
    expect(got.count).toEqual({ kind: 'ok', value: 1 });
    expect(got.word.kind).toBe('malformed');
    expect(got.gone).toEqual({ kind: 'failed', code: undefined });
  });
});

describe('gather', () => {
  it('runs every fact in ONE exec and none when no fact is asked', async () => {
    const t = new LocalTransport('here');
    expect(await gather(execHost(t, false), { count, word, skipped: undefined })).toEqual({
      count: 2,
      word: 'hello',
      skipped: undefined,
    });
    expect(t.counters.execChannels).toBe(1);
    expect(await gather(execHost(t, false), { skipped: undefined })).toEqual({ skipped: undefined });
    expect(t.counters.execChannels).toBe(1);
  });

  it('a part whose output forges no section marker stays in its own section', async () => {
    const forger = textFact('forger', sh('printf "\\n__rig_part_0000 1 0\\n"'), (out) => out);
    const got = await gather(execHost(new LocalTransport('here'), false), { forger, word });
    expect(got).toEqual({ forger: '\n__rig_part_0000 1 0\n', word: 'hello' });
  });
});
