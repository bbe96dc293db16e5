// Golden tests: the text a batch evals for each part (an sh() script in place, anything else rendered).
import { describe, expect, it } from 'vitest';
import { exec, sh, withEnv } from '../../../src/core/cmd/cmd.js';
import { inlineText } from '../../../src/core/cmd/inline.js';
import { cmd } from '../../../src/core/cmd/template.js';

describe('inlineText', () => {
  it('gives an sh() script its arguments with set --, quoted, and runs its text in place', () => {
    expect(inlineText(sh('echo "$1"', "it's", '$x', ''))).toBe(`set -- 'it'\\''s' '$x' ''\necho "$1"`);
    expect(inlineText(sh('true'))).toBe('set --\ntrue');
  });

  it('renders anything else as it would run alone', () => {
    expect(inlineText(cmd`docker inspect ${'a b'}`)).toBe(`docker inspect 'a b'`);
    expect(inlineText(withEnv(sh('env'), { A: 'b' }))).toBe(`A=b /bin/sh -c env sh`);
    expect(inlineText(exec(['/bin/sh', '-c', 'echo', 'zero']))).toBe(`/bin/sh -c echo zero`);
  });
});
