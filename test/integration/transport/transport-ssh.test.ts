// The ssh transport against real sshd processes: exec, exit codes, stdin, secrets, channels, SFTP, timeouts.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exec, secret, withEnv } from '../../../src/core/cmd/cmd.js';
import { toRemote } from '../../../src/core/cmd/remote.js';
import { cmd } from '../../../src/core/cmd/template.js';
import { RemoteCommandError } from '../../../src/core/errors/remote-errors.js';
import { classifyFailure, run } from '../../../src/transport/run.js';
import type { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { sshdUnavailable, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { useFleetTransport } from '../../helpers/sshd/use-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP transport-ssh: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('ssh transport', () => {
  let fleet: SshdFleet;
  let t: SshTransport;

  useFleetTransport(1, {}, (f, tr) => {
    fleet = f;
    t = tr;
  });

  it('runs under /bin/sh with the clean environment sshd gave it', async () => {
    const r = await t.exec(exec(['/bin/sh', '-c', 'echo "$0 $SHLVL $RIG_TEST_HOST"; ps -o args= -p $$']));
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('/bin/sh 1 h1');
  });

  it('reports exit codes and stderr, and run() throws with host, command and stderr tail', async () => {
    const r = await t.exec(exec(['/bin/sh', '-c', 'echo out; echo oops >&2; exit 42']));
    expect(r).toMatchObject({ code: 42, stdout: 'out\n', stderr: 'oops\n' });
    const err = await run(t, cmd`ls ${'/nonexistent dir'}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteCommandError);
    const e = err as RemoteCommandError;
    expect([e.host, e.kind, e.code, e.command]).toEqual(['h1', 'exit', 2, "ls '/nonexistent dir'"]);
    expect(e.message).toMatch(/^h1: command failed with exit code 2: ls '\/nonexistent dir'\n {2}\| ls: cannot access/);
  });

  it('reports a signal death as 128 + signal number', async () => {
    const r = await t.exec(exec(['/bin/sh', '-c', 'kill -9 $$']));
    expect(r.code).toBe(137);
  });

  it('passes stdin byte-exact and secrets without putting them on any command line', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 39, 92]);
    const r = await t.exec(cmd`sha256sum`, { stdin: bytes });
    expect(r.stdout.split(' ')[0]).toBe(createHash('sha256').update(bytes).digest('hex'));
    const pw = "p4ss'w0rd $(id)\nline2\\";
    const node = withEnv(
      exec(['/bin/sh', '-c', 'printf %s "$PW" | sha256sum; cat /proc/$$/cmdline | tr "\\0" " "; echo; exit 3']),
      { PW: secret(pw) },
    );
    const s = await t.exec(node, { stdin: 'after' });
    expect(s.stdout.split(' ')[0]).toBe(createHash('sha256').update(pw).digest('hex'));
    expect(s.stdout).not.toContain('p4ss');
    const err = (await run(t, node).catch((e: unknown) => e)) as RemoteCommandError;
    expect(err.message).toContain('PW=***');
    expect(err.message).not.toContain('p4ss');
    const sshdLog = await readFile(fleet.hosts[0]!.process.logFile, 'utf8');
    expect(sshdLog).not.toContain('p4ss');
  });

  it('masks a secret that the command echoes to stderr', async () => {
    const node = withEnv(exec(['/bin/sh', '-c', 'echo "bad token $T" >&2; exit 1']), { T: secret('tok-123456') });
    const err = (await run(t, node).catch((e: unknown) => e)) as RemoteCommandError;
    expect(err.stderrTail).toBe('bad token ***\n');
  });

  it('runs many channels in parallel on one connection and counts them', async () => {
    const before = t.counters;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => t.exec(cmd`echo ${i}`)));
    const ms = Date.now() - started;
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 40 }, (_, i) => `${i}\n`));
    expect(t.counters.execChannels - before.execChannels).toBe(40);
    expect(t.counters.connections).toBe(1);
    console.log(`40 parallel exec channels on one connection: ${ms} ms`);
  });

  it('puts files over one SFTP channel with exact bytes and modes', async () => {
    const dir = path.join(fleet.dir, 'put');
    await run(t, cmd`mkdir -p ${dir}`);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 256;
    const files = [
      { path: path.join(dir, 'big.bin'), content: big, mode: 0o600 },
      { path: path.join(dir, "odd 'name'.txt"), content: Buffer.from('héllo\r\n\0x'), mode: 0o755 },
      { path: path.join(dir, 'empty'), content: Buffer.alloc(0), mode: 0o640 },
    ];
    const before = t.counters;
    await t.putFiles(files);
    expect(t.counters.sftpChannels - before.sftpChannels).toBe(1);
    expect(t.counters.execChannels).toBe(before.execChannels);
    for (const f of files) {
      const onDisk = await readFile(f.path);
      expect(createHash('sha256').update(onDisk).digest('hex')).toBe(
        createHash('sha256').update(f.content).digest('hex'),
      );
      expect((await stat(f.path)).mode & 0o777).toBe(f.mode);
    }
    await t.putFiles([{ ...files[1]!, mode: 0o600 }]);
    expect((await stat(files[1]!.path)).mode & 0o777).toBe(0o600);
  });

  it('fails a put into a missing directory naming host and path', async () => {
    await expect(t.putFiles([{ path: '/nonexistent-dir/x', content: Buffer.from('x'), mode: 0o644 }])).rejects.toThrow(
      /^h1: cannot write \/nonexistent-dir\/x: /,
    );
  });

  it('times out a command, and the connection stays usable', async () => {
    const started = Date.now();
    const err = (await t.exec(cmd`sleep 10`, { timeoutMs: 300 }).catch((e: unknown) => e)) as RemoteCommandError;
    expect(err).toBeInstanceOf(RemoteCommandError);
    expect([err.kind, err.code, err.message]).toEqual(['timeout', null, 'h1: command timed out: sleep 10']);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await t.exec(cmd`true`)).code).toBe(0);
  });

  it('round-trips arbitrary arguments byte-exact through the real transport', async () => {
    const unit = fc.oneof(
      fc.constantFrom("'", '"', '\\', '$', '`', ';', '\n', ' ', '-', '*', '~', 'é', '😀'),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    );
    const word = fc.string({ unit, maxLength: 10 }).filter((s) => !s.includes('\0'));
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 5 }), async (args) => {
        const r = await t.exec(exec(['printf', '%s\\0', ...args]));
        expect(r.stdoutBytes).toEqual(Buffer.from(args.map((a) => `${a}\0`).join('')));
      }),
      { numRuns: 300 },
    );
    console.log(`300 property cases over ssh: ${Date.now() - started} ms`);
  });
});

describe('become', () => {
  it('classifies the sudo pre-check failure by its exit code and marker', async () => {
    const hasSudo = (await execa('sh', ['-c', 'command -v sudo'], { reject: false })).exitCode === 0;
    if (hasSudo) {
      console.warn('SKIP become failure: sudo is installed here, so the pre-check would pass');
      return;
    }
    const inv = toRemote(cmd`id -u`, { sudo: true });
    const r = await execa('/bin/sh', ['-c', inv.command], { reject: false });
    expect(r.exitCode).toBe(97);
    expect(classifyFailure({ code: r.exitCode ?? -1, stderr: r.stderr }, true)).toBe('become');
    expect(classifyFailure({ code: 97, stderr: 'unrelated' }, true)).toBe('exit');
    expect(classifyFailure({ code: r.exitCode ?? -1, stderr: r.stderr }, false)).toBe('exit');
  });
});
