// Role docker-stack on a real target host: networks, PostgreSQL and Redis healthy, databases made by a one-shot init.
// The images come from the bed's registry, pinned by digest, as production deploys them.
import { describe, expect, it } from 'vitest';
import { execIn, inspectContainer } from '../../helpers/docker/index.js';
import { requireImages, useRoleBed, type RoleBed } from '../../bed/index.js';

const IMAGES = ['local/postgres:15-rig', 'local/redis:7-rig'];
const skip = await requireImages('docker-stack role', IMAGES, 'scripts/build-images.sh');

const PG_PASSWORD = 'pg-superuser-7c1d90ab';
const APP_PASSWORD = 'litellm-db-2e8f44c1';

describe.skipIf(skip !== undefined)('role docker-stack', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: ['docker-stack'],
      images: { docker_stack_postgres_image: 'local/postgres:15-rig', docker_stack_redis_image: 'local/redis:7-rig' },
      vault: { vault_pg: PG_PASSWORD, vault_app: APP_PASSWORD },
      hostVars: () => ({
        docker_stack_postgres_password: '{{ vault_pg }}',
        docker_stack_postgres_databases: [{ name: 'litellm', password: '{{ vault_app }}' }],
      }),
    },
    (b) => (bed = b),
  );

  it('networks, PostgreSQL and Redis healthy from pinned digests, the database made with its owner', async () => {
    const r = await bed.rig(['deploy']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const n of ['frontend', 'backend', 'egress', 'sandbox']) {
      expect(r.out).toContain(`+ network ${bed.network(n)}`);
    }
    expect(r.out).toMatch(/✓ postgresql healthy/);
    expect(r.out).toMatch(/✓ redis healthy/);
    expect(r.out).toMatch(/✓ db-init exited 0/);
    // the gate's own dead time is reported: from the first passing check (host clock) to the poll that saw it
    for (const svc of ['postgresql', 'redis']) {
      const m = new RegExp(`✓ ${svc} healthy \\(([\\d.]+)s, gated ([\\d.]+)s after its first passing check\\)`).exec(
        r.out,
      );
      expect(m, `${svc}'s gate line in:\n${r.out}`).not.toBeNull();
      // (a check may pass during compose up, before the gate starts: no bound by the gate's own seconds)
      const after = Number(m?.[2]);
      expect(after).toBeGreaterThanOrEqual(0);
      expect(after).toBeLessThan(60);
      console.log(`[docker-stack-role] gate: ${m?.[0]}`);
    }
    const pg = await inspectContainer(bed.container('postgresql'));
    expect(pg?.health).toBe('healthy');
    const { ref, digest } = bed.images['docker_stack_postgres_image']!;
    expect(pg?.imageRef).toBe(`${ref}@${digest}`);
    const query = 'PGPASSWORD="$1" psql -h 127.0.0.1 -U litellm -d litellm -tAc "select current_user"';
    const db = await execIn(bed.container('postgresql'), ['sh', '-c', query, 'sh', APP_PASSWORD]);
    expect(db.stdout.trim()).toBe('litellm');
    expect((await execIn(bed.container('redis'), ['redis-cli', '-h', '127.0.0.1', 'ping'])).stdout.trim()).toBe('PONG');
    expect(r.out).not.toContain(PG_PASSWORD);
    expect(r.out).not.toContain(APP_PASSWORD);
  });

  it('a second deploy has nothing to do: the one-shot init stays exited, nothing is recreated', async () => {
    const before = await inspectContainer(bed.container('postgresql'));
    const r = await bed.rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('h1: nothing to do');
    expect((await inspectContainer(bed.container('postgresql')))?.id).toBe(before?.id);
    expect(await inspectContainer(bed.container('db_init'))).toMatchObject({ status: 'exited', exitCode: 0 });
  });
});
