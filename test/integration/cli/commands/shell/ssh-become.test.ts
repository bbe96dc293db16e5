// `rig ssh` with become on a real sshd: a non-root login user with passwordless sudo gets root (a command, and the
// login shell on a pseudo-terminal), `--no-become` stays that user; the inventory's user, port and key are used.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../../src/cli/main.js';
import { buildCli } from '../../../../helpers/build-cli.js';
import { makeProject, REPO_ROOT } from '../../../../helpers/project.js';
import { sshdUnavailable, type SshdFleet } from '../../../../helpers/sshd/sshd-fleet.js';
import { ensureSudoUser, startFleetForUser } from '../../../../helpers/sshd/sudo-user.js';
import { testIo } from '../../../../helpers/test-io.js';

const USER = 'rigsshbecome';
const why =
  (await sshdUnavailable()) ??
  (process.getuid?.() !== 0
    ? 'needs root to create a sudo user'
    : !existsSync('/usr/bin/sudo')
      ? 'sudo not installed'
      : !existsSync('/usr/bin/script')
        ? 'util-linux script missing'
        : undefined);
if (why !== undefined) console.warn(`SKIP ssh-become: ${why}`);

describe.skipIf(why !== undefined)('rig ssh with become', () => {
  let fleet: SshdFleet;
  let root: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const env = { HOME: home, PATH: process.env['PATH'] ?? '/usr/bin:/bin', USER: 'tester' };
  const rig = async (args: string[]) => {
    const io = testIo({ cwd: root, env });
    const code = await main(['ssh', '--env', 'test', '--known-hosts', fleet.knownHostsFile, ...args], io);
    return { code, out: io.outText(), err: io.errText() };
  };

  beforeAll(async () => {
    ensureSudoUser(USER);
    [fleet] = await Promise.all([startFleetForUser(1, 95), buildCli()]);
    const h = fleet.hosts[0];
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h?.address}, ansible_port: ${h?.port}, ansible_user: ${USER}, ansible_become: true, ansible_ssh_private_key_file: ${fleet.clientKey.path} }\n`,
        'inventory/test/group_vars/all.yml': 'sample_dir: /tmp/unused\nsample_api_key: not-a-real-key-123\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [sample]\n',
      },
      { roles: ['sample'], asPackage: true },
    );
  });
  afterAll(async () => {
    if (fleet) await fleet.stop();
  });

  it('a command runs as root through sudo -n; --no-become keeps the login user', async () => {
    const uid = execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim();
    expect(await rig(['h1', '--', 'sh', '-c', 'echo "$(id -u) $SUDO_USER"'])).toEqual({
      code: 0,
      out: `0 ${USER}\n`,
      err: '',
    });
    expect((await rig(['h1', '--no-become', '--', 'id', '-u'])).out).toBe(`${uid}\n`);
    expect((await rig(['h1', '--', 'sh', '-c', 'exit 42'])).code).toBe(42);
  });

  it("the login shell on a terminal is root's, in root's home", async () => {
    const cli = [
      process.execPath,
      path.join(REPO_ROOT, 'bin/rig.js'),
      'ssh',
      'h1',
      '--env',
      'test',
      '--known-hosts',
      fleet.knownHostsFile,
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    // Keys are typed once the prompt shows, as a person does: typeahead sent before the shell starts is the terminal's
    // (sudo's become check reads from it), not the shell's.
    const child = execa('script', ['-q', '-e', '-c', `stty rows 24 cols 80; exec ${cli}`, '/dev/null'], {
      cwd: root,
      env,
      extendEnv: false,
      reject: false,
      timeout: 60_000,
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      const before = out;
      out += d.toString('utf8');
      if (!/# $/.test(before) && /# $/.test(out)) child.stdin?.write('echo "who=$(id -un) at=$PWD"\nexit 3\n');
    });
    const r = await child;
    expect(out).toMatch(/^who=root at=\/root\r?$/m);
    expect(r.exitCode).toBe(3);
  });
});
