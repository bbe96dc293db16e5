// One run of the bed and its hosts, as `testbed.json` in the run's directory holds it (the demo and the bench read it).
import { z } from 'zod';

/** One target host: a container with sshd published on 127.0.0.1 and the shared docker engine's socket. */
export const testbedHostSchema = z.strictObject({
  /** Short name (`h1` …), also the container's hostname and the `Host` alias in the ssh config. */
  name: z.string().regex(/^h\d+$/),
  /** Docker container name, `rig-tb-<run>-<name>`. */
  container: z.string(),
  address: z.literal('127.0.0.1'),
  port: z.number().int().min(1).max(65535),
  user: z.literal('root'),
  /** Private ed25519 key (in the run's temp dir) authorized for root on every host of the run. */
  keyPath: z.string(),
  /** Host data root, bind-mounted at the identical path inside the container (compose relative binds need it). */
  dataDir: z.string(),
  /** The host's public key as `ssh-ed25519 AAAA…`. */
  hostKey: z.string().regex(/^ssh-ed25519 [A-Za-z0-9+/=]+$/),
  /** Compose project name to use on this host; unique per host because all hosts share one engine. */
  composeProject: z.string(),
});

/** A whole run. */
export const testbedDescriptionSchema = z.strictObject({
  runId: z.string().regex(/^[a-z0-9]+$/),
  /** Prefix of every container and compose project name of this run. */
  prefix: z.string(),
  runDir: z.string(),
  keyPath: z.string(),
  sshConfigPath: z.string(),
  knownHostsPath: z.string(),
  /** The Compose flavor given to the hosts (`RIG_TB_COMPOSE`); absent: the image's default. */
  compose: z.enum(['v1', 'v2']).optional(),
  hosts: z.array(testbedHostSchema).min(1),
});

/** One started target host (see {@link testbedHostSchema}). */
export type TestbedHost = z.infer<typeof testbedHostSchema>;
/** One run of hosts plus its ssh client files (see {@link testbedDescriptionSchema}). */
export type TestbedDescription = z.infer<typeof testbedDescriptionSchema>;
