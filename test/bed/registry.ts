// The bed's one registry: Debian's docker-registry (distribution 2.8) as a process on 127.0.0.1, with an access log,
// optional storage shared with another instance, and optional htpasswd or token auth. Not a container: no registry
// image exists here, and the binary in a container took 1.7 s to answer against 0.1 s as a process (README).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAccessLog, type AccessEntry } from '../helpers/registry/access-log.ts';
import { waitFor } from '../helpers/docker/wait-for.ts';
import { freePort } from './free-port.ts';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** How the registry authenticates pulls: none, an htpasswd file (bcrypt), or bearer tokens from a token server. */
export type TestRegistryAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'htpasswd'; readonly path: string }
  | {
      readonly kind: 'token';
      readonly realm: string;
      readonly service: string;
      readonly issuer: string;
      readonly rootCertBundle: string;
    };

export interface TestRegistryOptions {
  /** Storage root; give two registries the same one to serve the same content with different auth. */
  readonly storage: string;
  readonly auth?: TestRegistryAuth;
}

/** A running registry and what it logged. */
export interface TestRegistry {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, the prefix of image references. */
  readonly host: string;
  /** Every request served so far, from the access log. */
  requests(): Promise<AccessEntry[]>;
  /** The registry's own log (stderr), for failure messages. */
  appLog(): Promise<string>;
  /** Kills the registry (its storage stays: the caller owns it). Idempotent. */
  stop(): Promise<void>;
}

/** A registry with storage of its own, which `stop()` deletes. */
export type Registry = TestRegistry;

/** Starts a registry on a fresh temp storage (`GET /v2/` answers within `readyTimeoutMs`); `stop()` deletes it. */
export async function startRegistry(readyTimeoutMs = 15_000): Promise<Registry> {
  const storage = await mkdtemp(join(tmpdir(), 'rig-registry-'));
  const registry = await startTestRegistry({ storage }, readyTimeoutMs).catch(async (error: unknown) => {
    await rm(storage, { recursive: true, force: true });
    throw error;
  });
  return {
    ...registry,
    stop: async () => {
      await registry.stop();
      await rm(storage, { recursive: true, force: true });
    },
  };
}

/** Starts a registry and resolves when `GET /v2/` answers (200, or 401 when auth is on), within `readyTimeoutMs`. */
export async function startTestRegistry(options: TestRegistryOptions, readyTimeoutMs = 15_000): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'rig-test-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  const configPath = join(dir, 'config.yml');
  const accessPath = join(dir, 'access.log');
  const appPath = join(dir, 'registry.log');
  await writeFile(configPath, registryConfig(host, options));
  const child = execa(REGISTRY_BINARY, ['serve', configPath], {
    stdin: 'ignore',
    stdout: { file: accessPath, append: true },
    stderr: { file: appPath, append: true },
    reject: false,
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    child.kill('SIGTERM');
    await child;
  };
  const registry: TestRegistry = {
    url: `http://${host}`,
    host,
    requests: async () => parseAccessLog(await readFile(accessPath, 'utf8').catch(() => '')),
    appLog: () => readFile(appPath, 'utf8').catch(() => ''),
    stop: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitUntilServing(registry.url, child.nodeChildProcess, readyTimeoutMs);
  } catch (error) {
    const log = await registry.appLog();
    await registry.stop();
    throw new Error(`registry on ${host} did not start: ${String(error)}\n${log}`, { cause: error });
  }
  return registry;
}

function registryConfig(host: string, options: TestRegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log: {level: info, formatter: text, accesslog: {disabled: false}}',
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(options.storage)}}, delete: {enabled: true}}`,
    `http: {addr: "${host}"}`,
  ];
  const auth = options.auth ?? { kind: 'none' };
  switch (auth.kind) {
    case 'none':
      break;
    case 'htpasswd':
      lines.push(`auth: {htpasswd: {realm: "Registry Realm", path: ${JSON.stringify(auth.path)}}}`);
      break;
    case 'token':
      lines.push(
        'auth:',
        '  token:',
        `    realm: ${JSON.stringify(auth.realm)}`,
        `    service: ${JSON.stringify(auth.service)}`,
        `    issuer: ${JSON.stringify(auth.issuer)}`,
        `    rootcertbundle: ${JSON.stringify(auth.rootCertBundle)}`,
      );
      break;
  }
  return `${lines.join('\n')}\n`;
}

async function waitUntilServing(url: string, child: { exitCode: number | null }, timeoutMs: number): Promise<void> {
  const outcome = await waitFor(
    `${url}/v2/`,
    async () => {
      if (child.exitCode !== null) return `docker-registry exited with ${child.exitCode}`;
      const status = await fetch(`${url}/v2/`).then((r) => r.status);
      return status === 200 || status === 401 ? 'serving' : undefined;
    },
    timeoutMs,
  );
  if (outcome !== 'serving') throw new Error(outcome);
}
