// The host containers' wait strategy: ready means a real SSH key login, checked against the container's own host key.
import type { BoundPorts, WaitStrategy } from 'testcontainers';
import { waitFor } from '../helpers/docker/wait-for.ts';
import { containerLog } from './container-log.ts';
import { dockerEngine } from './docker-engine.ts';
import { canLogIn } from './ssh-login.ts';

type Container = Parameters<WaitStrategy['waitUntilReady']>[0];

const HOST_KEY_FILE = '/etc/ssh/ssh_host_ed25519_key.pub';
/** Log lines of a container that never became ready, put into the error (testcontainers removes it right after). */
const LOG_TAIL = 30;

/** The host container started but root could not log in before the deadline (or it stopped); carries its log. */
export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
}

/**
 * Polls until root can log in over SSH with `privateKey` on the container's port 22. The host key is read out of
 * band (from the container, through the engine) and the login must present it: what ends up in known_hosts is
 * the key the host owns, not whatever answered on the port. A container that stops fails at once, with its log.
 */
export class SshLoginWait implements WaitStrategy {
  /** The host key the last wait saw (`ssh-ed25519 AAAA…`); read again on every wait (a restart may rekey). */
  hostKey: string | undefined;
  private readonly privateKey: Buffer;
  private timeoutMs = 60_000;
  private timeoutSet = false;

  constructor(privateKey: Buffer) {
    this.privateKey = privateKey;
  }

  async waitUntilReady(container: Container, boundPorts: BoundPorts): Promise<void> {
    const port = boundPorts.getBinding(22);
    this.hostKey = undefined;
    const outcome = await waitFor(
      `SSH login on 127.0.0.1:${port}`,
      () => this.probe(container, port),
      this.timeoutMs,
    ).catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
    if (outcome === true) return;
    const why = outcome === 'stopped' ? 'the container stopped' : outcome;
    const log = await containerLog(container, LOG_TAIL);
    const where = `${container.id.slice(0, 12)} (127.0.0.1:${port})`;
    throw new NotReadyError(`${where} not SSH-ready: ${why}\nlast ${LOG_TAIL} log lines:\n${log}`);
  }

  /** `true` when logged in, `'stopped'` when the container is gone, `undefined` to poll again. */
  private async probe(container: Container, port: number): Promise<true | 'stopped' | undefined> {
    this.hostKey ??= await readHostKey(container);
    const hostKey = this.hostKey;
    // 10 s, not 2: with the load average of 2 cores near 80 (the shared machine while a 100-host bed starts) a real
    // handshake took longer than 2 s, so every attempt gave up and sshd logged nothing but preauth disconnects
    const target = { port, privateKey: this.privateKey, timeoutMs: 10_000 };
    if (hostKey !== undefined && (await canLogIn({ ...target, hostKey }))) return true;
    const engine = await dockerEngine();
    return (await engine.container.inspect(container)).State.Running ? undefined : 'stopped';
  }

  withStartupTimeout(ms: number): this {
    this.timeoutMs = ms;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.timeoutMs;
  }
}

/** The container's ed25519 host key as `ssh-ed25519 AAAA…` (its entrypoint writes it at first start), or undefined. */
async function readHostKey(container: Container): Promise<string | undefined> {
  const engine = await dockerEngine();
  const read = engine.container.exec(container, ['cat', HOST_KEY_FILE]);
  const { exitCode, stdout } = await read.catch(() => ({ exitCode: 1, stdout: '' }));
  const key = stdout.trim().split(/\s+/).slice(0, 2).join(' ');
  return exitCode === 0 && /^ssh-ed25519 [A-Za-z0-9+/=]+$/.test(key) ? key : undefined;
}
