// The Bot API stand-in image on the real engine: build it (seconds, cached), run it on a test network, read its calls.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { containerLogs, dockerOk, inspectContainer, waitFor } from '../docker/index.js';

export const STANDIN_IMAGE = 'local/telegram-botapi-standin:1';
const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/images/telegram-standin.sh', import.meta.url));

/** Builds the image unless current (the script decides, in about 0.1 s when it is). */
export async function buildStandinImage(): Promise<void> {
  await execa(BUILD_SCRIPT, { stdio: 'inherit', timeout: 120_000 });
}

/** One logged Bot API call of the stand-in (a JSON line of its stdout). */
export interface LoggedCall {
  time: string;
  method: string;
  bot: string | null;
  status: number;
  chat_id?: string | number;
  text?: string;
  description?: string;
}

export interface StandinSpec {
  /** Container name, also its DNS name on `network`. */
  readonly name: string;
  readonly network: string;
  /** Where the env file is written (a test's temp dir). */
  readonly dir: string;
  readonly bots: readonly { token: string; username: string; first_name?: string }[];
  readonly chats?: readonly { id: number; type?: string; first_name?: string }[];
  readonly extraArgs?: readonly string[];
}

/**
 * `docker run -d` of the stand-in with its bots and chats in an env file (as a deploy would give them), on `network`;
 * resolves once the image's healthcheck says healthy. Returns the base URL other containers on `network` use.
 */
export async function runStandin(spec: StandinSpec): Promise<string> {
  const envFile = join(spec.dir, `${spec.name}.env`);
  await writeFile(
    envFile,
    `TELEGRAM_STANDIN_BOTS=${JSON.stringify(spec.bots)}\nTELEGRAM_STANDIN_CHATS=${JSON.stringify(spec.chats ?? [])}\n`,
    { mode: 0o600 },
  );
  await dockerOk([
    'run',
    '-d',
    '--name',
    spec.name,
    '--network',
    spec.network,
    '--env-file',
    envFile,
    '--health-interval',
    '1s',
    STANDIN_IMAGE,
    ...(spec.extraArgs ?? []),
  ]);
  await waitFor(
    `${spec.name} healthy`,
    async () => ((await inspectContainer(spec.name))?.health === 'healthy' ? true : undefined),
    30_000,
    200,
  );
  return `http://${spec.name}:8081`;
}

/** The stand-in's logged calls so far, and its raw log (for leak checks and failure dumps). */
export async function standinCalls(name: string): Promise<{ calls: LoggedCall[]; log: string }> {
  const log = await containerLogs(name);
  const calls = log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LoggedCall);
  return { calls, log };
}
