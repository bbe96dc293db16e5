// become with a non-root SSH user: facts, file writes and commands go through `sudo -n` on a real sshd.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { makeProject } from '../../helpers/project.js';
import { sshdUnavailable, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { testIo } from '../../helpers/test-io.js';
import { ensureSudoUser, startFleetForUser } from '../../helpers/sshd/sudo-user.js';

const USER = 'rigbecome';
const why =
  (await sshdUnavailable()) ??
  (process.getuid?.() !== 0
    ? 'needs root to create a sudo user'
    : !existsSync('/usr/bin/sudo')
      ? 'sudo not installed (apt-get install sudo)'
      : undefined);
if (why !== undefined) console.warn(`SKIP deploy-become: ${why}`);

describe.skipIf(why !== undefined)('become', () => {
  let fleet: SshdFleet;
  let data: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    ensureSudoUser(USER);
    fleet = await startFleetForUser(1, 91);
    data = mkdtempSync(path.join(os.tmpdir(), 'rig-become-'));
    mkdirSync(path.join(data, 'root-only'), { mode: 0o755 }); // owned by root: the login user cannot write here
  });
  afterAll(async () => {
    if (fleet) await fleet.stop();
  });

  function project(become: boolean): string {
    const h = fleet.hosts[0]!;
    return makeProject({
      'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: ${USER}, ansible_become: ${become}, ansible_ssh_private_key_file: ${fleet.clientKey.path} }\n`,
      'inventory/test/group_vars/all.yml': `sample_dir: ${data}/root-only/app\nrig_state_dir: ${data}/root-only/rig-state\nsample_api_key: not-a-real-key-123\n`,
      'playbooks/site.yml': '- hosts: all\n  roles: [sample]\n',
    });
  }

  async function rig(root: string, args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'] } });
    const code = await main([...args, '--env', 'test', '--known-hosts', fleet.knownHostsFile], io);
    return { code, out: io.outText(), err: io.errText() };
  }

  it('without become the login user cannot write there (so the next test proves sudo did the work)', async () => {
    const r = await rig(project(false), ['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('h1: failed');
    expect(existsSync(path.join(data, 'root-only', 'app'))).toBe(false);
  });

  it('with become: files written as root with their modes, commands and handlers run, then nothing to do', async () => {
    const root = project(true);
    const r = await rig(root, ['deploy']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const env = path.join(data, 'root-only', 'app', 'app.env');
    expect(readFileSync(env, 'utf8')).toBe('SAMPLE_API_KEY=not-a-real-key-123\nSAMPLE_PORT=8080\n');
    expect(statSync(env).mode & 0o777).toBe(0o600);
    expect(statSync(env).uid).toBe(0);
    expect(existsSync(path.join(data, 'root-only', 'app', 'data'))).toBe(true);
    expect(existsSync(path.join(data, 'root-only', 'app', '.restarted'))).toBe(true);
    // the contents went through sudo's stdin: no staging anywhere, no temp left beside the targets
    expect(readdirSync(path.join(data, 'root-only', 'app')).filter((f) => f.includes('.rig-tmp-'))).toEqual([]);
    expect((await rig(root, ['plan'])).code).toBe(0);
  });

  it('with become, a files-only deploy ends in the exec that writes them: release, journal and unlock through sudo', async () => {
    const h = fleet.hosts[0]!;
    const state = path.join(data, 'root-only', 'files-state');
    const root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: ${USER}, ansible_become: true, ansible_ssh_private_key_file: ${fleet.clientKey.path} }\n`,
        'inventory/test/group_vars/all.yml': `files_dir: ${data}/root-only/files\nrig_state_dir: ${state}\n`,
        'roles/files/role.ts': `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'files',
  description: 'a directory and a file, nothing else',
  vars: z.object({ files_dir: z.string() }),
  tasks: ({ vars, dir, content }) => [dir(vars.files_dir), content(\`\${vars.files_dir}/a.conf\`, 'a = 1\\n', { mode: 0o600 })],
});
`,
        'playbooks/site.yml': '- hosts: all\n  roles: [files]\n',
      },
      { roles: [] },
    );
    const r = await rig(root, ['deploy', '--json', 'result.json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const [res] = (
      JSON.parse(readFileSync(path.join(root, 'result.json'), 'utf8')) as {
        results: { release: string; roundTrips: { execChannels: number } }[];
      }
    ).results;
    expect(res?.roundTrips.execChannels).toBe(3);
    expect(statSync(path.join(data, 'root-only', 'files', 'a.conf')).uid).toBe(0);
    expect(readFileSync(path.join(state, 'releases', 'current'), 'utf8').trim()).toBe(res?.release);
    expect(existsSync(path.join(state, 'lock'))).toBe(false);
    expect(existsSync(path.join(state, 'deploy.json'))).toBe(false);
    expect(readFileSync(path.join(state, 'journal.jsonl'), 'utf8')).toContain('"event":"deploy.finished"');
    expect((await rig(root, ['plan'])).code).toBe(0);
  });
});
