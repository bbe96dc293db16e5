// plan → deploy → plan on real sshd hosts: exact files, modes, diffs without secrets, round trips, the empty-plan
// invariant.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useRoleBed, type RoleBed } from '../../bed/index.js';
import { roleDir, snapshotTree } from '../../helpers/project.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP deploy: ${unavailable}`);

const SECRET = 'api-key-7f3a9c21e0';

describe.skipIf(unavailable !== undefined)('plan and deploy over SSH', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: ['sample'],
      hosts: 2,
      sshd: { firstOctet: 71 },
      vault: { sample_api_key: SECRET },
      hostVars: (h) => ({ sample_dir: `${h.dataDir}/app` }),
    },
    (b) => (bed = b),
  );
  beforeAll(() => bed.writeFiles({ 'rotated.yml': bed.encrypt('sample_api_key: rotated-key-000\n') }));
  /** Where the hosts' data dirs are: h1's is <data>/h1. */
  const data = (): string => path.dirname(bed.host('h1').dataDir);
  const rig = (args: string[]) => bed.rig(args);

  it('plans, deploys, then plans nothing (the invariant), with 1 exec per host on the no-op', async () => {
    const plan = await rig(['plan', '--json', 'plan.json']);
    expect(plan.err).toBe('');
    expect(plan.code).toBe(2);
    expect(plan.out).toContain(`+ mkdir ${data()}/h1/app (mode 0755)  [sample] missing`);
    expect(plan.out).toContain(`+ ${data()}/h1/app/app.env (mode 0600) sensitive: new`);
    expect(plan.out).not.toContain(SECRET);
    expect(readFileSync(path.join(bed.root, 'plan.json'), 'utf8')).not.toContain(SECRET);

    const deploy = await rig(['deploy']);
    expect(deploy.err).toBe('');
    expect(deploy.code).toBe(0);
    expect(deploy.out).toContain('deploy: 2 hosts, 12 changes made; ok=0 changed=2 failed=0 unreachable=0');
    expect(deploy.out).toContain(
      `! run init data dir: /bin/sh -c 'mkdir -p -m 0750 "$1"' sh ${data()}/h1/app/data  [sample] ${data()}/h1/app/data does not exist yet`,
    );
    expect(deploy.out).toContain('! handler restart app: ');
    expect(deploy.out).toContain(`[sample] notified by ${data()}/h1/app/app.conf, ${data()}/h1/app/app.env`);
    for (const h of bed.fleet.hosts) {
      const env = path.join(data(), h.name, 'app', 'app.env');
      expect(readFileSync(env, 'utf8')).toBe(`SAMPLE_API_KEY=${SECRET}\nSAMPLE_PORT=8080\n`);
      expect(statSync(env).mode & 0o777).toBe(0o600);
      expect(readFileSync(path.join(data(), h.name, 'app', 'app.conf'), 'utf8')).toContain(
        `# managed by rig (role sample) on ${h.name}\nlisten = 8080\n`,
      );
      expect(readdirSync(path.join(data(), h.name, 'app')).sort()).toEqual([
        '.restarted',
        'app.conf',
        'app.env',
        'data',
        'sample.bin',
      ]);
      expect(
        readFileSync(path.join(data(), h.name, 'app', 'sample.bin')).equals(
          readFileSync(path.join(roleDir('sample'), 'files/sample.bin')),
        ),
      ).toBe(true);
      expect(statSync(path.join(data(), h.name, 'app', 'data')).mode & 0o777).toBe(0o750);
    }

    const again = await rig(['plan', '--json', '-']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.out) as {
      results: { host: string; changes: number; roundTrips: { execChannels: number; sftpChannels: number } }[];
    };
    for (const r of json.results)
      expect(r).toMatchObject({ changes: 0, roundTrips: { connections: 1, execChannels: 1, sftpChannels: 0 } });
  });

  it('shows a unified diff for a plain file and only keys and digests for a secret one', async () => {
    const plan = await rig(['plan', '--var', 'sample_message=bonjour', '--vars-file', 'rotated.yml']);
    expect(plan.code).toBe(2);
    expect(plan.out).toContain('      -message = hello from rig\n      +message = bonjour');
    expect(plan.out).toMatch(
      /~ \S+\/h1\/app\/app\.env \(mode 0600\) sensitive: changed \(sha256 [0-9a-f]{8}… → [0-9a-f]{8}…\) keys ~SAMPLE_API_KEY/,
    );
    expect(plan.out).not.toContain('rotated-key-000');
    expect(plan.out).not.toContain(SECRET);
    const deploy = await rig(['deploy', '--var', 'sample_message=bonjour', '--vars-file', 'rotated.yml']);
    expect(deploy.code).toBe(0);
    expect((await rig(['plan', '--var', 'sample_message=bonjour', '--vars-file', 'rotated.yml'])).code).toBe(0);
    expect((await rig(['deploy'])).code).toBe(0); // back to the repository's values
  });

  it('runs a handler once when its role changed something, and not otherwise', async () => {
    const marker = path.join(data(), 'h1', 'app', '.restarted');
    const first = readFileSync(marker, 'utf8');
    expect((await rig(['deploy'])).out).not.toContain('handler');
    expect(readFileSync(marker, 'utf8')).toBe(first);
    const r = await rig(['deploy', '--var', 'sample_message=handler-test', '--limit', 'h1']);
    expect(r.out.match(/! handler restart app/g)).toHaveLength(1);
    expect(readFileSync(marker, 'utf8')).not.toBe(first);
    await rig(['deploy']);
  });

  it('repairs drift: a mode changed by hand is put back, a file edited by hand is rewritten', async () => {
    const conf = path.join(data(), 'h2', 'app', 'app.conf');
    const before = readFileSync(conf);
    writeFileSync(conf, 'edited by hand\n');
    (await import('node:fs')).chmodSync(path.join(data(), 'h1', 'app', 'app.env'), 0o644);
    const plan = await rig(['plan']);
    expect(plan.out).toContain('mode 0644 → 0600');
    expect(plan.out).toContain('-edited by hand');
    expect((await rig(['deploy'])).code).toBe(0);
    expect(createHash('sha256').update(readFileSync(conf)).digest('hex')).toBe(
      createHash('sha256').update(before).digest('hex'),
    );
    expect((await rig(['plan'])).code).toBe(0);
  });

  it('--plan FILE applies a saved plan, and refuses a stale one (host changed, or repository changed)', async () => {
    expect((await rig(['plan', '--var', 'sample_message=saved', '--json', 'saved.json'])).code).toBe(2);
    const conf = path.join(data(), 'h1', 'app', 'app.conf');
    const original = readFileSync(conf, 'utf8');
    writeFileSync(conf, 'moved under our feet\n');
    const stale = await rig(['deploy', '--var', 'sample_message=saved', '--plan', 'saved.json']);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('stale plan');
    expect(stale.err).toContain('h1: its files changed since the plan was made');
    expect(readFileSync(conf, 'utf8')).toBe('moved under our feet\n');
    writeFileSync(conf, original);
    const other = await rig(['deploy', '--var', 'sample_message=something-else', '--plan', 'saved.json']);
    expect(other.err).toContain('h1: the repository now asks for other steps');
    const ok = await rig(['deploy', '--var', 'sample_message=saved', '--plan', 'saved.json']);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(readFileSync(conf, 'utf8')).toContain('message = saved');
    await rig(['deploy']);
  });

  it('a confirm env refuses without a TTY unless --yes, and changes nothing', async () => {
    writeFileSync(path.join(bed.root, 'inventory/test/env.yml'), 'confirm: true\n');
    try {
      const before = snapshotTree(data());
      const r = await rig(['deploy', '--var', 'sample_message=needs-confirmation']);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        'rig: environment test asks for confirmation: run on a terminal, or pass --yes; nothing was changed',
      );
      expect(snapshotTree(data())).toEqual(before);
      expect((await rig(['deploy', '--yes', '--var', 'sample_message=needs-confirmation'])).code).toBe(0);
    } finally {
      writeFileSync(path.join(bed.root, 'inventory/test/env.yml'), 'confirm: false\n');
      await rig(['deploy']);
    }
  });

  it('an unreachable host does not stop the others; the summary names it; exit 1', async () => {
    const [h1, h2] = bed.fleet.hosts;
    await bed.fleet.stopHost(h2!);
    try {
      const r = await rig(['deploy', '--var', 'sample_message=partial']);
      expect(r.code).toBe(1);
      expect(r.out).toContain('h2: unreachable');
      expect(r.out).toContain('deploy: 2 hosts, 2 changes made; ok=0 changed=1 failed=0 unreachable=1');
      expect(readFileSync(path.join(data(), h1!.name, 'app', 'app.conf'), 'utf8')).toContain('message = partial');
    } finally {
      await bed.fleet.restart(h2!);
    }
    expect(existsSync(path.join(data(), 'h2', 'app'))).toBe(true);
  });

  it('serial: 1 applies host after host and stops after a batch that failed entirely', async () => {
    const [h1] = bed.fleet.hosts;
    writeFileSync(path.join(bed.root, 'playbooks/site.yml'), '- hosts: all\n  serial: 1\n  roles: [sample]\n');
    await bed.fleet.stopHost(h1!);
    try {
      const r = await rig(['deploy', '--var', 'sample_message=rolling']);
      expect(r.code).toBe(1);
      expect(r.out).toContain('h1: unreachable');
      expect(r.out).toContain('h2: failed');
      expect(r.out).toContain('not applied: every host of batch 1 failed (serial)');
      expect(readFileSync(path.join(data(), 'h2', 'app', 'app.conf'), 'utf8')).not.toContain('rolling');
    } finally {
      await bed.fleet.restart(h1!);
      writeFileSync(path.join(bed.root, 'playbooks/site.yml'), '- hosts: all\n  roles: [sample]\n');
    }
    expect((await rig(['deploy'])).code).toBe(0);
  });
});
