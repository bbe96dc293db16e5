// `rig checklist`: the pre-upgrade checklist (GO / WARNING / NO-GO with evidence), text or --json, journaled.
import { formatChecklistText } from '../../../checklist/checklist-text.js';
import { parseUpgradeArg } from '../../../checklist/checklist-upgrade.js';
import { runChecklist } from '../../../checklist/run-checklist.js';
import { loadProject } from '../../../config/project.js';
import type { Project } from '../../../config/project.js';
import type { Connection } from '../../../config/inventory/connection.js';
import type { Transport } from '../../../transport/transport.js';
import { interpolateString } from '../../../config/vars/interpolate.js';
import { UsageError } from '../../../core/errors/errors.js';
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { parseFlags } from '../../args.js';
import { QUERY_OPTIONS } from '../../remote/host-query.js';
import type { CliIo } from '../../io.js';
import { connectorOf } from '../../remote/host-connector.js';
import { readSecretVars } from '../../run/secret-vars.js';
import { openWorkspace } from '../../project-context.js';
import { runIdentity } from '../../../config/run-identity.js';

const CHECKLIST_OPTIONS = {
  ...QUERY_OPTIONS,
  upgrade: { type: 'string', multiple: true },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/**
 * Exit 0 GO, 2 WARNING (only advisory findings), 1 NO-GO (a blocking finding), 1 for usage errors too (main maps
 * them). Read-only: no deploy lock is taken, nothing is deployed; the decision is journaled on each reached host.
 */
export async function checklistCommand(args: string[], io: CliIo): Promise<number> {
  const { values: flags, positionals } = parseFlags('checklist', args, CHECKLIST_OPTIONS);
  if (positionals.length > 0)
    throw new UsageError(
      `rig checklist: unexpected argument "${positionals[0]}" (upgrades are given as --upgrade <service-or-role>=<tag>)`,
    );
  const upgrades = (flags.upgrade ?? []).map(parseUpgradeArg);
  const limit = [...(flags.host ?? []), ...(flags.limit ?? [])];
  const ws = await openWorkspace(flags, io);
  const env = flags.env ?? ws.settings.RIG_ENV;
  let warned = false;
  const secretVars = await readSecretVars(flags['secret-var'] ?? [], io);
  const open = async (extraVars: readonly string[]) => {
    const project = await loadProject({
      root: ws.root,
      env,
      settings: ws.settings,
      secrets: ws.keyring,
      redactor: ws.redactor,
      interpolate: interpolateString(ws.redactor),
      extraVars: [...(flags.var ?? []), ...extraVars],
      secretVars,
      varsFiles: flags['vars-file'] ?? [],
      ...(flags.playbook ? { playbook: flags.playbook } : {}),
      ...(limit.length > 0 ? { limit } : {}),
    });
    if (!warned) for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
    warned = true;
    inventory = project.inventory;
    return project;
  };
  // hosts are connected to once a project is loaded: its env.yml says where accepted host keys go
  let inventory: Project['inventory'] | undefined;
  let connector: ReturnType<typeof connectorOf> | undefined;
  const connect = async (host: string, c: Connection): Promise<Transport> => {
    if (inventory === undefined) throw new Error(`rig checklist: ${host} connected to before the project was loaded`);
    connector ??= connectorOf(inventory, flags, io, ws.settings);
    return (await connector)(host, c);
  };
  const report = await runChecklist({
    load: {
      root: ws.root,
      env,
      playbook: flags.playbook,
      secrets: ws.keyring,
      redactor: ws.redactor,
      cwd: io.cwd,
      open,
    },
    upgrades,
    connect,
    settings: ws.settings,
    info: runIdentity(io.env),
    warn: (line) => io.err(line),
  });
  io.out(
    flags.json === true
      ? `${JSON.stringify(ws.redactor.redactValue(report), null, 2)}\n`
      : `${formatChecklistText(report, { verbose: flags.verbose === true })}\n`,
  );
  return report.exitCode;
}
