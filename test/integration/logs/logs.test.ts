// `rig logs` on two real hosts: lines of both merged by time with host prefixes, --tail/--since/--grep, the secret
// masked; `-f` follows over one connection per host until SIGINT, and leaves no `docker logs` behind on the hosts,
// even for a silent container (the compiled CLI in a child process, as a user runs it).
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deployedFleetBed } from '../../helpers/fleet-bed.js';
import { dockerOk, waitFor } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();

describe.skipIf(skip !== undefined)('rig logs on two real hosts', () => {
  const fleet = deployedFleetBed(2, { beforeAll, afterAll, afterEach });
  /** The `docker logs` processes running in the host containers (their sshd sessions), from the engine's side. */
  const dockerLogsOnHosts = async (): Promise<string[]> => {
    const tops = await Promise.all(fleet().hosts.map((h) => dockerOk(['top', h.container, '-eo', 'pid,args'])));
    return tops.flatMap((t) => t.split('\n').filter((l) => /^\s*\d+\s+docker logs /.test(l)));
  };
  const follow = (args: string[]) => {
    const c = fleet().cli(['logs', ...args]);
    const child = execa(c.file, c.args, { cwd: fleet().root, env: c.env, extendEnv: false, reject: false, all: true });
    let text = '';
    child.all?.on('data', (d: Buffer) => (text += d.toString('utf8')));
    return { child, out: () => text };
  };

  it('both hosts, every line prefixed with its host, merged by time; the secret masked', async () => {
    await waitFor(
      'ticks on both hosts',
      async () =>
        ((await fleet().rig(['logs', 'ticker', '--tail', '5'])).out.match(/tick \d+ on h2/g)?.length ?? 0) >= 5 ||
        undefined,
      30_000,
    );
    const r = await fleet().rig(['logs', 'ticker', '--since', '10m', '--timestamps']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(r.out).not.toContain(fleet().secret);
    for (const host of ['h1', 'h2']) {
      expect(
        lines.some((l) => new RegExp(`^${host} \\| \\S+Z ticker ${host} starting with key \\*\\*\\*$`).test(l)),
      ).toBe(true);
      expect(
        lines
          .filter((l) => l.startsWith(`${host} | `) && / tick \d+ on /.test(l))
          .every((l) => l.endsWith(` on ${host}`)),
      ).toBe(true);
    }
    const stamps = lines.map((l) => /^h\d \| (\S+)Z /.exec(l)?.[1] ?? '');
    expect(stamps.every((s) => s !== '')).toBe(true);
    const keys = stamps.map((s) => s.replace(/\.(\d+)$/, (_, f: string) => `.${f.padEnd(9, '0')}`));
    expect(keys).toEqual([...keys].sort());
    // the two hosts interleave (each ticks every 200 ms), they are not one block after the other
    const firstH2 = lines.findIndex((l) => l.startsWith('h2'));
    expect(lines.slice(firstH2).some((l) => l.startsWith('h1'))).toBe(true);
  });

  it('--tail N per host, --grep on the message, and one host with --host', async () => {
    const tail = await fleet().rig(['logs', 'ticker', '--tail', '3']);
    expect(
      tail.out
        .trimEnd()
        .split('\n')
        .map((l) => l.slice(0, 2))
        .sort(),
    ).toEqual(['h1', 'h1', 'h1', 'h2', 'h2', 'h2']);
    const grep = await fleet().rig(['logs', 'ticker', '--since', '10m', '--grep', 'starting']);
    expect(grep.out.trimEnd().split('\n').sort()).toEqual([
      'h1 | ticker h1 starting with key ***',
      'h2 | ticker h2 starting with key ***',
    ]);
    const one = await fleet().rig(['logs', 'ticker', '--host', 'h2', '--tail', '2']);
    expect(one.out.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^h2 \| tick \d+ on h2$/),
      expect.stringMatching(/^h2 \| tick \d+ on h2$/),
    ]);
  });

  it('a service no host runs, bad flags: exit 1 with the reason', async () => {
    const none = await fleet().rig(['logs', 'nosuch']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('rig logs: service nosuch runs on none of h1, h2 (no container; see rig status)');
    expect((await fleet().rig(['logs', 'ticker', '--since', 'yesterday'])).err).toContain(
      'rig logs --since: "yesterday" is not a duration',
    );
    expect((await fleet().rig(['logs', 'ticker', '--grep', '('])).err).toContain(
      'rig logs --grep: Invalid regular expression',
    );
    expect((await fleet().rig(['logs'])).err).toContain('rig logs: which service?');
  });

  it('-f follows both hosts until SIGINT (exit 130), then no docker logs is left on the hosts', async () => {
    const f = follow(['ticker', '-f', '--tail', '1']);
    const seen = (host: string) =>
      Number([...f.out().matchAll(new RegExp(`^${host} \\| tick (\\d+) on ${host}$`, 'gm'))].at(-1)?.[1] ?? -1);
    const first = await waitFor(
      'lines of both hosts',
      () => Promise.resolve(seen('h1') >= 0 && seen('h2') >= 0 ? [seen('h1'), seen('h2')] : undefined),
      30_000,
    );
    // new lines keep coming while it follows
    await waitFor(
      'followed lines',
      () => Promise.resolve((seen('h1') > (first[0] ?? 0) + 3 && seen('h2') > (first[1] ?? 0) + 3) || undefined),
      30_000,
    );
    expect((await dockerLogsOnHosts()).length).toBe(2);
    f.child.kill('SIGINT');
    const r = await f.child;
    expect(r.exitCode).toBe(130);
    expect(f.out()).not.toContain(fleet().secret);
    await waitFor(
      'no docker logs left on the hosts',
      async () => ((await dockerLogsOnHosts()).length === 0 ? true : undefined),
      10_000,
    );
  });

  it('-f on a silent container: SIGINT still ends it on the hosts (the pty hangs docker logs up)', async () => {
    const f = follow(['quiet', '-f']);
    await waitFor(
      'docker logs -f on both hosts',
      async () => ((await dockerLogsOnHosts()).length === 2 ? true : undefined),
      30_000,
    );
    f.child.kill('SIGINT');
    expect((await f.child).exitCode).toBe(130);
    await waitFor(
      'no docker logs left on the hosts',
      async () => ((await dockerLogsOnHosts()).length === 0 ? true : undefined),
      10_000,
    );
  });
});
