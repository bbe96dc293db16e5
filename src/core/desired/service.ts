// Typed compose services and networks that roles declare: the zod schema is the validation, the TS type and the docs.
import { z } from 'zod';

const absPath = z.string().startsWith('/', 'must be an absolute path');
const duration = z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 10s, 500ms, 2m');
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/** A bind mount of a host path (rig-managed files under it count into the service's fingerprint). */
export const bindMountSchema = z.strictObject({
  type: z.literal('bind'),
  source: absPath,
  target: absPath,
  readOnly: z.boolean().default(false),
});

/** A named volume of the project (`<project>_<name>` on the engine). */
export const volumeMountSchema = z.strictObject({
  type: z.literal('volume'),
  source: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/),
  target: absPath,
  readOnly: z.boolean().default(false),
});

export const mountSchema = z.discriminatedUnion('type', [bindMountSchema, volumeMountSchema]);

/** Compose healthcheck; `test` is an argv (`CMD`) or a shell line (`CMD-SHELL`). */
export const healthcheckSchema = z.strictObject({
  // rig writes CMD / CMD-SHELL itself: a test given in compose's own form would run a program named "CMD"
  test: z.union([
    z
      .array(z.string())
      .min(1)
      .refine((argv) => !['CMD', 'CMD-SHELL', 'NONE'].includes(argv[0] ?? ''), {
        message: 'give the program and its arguments (rig writes CMD itself) or a string for a shell line (CMD-SHELL)',
      }),
    z.string().min(1),
  ]),
  interval: duration.default('10s'),
  timeout: duration.default('5s'),
  retries: z.number().int().min(1).default(3),
  startPeriod: duration.default('0s'),
});

/**
 * The resolved definition of one compose service (compose file format 2.4, which Compose v1 and v2 both read).
 * Secrets never go in `environment`: they belong in an env file (sensitive, mode 0600), so compose files,
 * plans and releases' metadata stay free of them.
 */
export const serviceSpecSchema = z.strictObject({
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  /** Non-secret environment; secrets go in `envFiles`. */
  environment: z.record(envName, z.string()).default({}),
  /** Absolute paths of env files, usually rendered by the same role (their content is in the fingerprint). */
  envFiles: z.array(absPath).default([]),
  mounts: z.array(mountSchema).default([]),
  /** Short names of networks declared with `network()` on the same host. */
  networks: z.array(z.string()).default([]),
  /** Published ports, compose short syntax (`127.0.0.1:8080:80`). */
  ports: z.array(z.string()).default([]),
  healthcheck: healthcheckSchema.optional(),
  user: z.string().optional(),
  groupAdd: z.array(z.union([z.string(), z.number().int()])).default([]),
  init: z.boolean().optional(),
  capDrop: z.array(z.string()).default([]),
  capAdd: z.array(z.string()).default([]),
  securityOpt: z.array(z.string()).default([]),
  readOnly: z.boolean().optional(),
  tmpfs: z.array(absPath).default([]),
  workingDir: absPath.optional(),
  /** The container's hostname; stable across recreations (compose's default is the container id). */
  hostname: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, 'a hostname label')
    .optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).default('unless-stopped'),
  /** Resource limits (compose 2.4 keys: mem_limit, mem_reservation, cpus, pids_limit). */
  memLimit: z
    .string()
    .regex(/^\d+[bkmg]?$/i)
    .optional(),
  memReservation: z
    .string()
    .regex(/^\d+[bkmg]?$/i)
    .optional(),
  cpus: z.number().positive().optional(),
  pidsLimit: z.number().int().positive().optional(),
  labels: z.record(z.string(), z.string()).default({}),
  stopGracePeriod: duration.optional(),
});

/** How rig decides that a (re)created service came up well. */
export const healthGateSchema = z.strictObject({
  /** A one-shot service (init, migration) is healthy when it exits 0. */
  oneShot: z.boolean().default(false),
  /** Deadline for healthy / exit 0, in seconds. */
  timeoutSec: z.number().positive().default(120),
  /** Without a healthcheck: it must stay running (same start, no restart) this long, in seconds. */
  settleSec: z.number().nonnegative().default(5),
});

export type ServiceSpec = z.output<typeof serviceSpecSchema>;
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;
export type HealthGate = z.output<typeof healthGateSchema>;
export type HealthGateInput = z.input<typeof healthGateSchema>;
export type Mount = z.output<typeof mountSchema>;

/**
 * A `groupAdd` entry standing for the group id that owns `/var/run/docker.sock` on the host (read with the plan's
 * facts): containers that drive docker through the mounted socket (OpenClaw's sandboxes) need exactly that group.
 */
export const DOCKER_SOCKET_GROUP = 'rig:docker-socket-gid';

const SERVICE_IMAGE_PREFIX = 'rig:service-image:';

/**
 * An argv element of a command or handler standing for the image reference service `name` of the same host runs, as
 * deployed: `repo:tag@sha256:…` once the env's lock pins it. A command that must follow the service's image (OpenClaw's
 * sandbox image is rebuilt when the OpenClaw image changes) names it this way instead of repeating the tag, which a
 * pull by digest does not even create on the host.
 */
export function serviceImage(name: string): string {
  return `${SERVICE_IMAGE_PREFIX}${name}`;
}

/** The service name of a `serviceImage()` element, or undefined for any other string. */
export function serviceImageName(arg: string): string | undefined {
  return arg.startsWith(SERVICE_IMAGE_PREFIX) ? arg.slice(SERVICE_IMAGE_PREFIX.length) : undefined;
}

/** The compose phases, applied in this order; each is its own compose file in the same project. */
export const PHASES = ['infra', 'apps'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * `<project>_<service>` with `-` turned into `_` (the incumbent's naming, kept so existing tooling still finds them).
 */
export function containerName(project: string, service: string): string {
  return `${project}_${service}`.replace(/-/g, '_');
}

/** `<project>_<network>` (networks are external in the compose files: rig creates and checks them). */
export function networkName(project: string, network: string): string {
  return `${project}_${network}`.replace(/-/g, '_');
}
