// `rig exec` and `rig ssh` on two real hosts: argv arrives intact (spaces, quotes, $), exit codes pass through, stdin
// with -i, every host at once with host prefixes, secrets masked; -it on a real pseudo-terminal (util-linux `script`
// gives the compiled CLI one): raw keys, window size, exit code. `rig ssh` with the inventory's port, user and key.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deployedFleetBed } from '../../../../helpers/fleet-bed.js';
import { dockerOk } from '../../../../helpers/docker/index.js';
import { requireDocker } from '../../../../helpers/testbed/index.js';

const skip = (await requireDocker()) ?? (existsSync('/usr/bin/script') ? undefined : 'util-linux script missing');
const AWKWARD = ['a b', `"quoted" it's`, '$HOME `id` \\n', ''];
// docker exec -t sizes the container's terminal just after the command starts: ask until it has one (busybox stty
// prints nothing and exits 0 before).
const TTY_SIZE =
  'test -t 0 && test -t 1 && for i in $(seq 50); do s=$(stty size 2>/dev/null); case $s in [1-9]*) break;; esac; sleep 0.1; done; echo "tty $s"; exit 5';
const PRINT_ARGS = ['sh', '-c', 'for a do printf "[%s]\\n" "$a"; done; exit 7', 'sh', ...AWKWARD];

describe.skipIf(skip !== undefined)('rig exec and rig ssh on real hosts', () => {
  const fleet = deployedFleetBed(2, { beforeAll, afterAll, afterEach });
  /** The compiled CLI under `script`: a pty of `rows`×`cols`, `keys` typed into it; output and exit code. */
  const onTerminal = async (args: string[], keys: string, size = { rows: 30, cols: 100 }) => {
    const c = fleet().cli(args);
    const line = [c.file, ...c.args].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(' ');
    const r = await execa(
      'script',
      ['-q', '-e', '-c', `stty rows ${size.rows} cols ${size.cols}; exec ${line}`, '/dev/null'],
      { cwd: fleet().root, env: c.env, extendEnv: false, input: keys, reject: false, timeout: 60_000 },
    );
    return { code: r.exitCode, out: r.stdout };
  };

  it('exec without a TTY: each argument arrives as it was given, the exit code passes through, no terminal there', async () => {
    const r = await fleet().rig(['exec', 'ticker', '--host', 'h1', '--', ...PRINT_ARGS]);
    expect(r.out).toBe(AWKWARD.map((a) => `[${a}]\n`).join(''));
    expect(r.code).toBe(7);
    const tty = await fleet().rig([
      'exec',
      'ticker',
      '--host',
      'h1',
      '--',
      'sh',
      '-c',
      'test -t 0 || test -t 1 || echo no-tty',
    ]);
    expect([tty.out, tty.code]).toEqual(['no-tty\n', 0]);
    const missing = await fleet().rig(['exec', 'ticker', '--host', 'h1', '--', 'no-such-program']);
    expect(missing.code).toBe(126);
  });

  it('exec -i: stdin reaches the command; without -i it gets none', async () => {
    const c = fleet().cli(['exec', 'ticker', '--host', 'h2', '-i', '--', 'sh', '-c', 'tr a-z A-Z; exit 3']);
    const r = await execa(c.file, c.args, {
      cwd: fleet().root,
      env: c.env,
      extendEnv: false,
      input: 'piped in\n',
      reject: false,
    });
    expect([r.stdout, r.exitCode]).toEqual(['PIPED IN', 3]);
    const none = await execa(
      c.file,
      c.args.filter((a) => a !== '-i'),
      { cwd: fleet().root, env: c.env, extendEnv: false, input: 'ignored\n', reject: false },
    );
    expect([none.stdout, none.exitCode]).toEqual(['', 3]);
  });

  it('exec on every host running the service: output prefixed by host, the first failing exit code, secrets masked', async () => {
    const all = await fleet().rig(['exec', 'ticker', '--', 'sh', '-c', 'echo "$TAG key=$API_KEY"']);
    expect(all.out.trimEnd().split('\n').sort()).toEqual(['h1 | h1 key=***', 'h2 | h2 key=***']);
    expect(all.out + all.err).not.toContain(fleet().secret);
    expect(all.code).toBe(0);
    const one = await fleet().rig(['exec', 'ticker', '--', 'sh', '-c', '[ "$TAG" = h1 ] || exit 4']);
    expect(one.code).toBe(4);
    expect(one.err).toContain('rig exec: h2: exit 4');
    const it2 = await fleet().rig(['exec', 'ticker', '-i', '--', 'sh']);
    expect([it2.code, it2.err]).toEqual([1, 'rig: rig exec -i: service ticker runs on h1, h2: choose one with --host']);
  });

  it('exec refuses clearly: no such service, a stopped container, no command, -t without a terminal', async () => {
    expect((await fleet().rig(['exec', 'nosuch', '--', 'true'])).err).toContain(
      'rig exec: service nosuch runs on none of h1, h2',
    );
    expect((await fleet().rig(['exec', 'ticker'])).err).toContain('rig exec: no command: rig exec ticker [-it] -- CMD');
    await dockerOk(['stop', '-t', '1', fleet().container('h2', 'quiet')]);
    const stopped = await fleet().rig(['exec', 'quiet', '--', 'true']);
    expect([stopped.code, stopped.err]).toEqual([
      1,
      `rig: rig exec quiet:\n  h2: ${fleet().container('h2', 'quiet')} is not running (exited 137)`,
    ]);
    await dockerOk(['start', fleet().container('h2', 'quiet')]);
    expect((await fleet().rig(['exec', 'ticker', '-t', '--host', 'h1', '--', 'sh'])).err).toContain(
      'rig exec -t: stdin and stdout must be a terminal',
    );
  });

  it('exec -it on a pseudo-terminal: a terminal of our size on the host, keys typed reach the shell, its exit code', async () => {
    const size = await onTerminal(['exec', 'ticker', '--host', 'h1', '-it', '--', 'sh', '-c', TTY_SIZE], '');
    expect(size.out).toContain('tty 30 100');
    expect(size.code).toBe(5);
    const shell = await onTerminal(
      ['exec', 'ticker', '--host', 'h1', '-it', '--', 'sh'],
      'echo "sum $((6*7)) on $TAG"\nexit 4\n',
    );
    expect(shell.out).toContain('sum 42 on h1');
    expect(shell.code).toBe(4);
  });

  it("ssh runs a command with the inventory's port, user and key; argv intact; exit code passed through", async () => {
    const r = await fleet().rig(['ssh', 'h2', '--', ...PRINT_ARGS]);
    expect([r.out, r.code]).toEqual([AWKWARD.map((a) => `[${a}]\n`).join(''), 7]);
    const who = await fleet().rig(['ssh', 'h1', '--', 'sh', '-c', 'echo "$(hostname) $(id -un)"']);
    expect(who.out).toBe('h1 root\n');
    expect((await fleet().rig(['ssh', 'h9'])).err).toContain('--limit h9: no host or group "h9" in environment test');
  });

  it('ssh with no command on a terminal: a login shell on a pty; its exit code', async () => {
    const r = await onTerminal(['ssh', 'h1'], 'echo "in $(hostname) as $(id -un) tty=$(tty)"\nexit 6\n');
    expect(r.out).toMatch(/in h1 as root tty=\/dev\/pts\/\d+/);
    expect(r.code).toBe(6);
  });
});
