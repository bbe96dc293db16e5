// Runs Debian's docker-registry (distribution 2.8) on 127.0.0.1 and a free port, storing into a temp dir.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort } from './free-port.js';

/** A running registry. The docker engine treats 127.0.0.0/8 registries as insecure (plain HTTP) by default. */
export interface Registry {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** `127.0.0.1:41234`, the prefix of image references (`${host}/tb/busybox:1`). */
  host: string;
  /** The registry's combined stdout/stderr. */
  logPath: string;
  /** Kills the registry and deletes its storage. */
  stop(): Promise<void>;
}

const BINARY = '/usr/bin/docker-registry';

/** Starts a registry and resolves when `GET /v2/` answers 200 (deadline `readyTimeoutMs`, default 15 s). */
export async function startRegistry(readyTimeoutMs = 15_000): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'rig-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const configPath = join(dir, 'config.yml');
  const logPath = join(dir, 'registry.log');
  await writeFile(
    configPath,
    [
      'version: 0.1',
      'log: {level: warn}',
      `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "${host}"}`,
      '',
    ].join('\n'),
  );
  const log = { file: logPath, append: true } as const;
  const child = execa(BINARY, ['serve', configPath], { stdin: 'ignore', stdout: log, stderr: log, reject: false });
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    await child;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForRegistry(`http://${host}`, child.nodeChildProcess, readyTimeoutMs);
  } catch (error) {
    const log = await readFile(logPath, 'utf8').catch(() => '');
    await stop();
    throw new Error(`registry on ${host} did not start: ${String(error)}\n${log}`, { cause: error });
  }
  return { url: `http://${host}`, host, logPath, stop };
}

async function waitForRegistry(url: string, child: { exitCode: number | null }, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer from ${url}/v2/ within ${timeoutMs} ms`);
}
