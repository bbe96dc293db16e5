// Role docker-stack on a real target host: networks, PostgreSQL and Redis healthy, databases made by a one-shot init.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { VaultKeyring } from '../../src/config/vault/keyring.js';
import { dockerOk, execIn, imageId, inspectContainer, removeContainers, removeNetworks } from '../helpers/docker/index.js';
import { makeProject } from '../helpers/project.js';
import { testIo } from '../helpers/test-io.js';
import { requireDocker, startHosts, type Testbed } from '../helpers/testbed/index.js';

const skip = (await requireDocker()) ?? ((await imageId('local/postgres:15-rig')) && (await imageId('local/redis:7-rig')) ? undefined : 'local/postgres:15-rig or local/redis:7-rig missing (scripts/build-images.sh)');
if (skip) console.warn(`SKIP docker-stack role: ${skip}`);

const PG_PASSWORD = 'pg-superuser-7c1d90ab';
const APP_PASSWORD = 'litellm-db-2e8f44c1';

describe.skipIf(skip !== undefined)('role docker-stack', () => {
  let tb: Testbed;
  let root: string;
  let prefix: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    tb = await startHosts(1);
    const h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    const ring = VaultKeyring.fromPasswords([{ password: 'stack-pw' }]);
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`vault_pg: ${PG_PASSWORD}\nvault_app: ${APP_PASSWORD}\n`),
        'inventory/test/host_vars/h1.yml': stringify({
          project_name: h.composeProject,
          project_dir: `${h.dataDir}/stack`,
          docker_stack_postgres_image: 'local/postgres:15-rig',
          docker_stack_redis_image: 'local/redis:7-rig',
          docker_stack_postgres_password: '{{ vault_pg }}',
          docker_stack_postgres_databases: [{ name: 'litellm', password: '{{ vault_app }}' }],
        }),
        '.vault_password': 'stack-pw\n',
        'lint.yml': 'images:\n  - image: local/postgres\n    reason: built locally from Debian packages\n  - image: local/redis\n    reason: built locally from Debian packages\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [docker-stack]\n',
      },
      { roles: ['docker-stack'], asPackage: true },
    );
  }, 120_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
      await dockerOk(['volume', 'prune', '-f', '--filter', `label=com.docker.compose.project=${tb.host('h1').composeProject}`]).catch(() => '');
    }
    await tb?.stop();
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    return { code, out: io.outText(), err: io.errText() };
  }

  it('creates the networks, brings PostgreSQL and Redis up healthy, and makes the database with its owner', async () => {
    const r = await rig(['deploy']);
    if (r.code !== 0) console.error(r.out, r.err);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['frontend', 'backend', 'egress', 'sandbox']) expect(r.out).toContain(`+ network ${prefix}_${n}`);
    expect(r.out).toMatch(/✓ postgresql healthy/);
    expect(r.out).toMatch(/✓ redis healthy/);
    expect(r.out).toMatch(/✓ db-init exited 0/);
    expect((await inspectContainer(`${prefix}_postgresql`))?.health).toBe('healthy');
    const db = await execIn(`${prefix}_postgresql`, ['sh', '-c', 'PGPASSWORD="$1" psql -h 127.0.0.1 -U litellm -d litellm -tAc "select current_user"', 'sh', APP_PASSWORD]);
    expect(db.stdout.trim()).toBe('litellm');
    expect((await execIn(`${prefix}_redis`, ['redis-cli', '-h', '127.0.0.1', 'ping'])).stdout.trim()).toBe('PONG');
    expect(r.out).not.toContain(PG_PASSWORD);
    expect(r.out).not.toContain(APP_PASSWORD);
  });

  it('a second deploy has nothing to do: the one-shot init stays exited, nothing is recreated', async () => {
    const before = await inspectContainer(`${prefix}_postgresql`);
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('h1: nothing to do');
    expect((await inspectContainer(`${prefix}_postgresql`))?.id).toBe(before?.id);
    expect(await inspectContainer(`${prefix}_db_init`)).toMatchObject({ status: 'exited', exitCode: 0 });
  });
});
