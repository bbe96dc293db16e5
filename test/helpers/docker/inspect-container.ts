// Reads the state tests assert on (image, start time, health, exit code, env, labels) of one container.
import { z } from 'zod';
import { inspectJson } from './docker-cli.js';

/** The parts of `docker inspect` that tests assert on. */
export interface ContainerInfo {
  id: string;
  /** Name without the leading `/`. */
  name: string;
  /** Image ID (`sha256:…`) the container runs; compare with {@link imageId} of a tag. */
  image: string;
  /** The image reference the container was created from (`local/rig-svc:1`). */
  imageRef: string;
  /** RFC 3339 from the engine; changes on every (re)start, so it tells a restart from a no-op. */
  startedAt: string;
  running: boolean;
  /** `created`, `running`, `restarting`, `exited`, … */
  status: string;
  /** `KEY=value` entries of the container's config (image env plus the container's). */
  env: string[];
  labels: Record<string, string>;
  /** `starting`, `healthy` or `unhealthy`; absent when the container has no healthcheck. */
  health?: string;
  exitCode: number;
}

const inspectSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  Image: z.string(),
  State: z.object({
    Status: z.string(),
    Running: z.boolean(),
    ExitCode: z.number(),
    StartedAt: z.string(),
    Health: z.object({ Status: z.string() }).optional(),
  }),
  Config: z.object({
    Image: z.string(),
    Env: z.array(z.string()).nullable().optional(),
    Labels: z.record(z.string(), z.string()).nullable().optional(),
  }),
});

/** `docker inspect` of container `name` (or id), or `undefined` when it does not exist. */
export async function inspectContainer(name: string): Promise<ContainerInfo | undefined> {
  const raw = await inspectJson('container', name);
  if (raw === undefined) return undefined;
  const c = inspectSchema.parse(raw);
  const info: ContainerInfo = {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Image,
    imageRef: c.Config.Image,
    startedAt: c.State.StartedAt,
    running: c.State.Running,
    status: c.State.Status,
    env: c.Config.Env ?? [],
    labels: c.Config.Labels ?? {},
    exitCode: c.State.ExitCode,
  };
  if (c.State.Health !== undefined) info.health = c.State.Health.Status;
  return info;
}
