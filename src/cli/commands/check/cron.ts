// `rig cron install|remove|show|run`: the nightly smoke + pin --check + drift, from the workstation's crontab.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { findRepoRoot } from '../../../config/repo-root.js';
import { SettingsSchema, loadSettings } from '../../../config/settings.js';
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError } from '../../../core/errors/errors.js';
import { Redactor } from '../../../core/redact/redactor.js';
import { didYouMean } from '../../../core/suggest.js';
import { alertConfig, type AlertConfig } from '../../../cron/alert-config.js';
import { installNightly, listNightlies, logLine, removeNightly } from '../../../cron/cron-install.js';
import { parseCronTime } from '../../../cron/crontab-block.js';
import { nightlyRun, type RigRunner } from '../../../cron/nightly-run.js';
import { cronPaths } from '../../../cron/nightly-script.js';
import { rigBin } from '../../../cron/rig-location.js';
import { LocalTransport } from '../../../transport/local-transport.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { openProject, type ProjectFlags } from '../../project-context.js';

const OWNER = { user: { type: 'string' }, local: { type: 'boolean' }, host: { type: 'string' } } as const;
const RUN = { ...PROJECT_OPTIONS, chat: { type: 'string' }, 'known-hosts': { type: 'string' } } as const;
const INSTALL = { ...RUN, ...OWNER, at: { type: 'string' } } as const;
const REMOVE = { ...PROJECT_OPTIONS, ...OWNER } as const;

/*
 * Why not `--host H`: rig is agentless. A crontab on an inventory host would have to run rig there, so that host
 * would need Node, rig, this repository, the vault password and SSH access to every other host: an agent holding the
 * keys to the fleet. The nightly runs where deploys run (a workstation or an ops machine with the repository) and
 * reaches the hosts over SSH like every other rig command.
 */
const NO_HOST =
  'the nightly is not installed on inventory hosts: rig is agentless, and a crontab there would need rig, Node, this repository, the vault password and SSH keys to the other hosts on it. Install it on the machine you deploy from (--local, the default): it checks every host over SSH from there';

const SUBCOMMANDS = ['install', 'remove', 'show', 'run'] as const;

/** rig's own entry point (cli/main.ts passes itself): `cron run` runs rig's commands in this process with it. */
export type RigMain = (argv: readonly string[], io: CliIo) => Promise<number>;

/**
 * `install`/`remove`/`show`: exit 0 or 1. `run`: 0 all passed, 2 only drift or moved pins, 1 a failure (see
 * nightlyRun).
 */
export async function cronCommand(args: string[], io: CliIo, main: RigMain): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'install':
      return install(rest, io);
    case 'remove':
      return remove(rest, io);
    case 'show':
      return show(rest, io);
    case 'run':
      return run(rest, io, main);
    default:
      throw new UsageError(
        `rig cron: ${sub === undefined ? 'a subcommand is needed' : `unknown subcommand "${sub}"${didYouMean(sub, SUBCOMMANDS)}`}: ${SUBCOMMANDS.join(', ')}`,
      );
  }
}

async function install(args: string[], io: CliIo): Promise<number> {
  const f = flagsOf('install', args, INSTALL);
  const owner = ownerOf(f);
  if (f.at === undefined)
    throw new UsageError("rig cron install: --at HH:MM is required (the cron daemon's local time)");
  const at = parseCronTime(f.at);
  const project = await openProject(f, io);
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const alerts = alertConfig(project, f.chat, io.cwd);
  const runArgs = [...forwarded(f, io.cwd), ...(f.chat === undefined ? [] : ['--chat', f.chat])];
  const r = await installNightly(new LocalTransport('workstation'), {
    env: project.env,
    root: project.root,
    at,
    node: process.execPath,
    rigBin: rigBin(),
    runArgs,
    owner,
  });
  const whose = owner.user === undefined ? 'your crontab' : `the crontab of ${owner.user}`;
  io.out(
    [
      `cron: ${r.changed ? 'installed' : 'already installed (unchanged)'} in ${whose}:`,
      ...r.block.map((l) => `  ${l}`),
      `script: ${r.paths.script} (smoke, pin --check, drift; exit non-zero when one fails)`,
      logLine(r.paths),
      alertsLine(alerts),
      `times are the cron daemon's local time (this machine: ${Intl.DateTimeFormat().resolvedOptions().timeZone})`,
    ].join('\n'),
  );
  for (const w of cronWarnings(project.root, io, alerts)) io.err(`rig cron install: warning: ${w}`);
  return 0;
}

async function remove(args: string[], io: CliIo): Promise<number> {
  const f = flagsOf('remove', args, REMOVE);
  const owner = ownerOf(f);
  // Only the repository and the env's name: a nightly must be removable even when its inventory no longer loads.
  const { root, env } = workspace(f, io);
  const r = await removeNightly(new LocalTransport('workstation'), root, env, owner);
  const what = r.removed
    ? `removed the rig:nightly:${env} block (other lines untouched)`
    : `no rig:nightly:${env} block in the crontab: nothing to remove`;
  io.out(`cron: ${what}${r.script ? `; deleted ${r.paths.script}` : ''}; kept ${r.paths.log} and ${r.paths.alerts}`);
  return 0;
}

async function show(args: string[], io: CliIo): Promise<number> {
  const f = flagsOf('show', args, REMOVE);
  const owner = ownerOf(f);
  // Without --env every rig block is listed; with it, only that env's.
  const list = await listNightlies(new LocalTransport('workstation'), workspace(f, io).root, owner, f.env);
  if (list.length === 0)
    io.out(
      `cron: no rig nightly in ${owner.user === undefined ? 'your crontab' : `the crontab of ${owner.user}`}${f.env === undefined ? '' : ` for env ${f.env}`}`,
    );
  for (const n of list) {
    io.out(
      [
        `env ${n.block.env} (crontab line ${n.block.line}):`,
        ...n.block.lines.map((l) => `  ${l}`),
        `script: ${n.paths.script}${n.script ? '' : ' (MISSING: rerun rig cron install)'}`,
        `log: ${n.paths.log}${n.logBytes === undefined ? ' (no run yet)' : ` (${n.logBytes} bytes)`}`,
        ...(n.last === undefined ? [] : [`last: ${n.last}`]),
      ].join('\n'),
    );
  }
  return 0;
}

async function run(args: string[], io: CliIo, main: RigMain): Promise<number> {
  const f = flagsOf('run', args, RUN);
  const project = await openProject(f, io);
  const alerts = alertConfig(project, f.chat, io.cwd);
  const redactor = io.redactor ?? new Redactor();
  if (alerts.on) redactor.add(alerts.target.token);
  const settings = loadSettings(project.root, io.env);
  const projectFlags = [
    '--env',
    project.env,
    '--root',
    project.root,
    ...forwarded({ ...f, 'known-hosts': undefined }, io.cwd),
  ];
  const ssh = f['known-hosts'] === undefined ? [] : ['--known-hosts', path.resolve(io.cwd, f['known-hosts'])];
  return nightlyRun({
    env: project.env,
    paths: cronPaths(project.root, project.env),
    flags: { project: projectFlags, ssh },
    rig: inProcess(io, redactor, main),
    alerts,
    telegramBase: settings.RIG_TELEGRAM_API_BASE,
    redactor,
    now: () => new Date(),
    log: (line) => io.out(line),
  });
}

function flagsOf<T extends typeof RUN | typeof INSTALL | typeof REMOVE>(sub: string, args: string[], spec: T) {
  const { values, positionals } = parseFlags(`cron ${sub}`, args, spec);
  if (positionals.length > 0) throw new UsageError(`rig cron ${sub}: unexpected argument "${positionals[0]}"`);
  // The checks of a night read the inventory as it is: extra variables would make cron test something else.
  const given = values as { var?: unknown; 'vars-file'?: unknown };
  const extra = (['var', 'vars-file'] as const).find((k) => given[k] !== undefined);
  if (extra !== undefined)
    throw new UsageError(
      `rig cron ${sub}: --${extra} is not passed on to the nightly checks: put the values in the inventory`,
    );
  return values;
}

/** The repository root and the env name (`--env`, else RIG_ENV), without loading the inventory. */
function workspace(f: ProjectFlags, io: CliIo): { root: string; env: string } {
  const root = findRepoRoot(io.cwd, f.root);
  const env = f.env ?? loadSettings(root, io.env).RIG_ENV;
  if (!/^[A-Za-z0-9_.-]+$/.test(env)) throw new UsageError(`rig cron: "${env}" is not an env name`);
  return { root, env };
}

function ownerOf(f: { user?: string | undefined; local?: boolean | undefined; host?: string | undefined }): {
  user?: string;
} {
  if (f.host !== undefined) throw new UsageError(`rig cron --host ${f.host}: ${NO_HOST}`);
  return f.user === undefined ? {} : { user: f.user };
}

/** The project flags the script passes on, with file paths made absolute (cron starts elsewhere). */
function forwarded(f: ProjectFlags & { 'known-hosts'?: string | undefined }, cwd: string): string[] {
  const abs = (p: string): string => path.resolve(cwd, p);
  return [
    ...(f['vault-password-file'] === undefined ? [] : ['--vault-password-file', abs(f['vault-password-file'])]),
    ...(f['vault-id'] ?? []).flatMap((id) => [
      '--vault-id',
      id.includes('@') ? `${id.slice(0, id.indexOf('@'))}@${abs(id.slice(id.indexOf('@') + 1))}` : abs(id),
    ]),
    ...(f.playbook === undefined ? [] : ['--playbook', f.playbook]),
    ...(f['known-hosts'] === undefined ? [] : ['--known-hosts', abs(f['known-hosts'])]),
  ];
}

function alertsLine(a: AlertConfig): string {
  if (!a.on) return `alerts: off (${a.reason}); a failing night still exits non-zero`;
  return `alerts: Telegram chat ${String(a.target.chatId)} (${a.target.chatAt}), bot token from ${a.target.tokenAt}: one per failing check and host per UTC day`;
}

/** What cron will not see: settings given only in this shell's environment, and a token in plain text. */
function cronWarnings(root: string, io: CliIo, alerts: AlertConfig): string[] {
  const file = path.join(root, '.env');
  const inFile = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const onlyHere = Object.keys(SettingsSchema.shape).filter(
    (k) => (io.env[k] ?? '') !== '' && !new RegExp(`^\\s*(export\\s+)?${k}\\s*=`, 'm').test(inFile),
  );
  return [
    ...onlyHere.map(
      (k) => `${k} is set in this shell but not in ${file}: cron runs with its own environment and will not see it`,
    ),
    ...(alerts.on && !alerts.target.tokenFromVault
      ? [`${alerts.target.tokenAt}: the bot token is written in plain text; put it in a vault file (rig vault encrypt)`]
      : []),
  ];
}

/** Runs rig's commands in this process (same redactor, no TTY, empty stdin), collecting their output. */
function inProcess(io: CliIo, redactor: Redactor, main: RigMain): RigRunner {
  return async (argv) => {
    const out: string[] = [];
    const err: string[] = [];
    const nl = (t: string): string => (t.endsWith('\n') ? t : `${t}\n`);
    const code = await main(argv, {
      cwd: io.cwd,
      env: io.env,
      stdin: Readable.from([]),
      isTTY: false,
      out: (t) => void out.push(nl(t)),
      err: (t) => void err.push(nl(t)),
      redactor,
    });
    return { code, out: out.join(''), err: err.join('') };
  };
}
