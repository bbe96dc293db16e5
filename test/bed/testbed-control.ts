// The controls of a started run: look hosts up, stop and start them (same port, same or new host key), dump
// their logs, remove the run. Works on any run from its description, in the process that started it or another.
import { BoundPorts } from 'testcontainers';
import { containerLog } from './container-log.ts';
import { dockerEngine } from './docker-engine.ts';
import { forgetAtExit } from './exit-sweep.ts';
import { writeClientFiles } from './host-files.ts';
import { SshLoginWait } from './ssh-login-wait.ts';
import { removeRun } from './teardown.ts';
import type { TestbedDescription, TestbedHost } from './testbed-description.ts';

/** A started run: its hosts plus the files an SSH client needs, and controls for the containers. */
export interface Testbed extends TestbedDescription {
  /** Wall time from the start call to every host SSH-ready, in ms. */
  readyMs: number;
  /** Looks a host up by name (`h1` …); throws when absent. */
  host(name: string): TestbedHost;
  /** Removes the run's containers, the compose containers/networks/volumes of its projects, and its temp dir. */
  stop(): Promise<void>;
  /** Prints every host container's log to stderr and returns it (call it when a test failed). */
  dumpLogs(): Promise<string>;
  /** Stops one host's container: the host becomes unreachable (connection refused) until {@link startHost}. */
  stopHost(name: string): Promise<void>;
  /** Starts a stopped host again (same port and host key) and waits until SSH logs in. */
  startHost(name: string): Promise<void>;
  /** Stops and starts a host; with `newHostKey` it comes back with a new host key (known_hosts is rewritten). */
  restartHost(name: string, opts?: { newHostKey?: boolean }): Promise<void>;
}

/** Controls for `run`, whose hosts accept `privateKey`; `readyTimeoutMs` bounds each wait for SSH after a start. */
export function attach(run: TestbedDescription, privateKey: Buffer, readyTimeoutMs: number, readyMs = 0): Testbed {
  const host = (name: string): TestbedHost => {
    const found = run.hosts.find((h) => h.name === name);
    if (found === undefined) throw new Error(`testbed ${run.runId}: no host ${name}`);
    return found;
  };
  const handle = async (name: string) => (await dockerEngine()).container.getById(host(name).container);
  const stopHost = async (name: string): Promise<void> => {
    await (await dockerEngine()).container.stop(await handle(name), { timeout: 1 });
  };
  const startHost = async (name: string): Promise<void> => {
    const h = host(name);
    const engine = await dockerEngine();
    const container = await handle(name);
    await engine.container.start(container);
    const wait = new SshLoginWait(privateKey).withStartupTimeout(readyTimeoutMs);
    await wait.waitUntilReady(container, sshPort(h.port));
    if (wait.hostKey !== undefined && wait.hostKey !== h.hostKey) {
      h.hostKey = wait.hostKey;
      await writeClientFiles(run);
    }
  };
  return {
    ...run,
    readyMs,
    host,
    stopHost,
    startHost,
    async restartHost(name, opts = {}) {
      if (opts.newHostKey === true) {
        const engine = await dockerEngine();
        // the entrypoint makes a host key on start when there is none; sshd keeps the loaded one until then
        const keys = ['/etc/ssh/ssh_host_ed25519_key', '/etc/ssh/ssh_host_ed25519_key.pub'];
        await engine.container.exec(await handle(name), ['rm', '-f', ...keys]);
      }
      await stopHost(name);
      await startHost(name);
    },
    async dumpLogs() {
      const text = await hostLogs(run);
      process.stderr.write(`[testbed ${run.runId}] container logs:\n${text}\n`);
      return text;
    },
    async stop() {
      await removeRun(run.runId);
      forgetAtExit(run.runId);
    },
  };
}

/** Every host container's log, each under a `===== <container> =====` line. */
export async function hostLogs(run: TestbedDescription): Promise<string> {
  const logs = run.hosts.map(async (h) => `===== ${h.container} =====\n${await containerLog(h.container)}`);
  return (await Promise.all(logs)).join('\n');
}

function sshPort(port: number): BoundPorts {
  const ports = new BoundPorts();
  ports.setBinding(22, port);
  return ports;
}
