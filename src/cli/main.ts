// The CLI: dispatches commands; the only try/catch, mapping error classes to exit codes and masking secrets.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DiagnosticsError, formatDiagnostic } from '../core/errors/diagnostic.js';
import { UsageError, UserError, VaultError } from '../core/errors/errors.js';
import { Redactor } from '../core/redact/redactor.js';
import { terminalSafe } from '../core/terminal-safe.js';
import { didYouMean } from '../core/suggest.js';
import { processIo, type CliIo } from './io.js';
import { templateCacheDir } from './compile-cache.js';
import { configureTemplateCache } from '../template/compiled-cache.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

// Each command's modules load only when it runs: startup time is part of every deploy (see bench/).
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  plan: {
    run: async (a, io) => (await import('./commands/deploy/plan.js')).planCommand(a, io),
    summary: 'what a deploy would change on each host, with diffs; exit 0 nothing, 2 changes, 1 error',
  },
  deploy: {
    run: async (a, io) => (await import('./commands/deploy/deploy.js')).deployCommand(a, io),
    summary: 'plan + apply over SSH (asks first where the env says confirm: true)',
  },
  pin: {
    run: async (a, io) => (await import('./commands/images/pin.js')).pinCommand(a, io),
    summary:
      'resolve every image to a digest into inventory/<env>/images.lock.yml; --check: exit 2 when a tag moved or vanished',
  },
  lint: {
    run: async (a, io) => (await import('./commands/images/lint.js')).lintCommand(a, io),
    summary: 'floating image tags (latest, nightly, redis:7, -stable, no tag) with file:line:col; exit 1 on findings',
  },
  rollback: {
    run: async (a, io) => (await import('./commands/deploy/rollback.js')).rollbackCommand(a, io),
    summary:
      'undo the last deploy (or rollback): the hosts it changed go back to their release before it, the others are left alone (--to ID: re-apply that release)',
  },
  releases: {
    run: async (a, io) => (await import('./commands/inspect/releases.js')).releasesCommand(a, io),
    summary: 'the releases kept on each host, the current one marked, with the deploy that made each',
  },
  history: {
    run: async (a, io) => (await import('./commands/inspect/history.js')).historyCommand(a, io),
    summary: "each host's deploy journal: who deployed what, what changed, health, rollbacks",
  },
  smoke: {
    run: async (a, io) => (await import('./commands/check/smoke.js')).smokeCommand(a, io),
    summary:
      'run smoke-tests/ on every targeted host in parallel (--json, --junit FILE, --tap); exit 1 when a blocking check fails (--strict: any warn)',
  },
  drift: {
    run: async (a, io) => (await import('./commands/inspect/drift.js')).driftCommand(a, io),
    summary:
      'is each host still what its last release says (files, containers, images)? read-only; exit 0 in sync, 2 drift, 1 error',
  },
  cron: {
    run: async (a, io) => (await import('./commands/check/cron.js')).cronCommand(a, io, main),
    summary:
      'install|remove|show|run the nightly crontab entry: smoke, pin --check and drift, one Telegram alert per failing check per day',
  },
  checklist: {
    run: async (a, io) => (await import('./commands/check/checklist.js')).checklistCommand(a, io),
    summary:
      'pre-upgrade checklist (--upgrade <service-or-role>=<tag>): every check with evidence, then GO (exit 0), WARNING (2) or NO-GO (1); read-only',
  },
  status: {
    run: async (a, io) => (await import('./commands/inspect/status.js')).statusCommand(a, io),
    summary:
      'what runs where: per host and service state, health, uptime, image and digest vs the lock, release, who deployed, lock; read-only, one exec per host; exit 0 healthy, 2 not, 1 error',
  },
  logs: {
    run: async (a, io) => (await import('./commands/inspect/logs.js')).logsCommand(a, io),
    summary:
      "SERVICE's container logs from every host that runs it, host-prefixed and merged by time (-f follows until Ctrl-C, --since, --tail, --grep); secrets masked",
  },
  exec: {
    run: async (a, io) => (await import('./commands/shell/exec.js')).execCommand(a, io),
    summary:
      "run a command in SERVICE's container: rig exec SERVICE [--host H] [-i] [-t] -- CMD…; the command's exit code",
  },
  ssh: {
    run: async (a, io) => (await import('./commands/shell/ssh.js')).sshCommand(a, io),
    summary:
      "a shell (or -- CMD…) on an inventory host with the deploy's connection, host-key checks and become; its exit code",
  },
  inventory: {
    run: async (a, io) => (await import('./commands/project/inventory.js')).inventoryCommand(a, io),
    summary: 'hosts, groups and every variable with where it came from',
  },
  vault: {
    run: async (a, io) => (await import('./commands/project/vault.js')).vaultCommand(a, io),
    summary: 'create|encrypt|decrypt|view|edit|rekey|encrypt-string (Ansible Vault compatible)',
  },
  schema: {
    run: async (a, io) => (await import('./commands/project/schema.js')).schemaCommand(a, io),
    summary: 'write JSON Schemas of hosts.yml, vars files, env.yml and playbooks for editors',
  },
};

/** Exit codes: 0 ok, 1 error (input, remote or internal). Commands return their own codes (plan: 2 = changes). */
export async function main(argv: readonly string[], baseIo: CliIo = processIo()): Promise<number> {
  const redactor = baseIo.redactor ?? new Redactor();
  // stderr carries messages only, so always terminal-safe; stdout also carries data (vault view, --json), kept exact
  // when it goes to a file or a pipe
  const out = baseIo.isTTY
    ? (t: string): string => terminalSafe(redactor.redact(t))
    : (t: string): string => redactor.redact(t);
  const io: CliIo = {
    ...baseIo,
    redactor,
    out: (t) => baseIo.out(out(t)),
    err: (t) => baseIo.err(terminalSafe(redactor.redact(t))),
  };
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') return help(io);
    if (name === '--version' || name === 'version') return version(io);
    const command = COMMANDS[name];
    if (!command)
      throw new UsageError(`unknown command "${name}"${didYouMean(name, Object.keys(COMMANDS))}; see rig help`);
    configureTemplateCache(templateCacheDir(io.env));
    return await command.run(rest, io);
  } catch (err) {
    return report(err, io);
  }
}

function report(err: unknown, io: CliIo): number {
  if (err instanceof DiagnosticsError) {
    for (const d of err.diagnostics) io.err(formatDiagnostic(d, io.cwd));
    const n = err.diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`rig: ${n} error${n === 1 ? '' : 's'}; nothing was changed`);
    return 1;
  }
  if (err instanceof UsageError || err instanceof UserError || err instanceof VaultError) {
    io.err(`rig: ${err.message}`);
    return 1;
  }
  io.err(`rig: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}

function help(io: CliIo): number {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  io.out(
    [
      'usage: rig <command> [flags]',
      '',
      ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    ].join('\n'),
  );
  return 0;
}

function version(io: CliIo): number {
  // The same file sits at src/cli (tests) and dist/src/cli (built): walk up to rig's package.json.
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    io.out(`rig ${(JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version}`);
    return 0;
  }
  return 1;
}
