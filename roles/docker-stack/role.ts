// Role docker-stack: the project's directories and networks, and the infra phase (PostgreSQL, Redis) the app roles use.
import { defineRole, z, type Op, type RoleContext } from 'rig';

const database = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .describe('Database (and, unless `user` is given, owner role) name'),
  user: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/)
    .optional(),
  password: z.string().min(12).describe('The owner role password (keep it in the vault)'),
});

const vars = z.object({
  docker_stack_networks: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), z.strictObject({ internal: z.boolean() }))
    .describe('Networks <project>_<name>; internal ones have no route out'),
  docker_stack_postgres_enabled: z.boolean(),
  docker_stack_postgres_image: z
    .string()
    .min(1)
    .optional()
    .describe('PostgreSQL image, repo:tag (versions.yml); required while PostgreSQL is enabled'),
  docker_stack_postgres_password: z.string().min(12).optional().describe('Password of the postgres superuser (vault)'),
  docker_stack_postgres_databases: z.array(database).describe('Databases created by the one-shot db-init service'),
  docker_stack_postgres_mem_limit: z.string(),
  docker_stack_postgres_cpus: z.number().positive(),
  docker_stack_redis_enabled: z.boolean(),
  docker_stack_redis_image: z
    .string()
    .min(1)
    .optional()
    .describe('Redis image, repo:tag (versions.yml); required while Redis is enabled'),
  docker_stack_redis_password: z.string().min(12).optional().describe('requirepass (vault)'),
  docker_stack_redis_mem_limit: z.string(),
  docker_stack_redis_cpus: z.number().positive(),
});

type Vars = z.infer<typeof vars>;
type Ctx = RoleContext<Vars>;

export default defineRole({
  name: 'docker-stack',
  description:
    'Project directories, docker networks, PostgreSQL and Redis (infra phase) and the databases the apps need',
  vars,
  tasks: (ctx) => {
    const { vars, hostVars, dir, network, report, locate } = ctx;
    const root = String(hostVars['project_dir']);
    const configs = `${root}/configs`;
    const ops: Op[] = [
      dir(root, { mode: 0o755 }),
      dir(configs, { mode: 0o755 }),
      dir(`${root}/data`, { mode: 0o755 }),
      dir(`${root}/logs`, { mode: 0o755 }),
    ];
    for (const [name, n] of Object.entries(vars.docker_stack_networks))
      ops.push(network(name, { internal: n.internal }));
    const needsBackend = vars.docker_stack_postgres_enabled || vars.docker_stack_redis_enabled;
    if (needsBackend && !('backend' in vars.docker_stack_networks))
      report({
        severity: 'error',
        message: 'docker_stack_networks: PostgreSQL and Redis run on the "backend" network, which is not declared',
        at: locate('docker_stack_networks'),
      });
    if (vars.docker_stack_postgres_enabled) ops.push(...postgres(ctx, configs));
    if (vars.docker_stack_redis_enabled) ops.push(...redis(ctx, configs));
    return ops;
  },
});

function postgres(b: Ctx, configs: string): Op[] {
  const vars = b.vars;
  const d = `${configs}/postgresql`;
  const image = vars.docker_stack_postgres_image;
  if (image === undefined) {
    b.report({
      severity: 'error',
      message:
        'docker_stack_postgres_image is required while docker_stack_postgres_enabled is true (set it in versions.yml)',
      at: b.locate('docker_stack_postgres_enabled'),
    });
    return [];
  }
  if (vars.docker_stack_postgres_password === undefined) {
    b.report({
      severity: 'error',
      message:
        'docker_stack_postgres_password is required while docker_stack_postgres_enabled is true (keep it in the vault)',
      at: b.locate('docker_stack_postgres_enabled'),
    });
    return [];
  }
  const env = { POSTGRES_PASSWORD: vars.docker_stack_postgres_password };
  const initEnv: Record<string, string> = { PGPASSWORD: vars.docker_stack_postgres_password };
  const script = ['set -e'];
  for (const [i, db] of vars.docker_stack_postgres_databases.entries()) {
    const user = db.user ?? db.name;
    initEnv[`DB_${i}_PASSWORD`] = db.password;
    // psql variables (:'x' quoting) carry the names and the password, never the shell
    script.push(
      `psql -v ON_ERROR_STOP=1 -h postgresql -U postgres -v u=${user} -v p="$DB_${i}_PASSWORD" -v d=${db.name} <<'SQL'`,
      `SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'u', :'p') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u')\\gexec`,
      `SELECT format('ALTER ROLE %I PASSWORD %L', :'u', :'p')\\gexec`,
      `SELECT format('CREATE DATABASE %I OWNER %I', :'d', :'u') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'d')\\gexec`,
      'SQL',
    );
  }
  const health = {
    test: ['pg_isready', '-h', '127.0.0.1', '-U', 'postgres'],
    interval: '5s',
    timeout: '5s',
    retries: 20,
  };
  return [
    b.dir(d, { mode: 0o755 }),
    b.template('env.hbs', `${d}/postgresql.env`, { mode: 0o600, extra: { envmap: env } }),
    b.template('env.hbs', `${d}/db-init.env`, { mode: 0o600, extra: { envmap: initEnv } }),
    b.service(
      'postgresql',
      {
        image,
        envFiles: [`${d}/postgresql.env`],
        mounts: [{ type: 'volume', source: 'postgresql_data', target: '/var/lib/postgresql/data' }],
        networks: ['backend'],
        healthcheck: health,
        memLimit: vars.docker_stack_postgres_mem_limit,
        cpus: vars.docker_stack_postgres_cpus,
        stopGracePeriod: '30s',
      },
      { phase: 'infra', gate: { timeoutSec: 120 } },
    ),
    ...(vars.docker_stack_postgres_databases.length > 0
      ? [
          b.service(
            'db-init',
            {
              image,
              entrypoint: ['/bin/sh', '-c'],
              command: [script.join('\n')],
              envFiles: [`${d}/db-init.env`],
              networks: ['backend'],
            },
            { phase: 'apps', gate: { oneShot: true, timeoutSec: 60 } },
          ),
        ]
      : []),
  ];
}

function redis(b: Ctx, configs: string): Op[] {
  const vars = b.vars;
  const d = `${configs}/redis`;
  const image = vars.docker_stack_redis_image;
  if (image === undefined) {
    b.report({
      severity: 'error',
      message: 'docker_stack_redis_image is required while docker_stack_redis_enabled is true (set it in versions.yml)',
      at: b.locate('docker_stack_redis_enabled'),
    });
    return [];
  }
  const env: Record<string, string> =
    vars.docker_stack_redis_password === undefined ? {} : { REDIS_PASSWORD: vars.docker_stack_redis_password };
  const test =
    vars.docker_stack_redis_password === undefined
      ? ['redis-cli', '-h', '127.0.0.1', 'ping']
      : 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 ping | grep -qx PONG';
  return [
    b.dir(d, { mode: 0o755 }),
    b.template('env.hbs', `${d}/redis.env`, { mode: 0o600, extra: { envmap: env } }),
    b.service(
      'redis',
      {
        image,
        envFiles: [`${d}/redis.env`],
        mounts: [{ type: 'volume', source: 'redis_data', target: '/data' }],
        networks: ['backend'],
        healthcheck: { test, interval: '3s', timeout: '3s', retries: 10 },
        memLimit: vars.docker_stack_redis_mem_limit,
        cpus: vars.docker_stack_redis_cpus,
      },
      { phase: 'infra', gate: { timeoutSec: 60 } },
    ),
  ];
}
