// `rig smoke`: runs the checks of smoke-tests/ on every targeted host in parallel; text, --json, --junit FILE, --tap;
// journaled.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Project } from '../../../config/project.js';
import { renderProject } from '../../../config/roles/render-roles.js';
import { listRoles } from '../../../config/roles/role-loader.js';
import { loadSettings, type Settings } from '../../../config/settings.js';
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError, UserError } from '../../../core/errors/errors.js';
import { didYouMean } from '../../../core/suggest.js';
import { describeError } from '../../../core/errors/describe-error.js';
import { formatSmokeJunit } from '../../../smoke/report-junit.js';
import { formatSmokeTap } from '../../../smoke/report-tap.js';
import { formatSmokeText } from '../../../smoke/report-text.js';
import { runSmoke } from '../../../smoke/run-smoke.js';
import { checksByHost, smokeHost } from '../../../smoke/smoke-host.js';
import { journalSmoke, smokeJournalLine, type SmokeRunInfo } from '../../../smoke/smoke-journal.js';
import { listSmokeChecks, loadSmokeChecks, SMOKE_DIR } from '../../../smoke/smoke-loader.js';
import { smokeReport } from '../../../smoke/smoke-report.js';
import type { Transport } from '../../../transport/transport.js';
import { parseFlags } from '../../args.js';
import { QUERY_OPTIONS, type QueryFlags } from '../../remote/host-query.js';
import type { CliIo } from '../../io.js';
import { connectorOf } from '../../remote/host-connector.js';
import { openProject } from '../../project-context.js';
import { runIdentity } from '../../../config/run-identity.js';

const SMOKE_OPTIONS = {
  ...QUERY_OPTIONS,
  only: { type: 'string', multiple: true },
  junit: { type: 'string' },
  tap: { type: 'boolean' },
  strict: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/**
 * Exit 0 when no result fails the run (warn and skip are fine), 1 when a blocking check failed (`--strict`: any
 * warn or fail). Read-only towards what deploys manage and takes no deploy lock, so cron can run it beside deploys;
 * its one write on a host is the journal line (see smoke-journal.ts).
 */
export async function smokeCommand(args: string[], io: CliIo): Promise<number> {
  const { values: flags, positionals } = parseFlags('smoke', args, SMOKE_OPTIONS);
  if (positionals.length > 0)
    throw new UsageError(`rig smoke: unexpected argument "${positionals[0]}" (checks are chosen with --only ID)`);
  if (flags.json === true && flags.tap === true)
    throw new UsageError('rig smoke: --json and --tap both write to stdout: choose one');
  const limit = [...(flags.host ?? []), ...(flags.limit ?? [])];
  const project = await openProject(flags, io, limit.length > 0 ? { limit } : {});
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const ids = chosenIds(project.root, flags.only ?? []);
  const checks = await loadSmokeChecks(project.root, ids, listRoles(project.root));
  const rendered = renderProject(project);
  const settings = loadSettings(project.root, io.env);
  const plan = checksByHost(
    [...project.hosts.values()].map((h) => smokeHost(project.env, h, rendered.get(h.name) ?? [])),
    checks,
  );
  const info: SmokeRunInfo = {
    root: project.root,
    env: project.env,
    ...runIdentity(io.env),
    strict: flags.strict === true,
  };
  const connect = await hostConnector(project, flags, settings, io);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const results = await runSmoke({
    plan,
    connect,
    forks: settings.RIG_FORKS,
    redactor: project.redactor,
    settings,
    // an opt-in check asked for by name runs whatever its settings say
    ...((flags.only ?? []).length > 0 ? { named: ids } : {}),
    afterHost: (h, rs, t) =>
      journal(project, info, h.host, smokeJournalLine(info, h.host, rs, project.redactor), t, io),
  });
  // masked before any format serialises it (a secret holding `"` or `<` would be escaped past the match after)
  const report = project.redactor.redactValue(
    smokeReport(results, {
      env: project.env,
      runId: info.runId,
      startedAt,
      durationMs: performance.now() - t0,
      strict: info.strict,
    }),
  );
  if (flags.json === true) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (flags.tap === true) io.out(formatSmokeTap(report));
  else io.out(`${formatSmokeText(report, { verbose: flags.verbose === true })}\n`);
  if (flags.junit !== undefined) writeFileSync(path.resolve(io.cwd, flags.junit), formatSmokeJunit(report));
  return report.exitCode;
}

/**
 * Every check of the repository, or the `--only` ones (repeatable, or comma-separated); an unknown id is a usage error.
 */
function chosenIds(root: string, only: readonly string[]): string[] {
  const all = listSmokeChecks(root);
  if (all.length === 0)
    throw new UserError(`no smoke checks: ${SMOKE_DIR}/ holds no <id>.ts module (see README, "Smoke tests")`);
  const wanted = only
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const id of wanted)
    if (!all.includes(id))
      throw new UsageError(`rig smoke --only: no check "${id}"${didYouMean(id, all)} (checks: ${all.join(', ')})`);
  return wanted.length === 0 ? all : all.filter((id) => wanted.includes(id));
}

/** ssh with the run's host-key policy (cli/known-hosts-files.ts). */
async function hostConnector(
  project: Project,
  flags: QueryFlags,
  settings: Settings,
  io: CliIo,
): Promise<(host: string) => Promise<Transport>> {
  const ssh = await connectorOf(project.inventory, flags, io, settings);
  return (host) => {
    const h = project.hosts.get(host);
    if (h === undefined) throw new Error(`no host ${host} in the project`);
    return ssh(host, h.connection);
  };
}

/** A journal that cannot be written is reported and changes no result. */
async function journal(
  project: Project,
  info: SmokeRunInfo,
  host: string,
  line: string,
  t: Transport | undefined,
  io: CliIo,
): Promise<void> {
  const h = project.hosts.get(host);
  if (h === undefined) return;
  try {
    await journalSmoke(info, { name: host, stateDir: h.stack.stateDir, become: h.connection.become }, line, t);
  } catch (err) {
    io.err(`rig: ${host}: the smoke results were not journaled: ${describeError(err)}`);
  }
}
