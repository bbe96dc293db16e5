// `--secret-var` values from stdin, the command line as rig records it, and secrecy surviving an override.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readSecretVars, recordedCommand } from '../../../src/cli/run/secret-vars.js';
import { mergeLayers } from '../../../src/config/vars/resolve-vars.js';
import type { VarEntry } from '../../../src/config/vars/var-entry.js';
import { testIo } from '../../helpers/test-io.js';

describe('recordedCommand', () => {
  it.each([
    [['rig', 'deploy', '--var', 'token=s3cr3t', '--yes'], 'rig deploy --var token=… --yes'],
    [['rig', 'deploy', '--var=token=a=b'], 'rig deploy --var=token=…'],
    [['rig', 'deploy', '--var', 'flag'], 'rig deploy --var flag=…'],
    [['rig', 'deploy', '--secret-var', 'token', '--limit', 'web1'], 'rig deploy --secret-var token --limit web1'],
  ])('%j → %s', (words, want) => {
    expect(recordedCommand(words)).toBe(want);
  });
});

describe('readSecretVars', () => {
  it('one name takes all of stdin but one trailing newline; several take a line each; stdin is read once', async () => {
    expect(await readSecretVars(['a'], testIo({ cwd: '/', stdin: 'multi\nline\n' }))).toEqual([
      { name: 'a', value: 'multi\nline' },
    ]);
    const io = testIo({ cwd: '/', stdin: 'one\r\ntwo\n' });
    const want = [
      { name: 'a', value: 'one' },
      { name: 'b', value: 'two' },
    ];
    expect(await readSecretVars(['a', 'b'], io)).toEqual(want);
    expect(await readSecretVars(['a', 'b'], io)).toEqual(want);
  });

  it('refuses a terminal, an empty value and too few lines', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readSecretVars(['a'], { ...testIo({ cwd: '/' }), stdin: tty })).rejects.toThrow(
      '--secret-var reads the value from stdin: pipe it in',
    );
    await expect(readSecretVars(['a'], testIo({ cwd: '/', stdin: '\n' }))).rejects.toThrow(
      'stdin holds 0 value(s) for 1 name(s)',
    );
    await expect(readSecretVars(['a', 'b'], testIo({ cwd: '/', stdin: 'x\n' }))).rejects.toThrow(
      'stdin holds 1 value(s) for 2 name(s)',
    );
  });
});

describe('mergeLayers', () => {
  const entry = (layer: VarEntry['layer'], value: unknown, secret: boolean): VarEntry => {
    const loc = { file: layer, line: 1, col: 1 };
    return { name: 'token', value, layer, loc, secret, locate: () => loc };
  };
  it('a value overriding a secret stays secret, whatever layer it comes from', () => {
    expect(
      mergeLayers([entry('group_vars', 'vaulted', true), entry('extra var', 'typed', false)]).get('token'),
    ).toMatchObject({ value: 'typed', secret: true });
    expect(
      mergeLayers([entry('group_vars', 'plain', false), entry('extra var', 'typed', false)]).get('token'),
    ).toMatchObject({ secret: false });
  });
});
