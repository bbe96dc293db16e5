// How a remote failure reads in a host's result: its command (rig's long scripts cut to two lines) and its stderr once.
import { describe, expect, it } from 'vitest';
import { describeError } from '../../../../src/core/errors/describe-error.js';
import { RemoteCommandError } from '../../../../src/core/errors/remote-errors.js';
import { ApplyFilesError } from '../../../../src/apply/apply-files-error.js';

describe('describeError of a RemoteCommandError', () => {
  it('a short command: the command, then its stderr once', () => {
    const err = new RemoteCommandError('app', 'docker pull x', 'exit', 1, 'no such image\n');
    expect(describeError(err)).toBe('app: command failed with exit code 1: docker pull x\nno such image');
  });

  it("rig's own script: its first two lines and how many more, then the stderr once", () => {
    const script = ["/bin/sh -c 'a=1", 'b() {', '  c', '}', "b' sh /x"].join('\n');
    const err = new RemoteCommandError('app', script, 'exit', 3, 'head: write error: No space left on device\n');
    expect(describeError(err)).toBe(
      "app: command failed with exit code 3: /bin/sh -c 'a=1\nb() { … (3 more lines of rig's script)\nhead: write error: No space left on device",
    );
  });

  it('a failure that says more than its command (a file apply): what failed first, then the command, the stderr once', () => {
    const err = new ApplyFilesError(
      'app',
      'sh -c x',
      3,
      "chmod: changing permissions of '/a': denied\n",
      '/a',
      'chmod',
      [],
      ['/a'],
    );
    expect(describeError(err)).toBe(
      "app: cannot apply /a: chmod failed (0 path(s) applied before it, 1 left unchanged)\napp: command failed with exit code 3: sh -c x\nchmod: changing permissions of '/a': denied",
    );
  });

  it('no stderr: the command alone', () => {
    expect(describeError(new RemoteCommandError('app', 'true', 'timeout', null, ''))).toBe(
      'app: command timed out: true',
    );
  });
});
