// Role openclaw: the OpenClaw gateway with docker-outside-of-docker agent sandboxes, from a typed, checked
// openclaw.json.
import { createHash } from 'node:crypto';
import {
  checkOpenclawConfig,
  defineRole,
  imageRefSchema,
  DOCKER_SOCKET_GROUP,
  GatewaySchema,
  PluginsSchema,
  SandboxSchema,
  serviceImage,
  sh,
  TelegramSchema,
  z,
  type Op,
  type OpenclawConfig,
  type OpenclawFinding,
  type RoleContext,
} from 'rig';

export const CONFIG_FILE = 'openclaw.json';
export const ENV_FILE = 'openclaw.env';
/** The image label recording which OpenClaw image (id) a sandbox image was built for. */
export const SANDBOX_SOURCE_LABEL = 'rig.openclaw.image-id';
/** The image label recording the Dockerfile (sha256, or "image" when it came from the OpenClaw image). */
export const SANDBOX_DOCKERFILE_LABEL = 'rig.openclaw.sandbox-dockerfile';

const absPath = z.string().regex(/^\/[^\0]*$/, 'an absolute path');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

const varsSchema = z.object({
  openclaw_image: imageRefSchema.describe('OpenClaw image, repo:tag (versions.yml)'),
  openclaw_port: z.int().min(1).max(65535).describe('Gateway HTTP + WebSocket port (gateway.port)'),
  openclaw_bind: GatewaySchema.shape.bind,
  openclaw_trusted_proxies: z
    .array(z.string())
    .describe('gateway.trustedProxies: CIDRs of the reverse proxy (Caddy on the frontend network)'),
  openclaw_control_ui: GatewaySchema.shape.controlUi,
  openclaw_state_dir: absPath.describe(
    'OPENCLAW_STATE_DIR, mounted at the SAME path in the container: sandboxes are started by the host engine, which resolves their mounts on the host',
  ),
  openclaw_workspace: absPath.describe('agents.defaults.workspace (under the state dir)'),
  openclaw_model_primary: z.string().min(1).describe('agents.defaults.model.primary, provider/model'),
  openclaw_sandbox: SandboxSchema,
  openclaw_sandbox_build: z
    .enum(['image', 'template', 'none'])
    .describe(
      "How the sandbox image is made on the host: from the OpenClaw image's /app/Dockerfile.sandbox, from the role's template on openclaw_sandbox_base_image, or not at all (it must exist)",
    ),
  openclaw_sandbox_base_image: imageRefSchema.describe(
    'FROM of the template Dockerfile (openclaw_sandbox_build: template)',
  ),
  openclaw_sandbox_packages: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name'))
    .describe('Extra apt packages in the template sandbox image'),
  openclaw_telegram: TelegramSchema.nullable().describe('channels.telegram, or null for no Telegram channel'),
  openclaw_plugins: PluginsSchema.shape.entries.describe(
    'plugins.entries: every enabled channel needs its plugin here with enabled: true',
  ),
  openclaw_env: z
    .record(envName, z.union([z.string(), z.number(), z.boolean()]))
    .describe('openclaw.env (mode 0600): OPENCLAW_GATEWAY_TOKEN, TELEGRAM_BOT_TOKEN, provider keys… from the vault'),
  openclaw_agents_md: z
    .string()
    .describe('AGENTS.md written into the workspace (the sandbox smoke check reads it inside a sandbox)'),
  openclaw_networks: z
    .record(z.string(), z.strictObject({ internal: z.boolean().default(false), external: z.boolean().default(false) }))
    .describe('Networks of the gateway container'),
  openclaw_docker_cli: z
    .union([z.literal(''), absPath])
    .describe("Host path of a docker CLI to mount at /usr/local/bin/docker; empty = the image's own"),
  openclaw_uid: z
    .int()
    .nonnegative()
    .describe('uid the gateway runs as (node = 1000 in the image); owns the state dir'),
  openclaw_gid: z.int().nonnegative(),
  openclaw_health_timeout: z.int().positive().describe('Seconds a (re)created gateway has to answer /healthz'),
  openclaw_stop_grace: z
    .string()
    .regex(/^\d+s$/)
    .describe('stop_grace_period: a killed gateway holds a 5-minute owner lease on its state dir'),
  openclaw_mem_limit: z.string().regex(/^\d+[bkmg]?$/i),
  openclaw_cpus: z.number().positive(),
});

type Vars = z.output<typeof varsSchema>;

/** The environment the gateway gets: the inventory's values plus the paths the role fixes. */
export function openclawEnv(v: Vars): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(v.openclaw_env).map(([k, x]) => [k, String(x)])),
    OPENCLAW_STATE_DIR: v.openclaw_state_dir,
    OPENCLAW_CONFIG_PATH: `${v.openclaw_state_dir}/${CONFIG_FILE}`,
    OPENCLAW_GATEWAY_PORT: String(v.openclaw_port),
    HOME: '/home/node',
  };
}

/** openclaw.json from the typed variables; secrets appear only as `${NAME}` references to openclaw.env. */
export function openclawConfig(v: Vars): OpenclawConfig {
  return {
    gateway: {
      mode: 'local',
      port: v.openclaw_port,
      bind: v.openclaw_bind,
      auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' },
      ...(v.openclaw_trusted_proxies.length > 0 ? { trustedProxies: v.openclaw_trusted_proxies } : {}),
      ...(v.openclaw_control_ui !== undefined ? { controlUi: v.openclaw_control_ui } : {}),
    },
    agents: {
      defaults: {
        model: { primary: v.openclaw_model_primary },
        workspace: v.openclaw_workspace,
        sandbox: v.openclaw_sandbox,
      },
    },
    ...(v.openclaw_telegram !== null ? { channels: { telegram: v.openclaw_telegram } } : {}),
    plugins: { entries: v.openclaw_plugins },
  };
}

/** Which variable (and path in it) a finding about openclaw.json or its env is about. */
export function varPath(f: OpenclawFinding): string[] {
  const p = f.path.split('.');
  const [a, b, c, ...rest] = p;
  if (f.code === 'channel-plugin-missing') return ['openclaw_telegram', 'enabled'];
  if (f.code === 'env-undefined') return ['openclaw_env'];
  if (a === 'env')
    return b === 'OPENCLAW_STATE_DIR' || b === 'OPENCLAW_CONFIG_PATH'
      ? ['openclaw_state_dir']
      : ['openclaw_env', ...p.slice(1)];
  if (a === 'channels' && b === 'telegram') return ['openclaw_telegram', ...p.slice(2)];
  if (a === 'plugins' && b === 'entries') return ['openclaw_plugins', ...p.slice(2)];
  if (a === 'agents' && c === 'sandbox') return ['openclaw_sandbox', ...rest];
  if (a === 'agents' && c === 'workspace') return ['openclaw_workspace'];
  if (a === 'agents' && c === 'model') return ['openclaw_model_primary'];
  if (a === 'gateway' && (b === 'port' || b === 'bind')) return [`openclaw_${b}`];
  return ['openclaw_env'];
}

/** The sandbox image is current when its labels name the OpenClaw image the service runs and the wanted Dockerfile. */
const SANDBOX_CURRENT = [
  'want=$(docker image inspect -f "{{.Id}}" "$1") || exit 1',
  `have=$(docker image inspect -f '{{index .Config.Labels "${SANDBOX_SOURCE_LABEL}"}} {{index .Config.Labels "${SANDBOX_DOCKERFILE_LABEL}"}}' "$2" 2>/dev/null) || exit 1`,
  'test "$have" = "$want $3"',
].join('\n');

/**
 * Builds the sandbox image on the host (classic builder: BuildKit would try to resolve a local base image remotely).
 */
const SANDBOX_BUILD = [
  'set -e',
  'id=$(docker image inspect -f "{{.Id}}" "$1")',
  'if [ "$3" = image ]; then docker run --rm --entrypoint cat "$1" /app/Dockerfile.sandbox > "$4/Dockerfile"; test -s "$4/Dockerfile"; fi',
  `DOCKER_BUILDKIT=0 docker build -q --label "${SANDBOX_SOURCE_LABEL}=$id" --label "${SANDBOX_DOCKERFILE_LABEL}=$3" -t "$2" "$4" >/dev/null`,
].join('\n');

function sandboxImageOps(ctx: RoleContext<Vars>, buildDir: string): Op[] {
  const { vars } = ctx;
  if (vars.openclaw_sandbox.mode === 'off' || vars.openclaw_sandbox_build === 'none') return [];
  const image = vars.openclaw_sandbox.docker.image;
  const ops: Op[] = [ctx.dir(buildDir, { mode: 0o755 })];
  let dockerfile = 'image';
  if (vars.openclaw_sandbox_build === 'template') {
    const file = ctx.template('Dockerfile.sandbox.hbs', `${buildDir}/Dockerfile`, { mode: 0o644 });
    dockerfile = createHash('sha256').update(String(file.content)).digest('hex').slice(0, 16);
    ops.push(file);
  }
  const args = [serviceImage('openclaw'), image, dockerfile, buildDir];
  ops.push(
    ctx.command(`sandbox image ${image}`, sh(SANDBOX_BUILD, ...args), {
      unless: sh(SANDBOX_CURRENT, ...args),
      missing: `${image} is missing or was built for another OpenClaw image or Dockerfile`,
    }),
  );
  return ops;
}

function serviceSpec(v: Vars, envFile: string) {
  const port = v.openclaw_port;
  return {
    image: v.openclaw_image,
    user: `${v.openclaw_uid}:${v.openclaw_gid}`,
    envFiles: [envFile],
    mounts: [
      { type: 'bind' as const, source: v.openclaw_state_dir, target: v.openclaw_state_dir },
      { type: 'bind' as const, source: '/var/run/docker.sock', target: '/var/run/docker.sock' },
      ...(v.openclaw_docker_cli === ''
        ? []
        : [{ type: 'bind' as const, source: v.openclaw_docker_cli, target: '/usr/local/bin/docker', readOnly: true }]),
    ],
    groupAdd: [DOCKER_SOCKET_GROUP],
    networks: Object.keys(v.openclaw_networks),
    // node is in every OpenClaw image (curl and wget are not: lesson §10.15). A long start period only delays the
    // `unhealthy` verdict (healthy comes with the first answer): a loaded 2-core host took > 120 s to serve /healthz.
    healthcheck: {
      test: [
        'node',
        '-e',
        `fetch('http://127.0.0.1:${port}/healthz',{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
      ],
      interval: '5s',
      timeout: '5s',
      retries: 5,
      startPeriod: '240s',
    },
    // A stable hostname: the gateway records pid + hostname in its state-dir owner lease. A gateway that did not stop
    // in time (an unreachable Telegram API stalls its shutdown past any grace period) leaves a 5-minute lease that the
    // next container can reclaim only when it sees the same hostname and finds that pid dead.
    hostname: 'openclaw',
    init: true,
    stopGracePeriod: v.openclaw_stop_grace,
    memLimit: v.openclaw_mem_limit,
    cpus: v.openclaw_cpus,
  };
}

export default defineRole({
  name: 'openclaw',
  description:
    'OpenClaw gateway: checked openclaw.json, env file, state dir at the identical host path, docker socket + group, sandbox image built when the OpenClaw image changes',
  vars: varsSchema.superRefine((v, ctx) => {
    for (const f of checkOpenclawConfig(openclawConfig(v), openclawEnv(v)))
      ctx.addIssue({ code: 'custom', path: varPath(f), message: f.message });
  }),
  tasks: (ctx) => {
    const { vars, hostVars, dir, content, template, service, network, report, locate } = ctx;
    const projectDir = String(hostVars['project_dir']);
    const project = String(hostVars['project_name']).replace(/-/g, '_');
    const net = vars.openclaw_sandbox.docker.network;
    if (net !== undefined && net !== 'none' && !net.startsWith(`${project}_`)) {
      report({
        severity: 'warning',
        message: `openclaw_sandbox.docker.network "${net}" is not a network of project ${project} (${project}_sandbox is the internal one rig creates)`,
        at: locate('openclaw_sandbox', ['docker', 'network']),
      });
    }
    const owner = { owner: String(vars.openclaw_uid), group: String(vars.openclaw_gid) };
    const confDir = `${projectDir}/configs/openclaw`;
    const envFile = `${confDir}/${ENV_FILE}`;
    return [
      dir(confDir, { mode: 0o755 }),
      template(`${ENV_FILE}.hbs`, envFile, { mode: 0o600, extra: { envmap: openclawEnv(vars) } }),
      dir(vars.openclaw_state_dir, { mode: 0o700, ...owner }),
      // not a secret (only ${NAME} references) but the gateway's own: 0600, owned by its uid
      content(`${vars.openclaw_state_dir}/${CONFIG_FILE}`, `${JSON.stringify(openclawConfig(vars), null, 2)}\n`, {
        mode: 0o600,
        ...owner,
      }),
      dir(vars.openclaw_workspace, { mode: 0o755, ...owner }),
      content(`${vars.openclaw_workspace}/AGENTS.md`, vars.openclaw_agents_md, { mode: 0o644, ...owner }),
      ...sandboxImageOps(ctx, `${confDir}/sandbox`),
      ...Object.entries(vars.openclaw_networks).map(([name, n]) => network(name, n)),
      // the gateway's Control UI is a WebSocket app: a proxy in front of it must speak HTTP/1.1 to it (§10.13)
      service('openclaw', serviceSpec(vars, envFile), {
        phase: 'apps',
        gate: { timeoutSec: vars.openclaw_health_timeout },
        websocket: true,
      }),
    ];
  },
});
