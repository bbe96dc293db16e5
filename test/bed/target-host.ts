// One target host: a rig/target container with sshd on a loopback port, the engine's socket, and its data dir
// bind-mounted at the identical path (the shared engine resolves relative compose binds on this machine's disk).
import { GenericContainer, PullPolicy, type StartedTestContainer } from 'testcontainers';
import { LABEL, TARGET_IMAGE } from './bed-paths.ts';
import { dockerEngine, isGone } from './docker-engine.ts';
import { freeFixedPort } from './free-port.ts';
import { NotReadyError, SshLoginWait } from './ssh-login-wait.ts';

/** Compose flavor the host container offers (`RIG_TB_COMPOSE` in it); the image's default when unset. */
export type ComposeFlavor = 'v1' | 'v2';

/** What one host container is made of. */
export interface TargetSpec {
  readonly runId: string;
  readonly name: string;
  readonly container: string;
  readonly dataDir: string;
  readonly authorizedKey: string;
  readonly privateKey: Buffer;
  readonly readyTimeoutMs: number;
  readonly compose: ComposeFlavor | undefined;
  /** The process that owns the run (tests); unset for runs started by hand, which outlive their command. */
  readonly ownerPid: number | undefined;
}

/** A started, SSH-ready host. */
export interface StartedTarget {
  readonly started: StartedTestContainer;
  readonly port: number;
  readonly hostKey: string;
  /** The strategy instance, to wait again after a restart (it reads the host key anew). */
  readonly wait: SshLoginWait;
}

/** testcontainers publishes on every interface; the bed's hosts take root logins, so they listen on 127.0.0.1 only. */
class LoopbackContainer extends GenericContainer {
  protected override beforeContainerCreated(): Promise<void> {
    const bindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
    for (const list of Object.values(bindings)) for (const binding of list) binding.HostIp = '127.0.0.1';
    return Promise.resolve();
  }
}

const ATTEMPTS = 5;

/**
 * Starts the host and resolves once root logs in over SSH. A start that fails (another process took the port
 * between the check and the engine's bind) is removed and retried on another port; a host that never logs in is not.
 */
export async function startTarget(spec: TargetSpec): Promise<StartedTarget> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeFixedPort();
    const wait = new SshLoginWait(spec.privateKey);
    try {
      const started = await build(spec, port, wait).start();
      if (wait.hostKey === undefined) throw new Error(`${spec.name}: ready without a host key`);
      return { started, port, hostKey: wait.hostKey, wait };
    } catch (error) {
      await removeContainer(spec.container);
      if (error instanceof NotReadyError || attempt >= ATTEMPTS) throw error;
    }
  }
}

function build(spec: TargetSpec, port: number, wait: SshLoginWait): GenericContainer {
  return new LoopbackContainer(TARGET_IMAGE)
    .withName(spec.container)
    .withHostname(spec.name)
    .withLabels({
      [LABEL.run]: spec.runId,
      [LABEL.host]: spec.name,
      ...(spec.ownerPid === undefined ? {} : { [LABEL.ownerPid]: String(spec.ownerPid) }),
    })
    .withEnvironment({
      RIG_AUTHORIZED_KEY: spec.authorizedKey,
      ...(spec.compose === undefined ? {} : { RIG_TB_COMPOSE: spec.compose }),
    })
    .withBindMounts([
      { source: '/var/run/docker.sock', target: '/var/run/docker.sock' },
      { source: spec.dataDir, target: spec.dataDir },
    ])
    .withExposedPorts({ container: 22, host: port })
    .withPullPolicy(PullPolicy.neverPull())
    .withWaitStrategy(wait)
    .withStartupTimeout(spec.readyTimeoutMs);
}

/** `docker rm -f -v` by name or id; gone already is fine. */
export async function removeContainer(nameOrId: string): Promise<void> {
  const engine = await dockerEngine();
  await engine.container.dockerode
    .getContainer(nameOrId)
    .remove({ force: true, v: true })
    .catch((error: unknown) => {
      if (!isGone(error)) throw error;
    });
}
