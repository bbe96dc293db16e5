// Starts N real target hosts (containers with sshd) for a test run through scripts/testbed.sh, and controls them.
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { TESTBED_SCRIPT } from './testbed-paths.js';
import { testbedDescriptionSchema, type TestbedDescription, type TestbedHost } from './testbed-description.js';

/** Options of {@link startHosts}. */
export interface StartHostsOptions {
  /** Run id (lowercase letters and digits); random by default, so parallel test files never collide. */
  runId?: string;
  /** Deadline for every host to accept an SSH login, in ms (default 60 000). */
  readyTimeoutMs?: number;
  /** The Compose flavor of the hosts; default `$RIG_TB_COMPOSE`, else v1 (the crash matrix runs both). */
  compose?: 'v1' | 'v2';
}

/** A started run: its hosts plus the files an SSH client needs, and controls for the containers. */
export interface Testbed extends TestbedDescription {
  /** Wall time from `startHosts` call to every host SSH-ready, in ms. */
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
}

/**
 * Starts `n` target hosts (`h1`..`hN`) and resolves once each accepts a key login over SSH.
 * On failure the containers' logs are in the thrown error and the run is removed.
 */
export async function startHosts(n: number, opts: StartHostsOptions = {}): Promise<Testbed> {
  const runId = opts.runId ?? randomBytes(4).toString('hex');
  const timeoutS = Math.ceil((opts.readyTimeoutMs ?? 60_000) / 1000);
  const started = performance.now();
  const result = await execa(TESTBED_SCRIPT, ['start', String(n), '--json', '--run-id', runId], {
    env: { RIG_TB_TIMEOUT: String(timeoutS), RIG_TB_COMPOSE: opts.compose ?? process.env['RIG_TB_COMPOSE'] ?? 'v1' },
    reject: false,
  });
  if (result.exitCode !== 0) {
    await script(['stop', runId]).catch(() => undefined);
    throw new Error(`testbed: starting ${n} host(s) failed (exit ${result.exitCode}):\n${result.stderr}`);
  }
  const description = testbedDescriptionSchema.parse(JSON.parse(result.stdout));
  return control(description, performance.now() - started);
}

function control(description: TestbedDescription, readyMs: number): Testbed {
  const { runId } = description;
  return {
    ...description,
    readyMs,
    host(name) {
      const found = description.hosts.find((h) => h.name === name);
      if (found === undefined) throw new Error(`testbed ${runId}: no host ${name}`);
      return found;
    },
    async stop() {
      await script(['stop', runId]);
    },
    async dumpLogs() {
      const logs = await script(['logs', runId]);
      process.stderr.write(`[testbed ${runId}] container logs:\n${logs}\n`);
      return logs;
    },
    async stopHost(name) {
      await script(['stop-host', runId, name]);
    },
    async startHost(name) {
      await script(['start-host', runId, name]);
    },
  };
}

async function script(args: string[]): Promise<string> {
  const { stdout } = await execa(TESTBED_SCRIPT, args);
  return stdout;
}
