// `rig rollback` undoes a deploy, not one release per host: after a deploy that changed one host of two, it touches
// only that host (the other keeps its state although it keeps an older release too), and `rig releases` shows which
// deploy made each release. Real sshd hosts, a file-only role.
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { newReleaseId } from '../../../src/release/release-schema.js';
import { makeProject } from '../../helpers/project.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { testIo } from '../../helpers/test-io.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP rollback-scope: ${unavailable}`);

const NOTE_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'note',
  description: 'writes one value into a file of the host',
  vars: z.object({ note_dir: z.string(), note_value: z.string() }),
  tasks: ({ vars, dir, content }) => [dir(vars.note_dir), content(\`\${vars.note_dir}/note.txt\`, vars.note_value)],
});
`;

type ReleasesJson = {
  host: string;
  current: string;
  releases: { id: string; kind: string; deployId: string | null }[];
}[];

describe.skipIf(unavailable !== undefined)('rig rollback undoes one deploy', () => {
  let fleet: SshdFleet;
  let data: string;
  let root: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    fleet = await startSshdFleet(2, { firstOctet: 71 });
    data = mkdtempSync(path.join(os.tmpdir(), 'rig-rbscope-'));
    const [app, vpn] = fleet.hosts;
    const host = (h: typeof app) =>
      `{ ansible_host: ${h!.address}, ansible_port: ${h!.port}, ansible_user: root, ansible_ssh_private_key_file: ${fleet.clientKey.path} }`;
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  vars:\n    rig_state_dir: "${data}/state/{{ inventory_hostname }}"\n    note_dir: "${data}/files/{{ inventory_hostname }}"\n  hosts:\n    app: ${host(app)}\n    vpn: ${host(vpn)}\n`,
        'playbooks/site.yml': '- hosts: all\n  roles: [note]\n',
        'roles/note/role.ts': NOTE_ROLE,
      },
      { roles: [] },
    );
  });
  afterAll(async () => {
    if (fleet) await fleet.stop();
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'] } });
    const code = await main([...args, '--env', 'test', '--known-hosts', fleet.knownHostsFile], io);
    return { code, out: io.outText(), err: io.errText() };
  }
  const note = (host: string): string => readFileSync(path.join(data, 'files', host, 'note.txt'), 'utf8');
  const setNotes = (app: string, vpn: string): void => {
    const dir = path.join(root, 'inventory/test/host_vars');
    for (const [h, v] of [
      ['app', app],
      ['vpn', vpn],
    ] as const) {
      writeFileSync(path.join(dir, `${h}.yml`), stringify({ note_value: v }));
    }
  };

  it('a rollback after a deploy that changed only app takes app back and leaves vpn untouched; releases name their deploy', async () => {
    mkdirSync(path.join(root, 'inventory/test/host_vars'), { recursive: true });
    setNotes('app-0', 'vpn-0'); // deploy 0: both
    expect((await rig(['deploy'])).code).toBe(0);
    setNotes('app-0', 'vpn-1'); // deploy 1: vpn only (vpn now keeps two releases)
    expect((await rig(['deploy'])).code).toBe(0);
    setNotes('app-2', 'vpn-1'); // deploy 2: app only
    const last = await rig(['deploy']);
    expect(last.code).toBe(0);
    expect(last.out).toContain('vpn: nothing to do');

    const listed = JSON.parse((await rig(['releases', '--json'])).out) as ReleasesJson;
    const byHost = new Map(listed.map((h) => [h.host, h]));
    const deploy2 = byHost.get('app')?.releases[0]?.deployId;
    expect(deploy2).toMatch(/^[0-9a-f]{12}$/);
    expect(byHost.get('vpn')?.releases.map((r) => r.deployId)).not.toContain(deploy2);
    expect(byHost.get('app')?.releases[1]?.deployId).toBe(byHost.get('vpn')?.releases[1]?.deployId); // deploy 0 on both
    expect((await rig(['releases'])).out).toMatch(new RegExp(`deploy ${deploy2}  no git  0 services, 1 file(?!s)`));

    const back = await rig(['rollback']);
    expect(back.err).toBe('');
    expect(back.code).toBe(0);
    expect(back.out).toMatch(
      /vpn: nothing to do\n {2}note: untouched: its current release \S+ was made by deploy [0-9a-f]{12} on \S+, not by the run being undone/,
    );
    expect(note('app')).toBe('app-0');
    expect(note('vpn')).toBe('vpn-1');
    const after = new Map(
      (JSON.parse((await rig(['releases', '--json'])).out) as ReleasesJson).map((h) => [h.host, h]),
    );
    expect(after.get('vpn')?.current).toBe(byHost.get('vpn')?.current);
    expect(after.get('app')?.releases[0]).toMatchObject({ kind: 'rollback' });

    // the rollback is itself a run: undoing it brings deploy 2 back on app only
    const redo = await rig(['rollback']);
    expect(redo.code).toBe(0);
    expect(note('app')).toBe('app-2');
    expect(note('vpn')).toBe('vpn-1');
  });

  it("a deploy after a release whose id is ahead of the clock (another workstation's clock, or within its second) sorts after it, and a rollback goes back to it", async () => {
    setNotes('app-3', 'vpn-1');
    expect((await rig(['deploy'])).code).toBe(0);
    // app's current release as a workstation whose clock runs an hour ahead would have named it
    const releases = path.join(data, 'state', 'app', 'releases');
    const current = readFileSync(path.join(releases, 'current'), 'utf8').trim();
    const moved = newReleaseId(new Date(Date.now() + 3600_000), current.slice(-4));
    renameSync(path.join(releases, current), path.join(releases, moved));
    const record = path.join(releases, moved, 'release.json');
    writeFileSync(record, readFileSync(record, 'utf8').replace(current, moved));
    writeFileSync(path.join(releases, 'current'), `${moved}\n`);

    setNotes('app-4', 'vpn-1');
    expect((await rig(['deploy'])).code).toBe(0);
    const app = (JSON.parse((await rig(['releases', '--json'])).out) as ReleasesJson).find((h) => h.host === 'app');
    expect(app?.current).toBe(app?.releases[0]?.id);
    expect((app?.current ?? '') > moved).toBe(true);
    expect(app?.releases[1]?.id).toBe(moved);

    expect((await rig(['rollback'])).code).toBe(0);
    expect(note('app')).toBe('app-3');
  });
});
