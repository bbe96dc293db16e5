// The local transport: same rendering as ssh, run by a real /bin/sh on this machine.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec, secret, withEnv } from '../../../src/core/cmd/cmd.js';
import { cmd } from '../../../src/core/cmd/template.js';
import { RemoteCommandError } from '../../../src/core/errors/remote-errors.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import { run } from '../../../src/transport/run.js';

describe('local transport', () => {
  const t = new LocalTransport('workstation');

  it('runs commands, reports exit codes, stderr and counts channels', async () => {
    const r = await t.exec(exec(['/bin/sh', '-c', 'echo "$0"; echo e >&2; exit 5']));
    expect(r).toMatchObject({ code: 5, stdout: '/bin/sh\n', stderr: 'e\n' });
    expect((await t.exec(exec(['/bin/sh', '-c', 'kill -9 $$']))).code).toBe(137);
    const err = (await run(t, cmd`false`).catch((e: unknown) => e)) as RemoteCommandError;
    expect(err.message).toBe('workstation: command failed with exit code 1: false');
    expect(t.counters.execChannels).toBe(3);
  });

  it('passes secrets over stdin, then the caller stdin', async () => {
    const node = withEnv(exec(['/bin/sh', '-c', 'printf "%s|" "$S"; cat']), { S: secret('a\nb\\c') });
    expect((await t.exec(node, { stdin: 'tail' })).stdout).toBe('a\nb\\c|tail');
  });

  it('times out', async () => {
    const err = (await t.exec(cmd`sleep 5`, { timeoutMs: 200 }).catch((e: unknown) => e)) as RemoteCommandError;
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect([err.kind, err.message]).toEqual(['timeout', 'workstation: command timed out: sleep 5']);
  });

  it('puts files with exact bytes and modes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'rig-local-'));
    const content = Buffer.from([0, 255, 10, 13, 39]);
    const file = path.join(dir, 'f');
    await t.putFiles([{ path: file, content, mode: 0o751 }]);
    expect(
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex'),
    ).toBe(createHash('sha256').update(content).digest('hex'));
    expect((await stat(file)).mode & 0o777).toBe(0o751);
  });
});
