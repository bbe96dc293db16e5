// Golden tests: the text a batch evals for each part (an sh() script in place, a lone program exec'd, else rendered).
import { describe, expect, it } from 'vitest';
import { and, exec, sh, withEnv } from '../../../../src/core/cmd/cmd.js';
import { inlineText } from '../../../../src/core/cmd/inline.js';
import { cmd } from '../../../../src/core/cmd/template.js';

describe('inlineText', () => {
  it('gives an sh() script its arguments with set --, quoted, and runs its text in place', () => {
    expect(inlineText(sh('echo "$1"', "it's", '$x', ''))).toBe(`set -- 'it'\\''s' '$x' ''\necho "$1"`);
    expect(inlineText(sh('true'))).toBe('set --\ntrue');
  });

  it('hands the subshell over to a lone program (exec), and renders anything else as it would run alone', () => {
    expect(inlineText(cmd`docker inspect ${'a b'}`)).toBe(`exec docker inspect 'a b'`);
    expect(inlineText(exec(['/bin/sh', '-c', 'echo', 'zero']))).toBe(`exec /bin/sh -c echo zero`);
    // a builtin is no program `exec` could run; an environment or a list is not one program
    expect(inlineText(exec(['cd', '/tmp']))).toBe(`cd /tmp`);
    expect(inlineText(withEnv(sh('env'), { A: 'b' }))).toBe(`A=b /bin/sh -c env sh`);
    expect(inlineText(and(exec(['true']), exec(['false'])))).toBe(`true && false`);
  });
});
