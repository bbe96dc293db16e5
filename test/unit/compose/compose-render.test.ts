// Golden compose files: every service field, a minimal service, the top-level networks and volumes, `$` escaping and
// YAML 1.1 quoting.
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { composeFilePath, renderComposeFile, type RenderedService } from '../../../src/compose/render-compose.js';
import { serviceSpecSchema, type ServiceSpecInput } from '../../../src/core/desired/service.js';

const svc = (name: string, spec: ServiceSpecInput, labels: Record<string, string> = {}): RenderedService => ({
  name,
  spec: serviceSpecSchema.parse(spec),
  labels,
});

const FULL: ServiceSpecInput = {
  image: 'registry.example/app:1.2',
  command: ['serve', '--port', '8080'],
  entrypoint: ['/bin/tini', '--'],
  environment: { GREETING: 'hello', PRICE: 'costs $5 or ${EUR}' },
  envFiles: ['/srv/app/app.env'],
  mounts: [
    { type: 'bind', source: '/srv/app/conf', target: '/etc/app', readOnly: true },
    { type: 'volume', source: 'data', target: '/var/lib/app' },
  ],
  networks: ['back-end', 'front'],
  ports: ['127.0.0.1:8080:8080'],
  healthcheck: {
    test: ['curl', '-f', 'http://localhost:8080/'],
    interval: '5s',
    timeout: '2s',
    retries: 5,
    startPeriod: '10s',
  },
  user: '1000:1000',
  groupAdd: ['docker', 999],
  init: true,
  capDrop: ['ALL'],
  capAdd: ['NET_BIND_SERVICE'],
  securityOpt: ['no-new-privileges:true'],
  readOnly: true,
  tmpfs: ['/tmp'],
  workingDir: '/app',
  restart: 'always',
  memLimit: '512m',
  memReservation: '128m',
  cpus: 1.5,
  pidsLimit: 200,
  stopGracePeriod: '30s',
  labels: { team: 'core' },
};

const GOLDEN = `# Rendered by rig: project my-stack, phase apps. Do not edit: every deploy rewrites it.
version: "2.4"
services:
  web:
    container_name: my_stack_web
    image: registry.example/app:1.2
    command:
      - serve
      - --port
      - "8080"
    entrypoint:
      - /bin/tini
      - --
    environment:
      GREETING: hello
      PRICE: costs $$5 or $\${EUR}
    env_file:
      - /srv/app/app.env
    volumes:
      - type: bind
        source: /srv/app/conf
        target: /etc/app
        read_only: true
      - type: volume
        source: data
        target: /var/lib/app
        read_only: false
    networks:
      - back-end
      - front
    ports:
      - 127.0.0.1:8080:8080
    healthcheck:
      test:
        - CMD
        - curl
        - -f
        - http://localhost:8080/
      interval: 5s
      timeout: 2s
      retries: 5
      start_period: 10s
    user: 1000:1000
    group_add:
      - docker
      - 999
    init: true
    cap_drop:
      - ALL
    cap_add:
      - NET_BIND_SERVICE
    security_opt:
      - no-new-privileges:true
    read_only: true
    tmpfs:
      - /tmp
    working_dir: /app
    restart: always
    mem_limit: 512m
    mem_reservation: 128m
    cpus: 1.5
    pids_limit: 200
    stop_grace_period: 30s
    labels:
      team: core
      rig.managed: "true"
      rig.fingerprint: 0123abcd
  cache-1:
    container_name: my_stack_cache_1
    image: busybox:1.36
    restart: unless-stopped
networks:
  back-end:
    external: true
    name: my_stack_back_end
  front:
    external: true
    name: my_stack_front
volumes:
  data: {}
`;

describe('renderComposeFile', () => {
  it('renders every field of a full service and only the non-default ones of a minimal one', () => {
    const text = renderComposeFile('my-stack', 'apps', [
      svc('web', FULL, { 'rig.managed': 'true', 'rig.fingerprint': '0123abcd' }),
      svc('cache-1', { image: 'busybox:1.36' }),
    ]);
    expect(text).toBe(GOLDEN);
  });

  it('for Compose v2: the same document without `version:` (obsolete there; 2.25+ warns about it on every command)', () => {
    const services = [
      svc('web', FULL, { 'rig.managed': 'true', 'rig.fingerprint': '0123abcd' }),
      svc('cache-1', { image: 'busybox:1.36' }),
    ];
    expect(renderComposeFile('my-stack', 'apps', services, 'v1')).toBe(GOLDEN);
    expect(renderComposeFile('my-stack', 'apps', services, 'v2')).toBe(GOLDEN.replace('version: "2.4"\n', ''));
    expect(GOLDEN).toContain('\nversion: "2.4"\nservices:\n');
  });

  it('renders a shell-line healthcheck as CMD-SHELL with the schema defaults', () => {
    const text = renderComposeFile('p', 'infra', [
      svc('db', { image: 'postgres:16', healthcheck: { test: 'pg_isready -U $POSTGRES_USER' } }),
    ]);
    expect(text).toBe(`# Rendered by rig: project p, phase infra. Do not edit: every deploy rewrites it.
version: "2.4"
services:
  db:
    container_name: p_db
    image: postgres:16
    healthcheck:
      test:
        - CMD-SHELL
        - pg_isready -U $$POSTGRES_USER
      interval: 10s
      timeout: 5s
      retries: 3
      start_period: 0s
    restart: unless-stopped
`);
  });

  it('refuses a healthcheck argv in compose form (rig writes CMD itself: it would run a program named CMD)', () => {
    for (const first of ['CMD', 'CMD-SHELL', 'NONE']) {
      const r = serviceSpecSchema.safeParse({
        image: 'x:1',
        healthcheck: { test: [first, 'curl', '-f', 'http://127.0.0.1/'] },
      });
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]?.message).toContain('rig writes CMD itself');
    }
    expect(
      serviceSpecSchema.safeParse({ image: 'x:1', healthcheck: { test: ['curl', '-f', 'http://127.0.0.1/'] } }).success,
    ).toBe(true);
  });

  it('lists each network and named volume once, sorted, even when several services use them', () => {
    const a = svc('a', {
      image: 'x',
      networks: ['zeta', 'alpha'],
      mounts: [{ type: 'volume', source: 'v2', target: '/d' }],
    });
    const b = svc('b', {
      image: 'x',
      networks: ['alpha'],
      mounts: [
        { type: 'volume', source: 'v1', target: '/d' },
        { type: 'bind', source: '/host', target: '/h' },
      ],
    });
    const doc = parse(renderComposeFile('shop', 'apps', [a, b])) as { networks: object; volumes: object };
    expect(doc.networks).toEqual({
      alpha: { external: true, name: 'shop_alpha' },
      zeta: { external: true, name: 'shop_zeta' },
    });
    expect(Object.keys(doc.networks)).toEqual(['alpha', 'zeta']);
    expect(doc.volumes).toEqual({ v1: {}, v2: {} });
    expect(Object.keys(doc.volumes)).toEqual(['v1', 'v2']);
  });

  it('rig labels win over a service label of the same name', () => {
    const doc = parse(
      renderComposeFile('p', 'apps', [
        svc('a', { image: 'x', labels: { 'rig.role': 'forged', keep: 'me' } }, { 'rig.role': 'web' }),
      ]),
    ) as { services: { a: { labels: object } } };
    expect(doc.services.a.labels).toEqual({ 'rig.role': 'web', keep: 'me' });
  });

  // Compose v1 reads the file as YAML 1.1 (PyYAML): `no` is false there, `22:22` the sexagesimal 1342, `on` true.
  it('quotes strings that YAML 1.1 or 1.2 would read as another type', () => {
    const text = renderComposeFile('p', 'apps', [
      svc('a', {
        image: 'x',
        restart: 'no',
        ports: ['22:22'],
        user: '1000:50',
        environment: { A: 'yes', B: 'on', C: '0o17', D: '1:30' },
      }),
    ]);
    expect(text).toContain('    restart: "no"\n');
    expect(text).toContain('    ports:\n      - "22:22"\n');
    expect(text).toContain('    user: "1000:50"\n');
    expect(text).toContain('      A: "yes"\n      B: "on"\n      C: "0o17"\n      D: "1:30"\n');
    for (const version of ['1.1', '1.2'] as const) {
      const doc = parse(text, { version }) as { services: { a: Record<string, unknown> } };
      expect(doc.services.a).toMatchObject({
        restart: 'no',
        ports: ['22:22'],
        user: '1000:50',
        environment: { A: 'yes', B: 'on', C: '0o17', D: '1:30' },
      });
    }
  });
});

describe('composeFilePath', () => {
  it.each([
    ['/srv/shop', 'apps', '/srv/shop/compose.apps.yml'],
    ['/srv/shop/', 'infra', '/srv/shop/compose.infra.yml'],
    ['/srv/shop//', 'apps', '/srv/shop/compose.apps.yml'],
  ] as const)('%s %s → %s', (dir, phase, expected) => {
    expect(composeFilePath(dir, phase)).toBe(expected);
  });
});
