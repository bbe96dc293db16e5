// Installs, removes and lists the nightly's crontab block and script on this workstation (crontab of a local account).
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/vault/atomic-write.js';
import { exec } from '../core/cmd/cmd.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import {
  findBlocks,
  nightlyBlock,
  removeBlock,
  upsertBlock,
  type CronTime,
  type CrontabBlock,
} from './crontab-block.js';
import { readCrontab, writeCrontab, type CrontabOwner } from './crontab-io.js';
import { cronPaths, LOG_MAX_BYTES, nightlyScript, scriptCommand, type CronPaths } from './nightly-script.js';

/** What to install. */
export interface InstallInput {
  readonly env: string;
  readonly root: string;
  readonly at: CronTime;
  readonly node: string;
  readonly rigBin: string;
  /** `rig cron run` arguments after `--env E`. */
  readonly runArgs: readonly string[];
  readonly owner: CrontabOwner;
}

/**
 * Writes the script (0700), then the crontab with the env's block in place of the old one; `changed`: the crontab
 * changed. For another account's crontab, `.rig/cron/` becomes that account's: the job runs as it and writes there.
 */
export async function installNightly(
  t: Transport,
  input: InstallInput,
): Promise<{ paths: CronPaths; block: string[]; changed: boolean }> {
  const paths = cronPaths(input.root, input.env);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(
    paths.script,
    nightlyScript({
      env: input.env,
      root: input.root,
      paths,
      node: input.node,
      rigBin: input.rigBin,
      args: input.runArgs,
    }),
    0o700,
  );
  if (input.owner.user !== undefined) await run(t, exec(['chown', '-R', '--', `${input.owner.user}:`, paths.dir]));
  const block = nightlyBlock(input.env, input.at, scriptCommand(paths));
  const before = await readCrontab(t, input.owner);
  const after = upsertBlock(before, input.env, block);
  if (after !== before) await writeCrontab(t, input.owner, after);
  return { paths, block, changed: after !== before };
}

/** Removes the env's block (only it) and its script; the log and the alert state stay as evidence. */
export async function removeNightly(
  t: Transport,
  root: string,
  env: string,
  owner: CrontabOwner,
): Promise<{ paths: CronPaths; removed: boolean; script: boolean }> {
  const paths = cronPaths(root, env);
  const { text, removed } = removeBlock(await readCrontab(t, owner), env);
  if (removed) await writeCrontab(t, owner, text);
  const script = existsSync(paths.script);
  if (script) rmSync(paths.script);
  return { paths, removed, script };
}

/** One installed nightly as `rig cron show` reports it. */
export interface InstalledNightly {
  readonly block: CrontabBlock;
  readonly paths: CronPaths;
  readonly script: boolean;
  /** The last `nightly <env>: …` line of the log (the verdict of the last night), when there is a log. */
  readonly last: string | undefined;
  readonly logBytes: number | undefined;
}

/** The rig blocks of the crontab (all, or `env`'s), with what the repository at `root` has of each. */
export async function listNightlies(
  t: Transport,
  root: string,
  owner: CrontabOwner,
  env?: string,
): Promise<InstalledNightly[]> {
  const blocks = findBlocks(await readCrontab(t, owner)).filter((b) => env === undefined || b.env === env);
  return blocks.map((block) => {
    const paths = cronPaths(root, block.env);
    const log = existsSync(paths.log) ? readFileSync(paths.log, 'utf8') : undefined;
    const last = log
      ?.split('\n')
      .filter((l) => l.startsWith(`nightly ${block.env}: `))
      .at(-1);
    return {
      block,
      paths,
      script: existsSync(paths.script),
      last,
      logBytes: log === undefined ? undefined : statSync(paths.log).size,
    };
  });
}

/** `log: <path> (bounded: …)`, for install's and show's output. */
export function logLine(paths: CronPaths): string {
  return `log: ${paths.log} (bounded: past ${LOG_MAX_BYTES / 1024 / 1024} MiB it becomes ${path.basename(paths.log)}.1, replacing the previous one)`;
}
