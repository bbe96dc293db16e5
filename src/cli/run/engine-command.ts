// What `rig plan` and `rig deploy` share: flags, loading and rendering before any connection, running the hosts.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderProject, type RoleOps } from '../../config/roles/render-roles.js';
import { envChecks } from '../../lint/env-checks.js';
import { lintImageValues, loadImageAllowList } from '../../lint/lint-images.js';
import { resolveServiceImages } from '../../pin/service-images.js';
import { applyPins } from '../../pin/apply-pins.js';
import { envImages } from '../../pin/env-images.js';
import { lockFilePath, readLockFile } from '../../pin/lockfile.js';
import type { Project } from '../../config/project.js';
import { loadSettings } from '../../config/settings.js';
import { DiagnosticsError, formatDiagnostic, type Diagnostic } from '../../core/errors/diagnostic.js';
import { UsageError } from '../../core/errors/errors.js';
import type { HostResult } from '../../engine/host-run.js';
import type { RunContext } from '../../engine/run-context.js';
import { runHosts, type HeldLockReport } from '../../engine/fleet.js';
import { PROJECT_OPTIONS, parseFlags } from '../args.js';
import type { CliIo } from '../io.js';
import { connectOptions } from '../remote/host-connector.js';
import { planJson, planText } from '../output/plan-output.js';
import { openProject } from '../project-context.js';
import { gitState, runContext, withInterrupts } from './run-context-cli.js';
import { findRepoRoot } from '../../config/repo-root.js';

export const ENGINE_OPTIONS = {
  ...PROJECT_OPTIONS,
  role: { type: 'string', multiple: true },
  limit: { type: 'string', multiple: true },
  forks: { type: 'string' },
  json: { type: 'string' },
  'accept-new-host-keys': { type: 'boolean' },
  'known-hosts': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  plan: { type: 'string' },
  'break-lock': { type: 'boolean' },
  'no-rollback': { type: 'boolean' },
  to: { type: 'string' },
} as const;

export type EngineFlags = ReturnType<typeof parseFlags<typeof ENGINE_OPTIONS>>['values'];

/** Loads and renders everything (errors stop here, before any host is contacted), then plans or deploys. */
export async function runEngine(
  command: 'plan' | 'deploy' | 'rollback',
  args: string[],
  io: CliIo,
  confirm?: (project: Project, planned: readonly HostResult[], flags: EngineFlags, run: RunContext) => Promise<boolean>,
  confirmBreak?: (held: readonly HeldLockReport[], flags: EngineFlags) => Promise<boolean>,
): Promise<{
  project: Project;
  results: HostResult[];
  flags: EngineFlags;
  interrupted: string | undefined;
  run: RunContext;
}> {
  const { values: flags, positionals } = parseFlags(command, args, ENGINE_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`rig ${command}: unexpected argument "${positionals[0]}"`);
  for (const f of ['break-lock', 'no-rollback', 'plan', 'yes'] as const)
    if (command === 'plan' && flags[f] !== undefined)
      throw new UsageError(`rig plan: --${f} is for deploy and rollback`);
  if (flags.to !== undefined && command !== 'rollback') throw new UsageError(`rig ${command}: --to is for rollback`);
  // who-and-what for the journal and releases: two git processes, started now so they run while the project loads
  const git = command === 'plan' ? Promise.resolve(null) : gitState(findRepoRoot(io.cwd, flags.root));
  const project = await openProject(flags, io, { limit: flags.limit, roles: flags.role });
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const roleWarnings: Diagnostic[] = [];
  const ops = renderProject(project, roleWarnings);
  // pairs of hosts need both sides: under --limit the env's other hosts are loaded for the check (never contacted)
  const found = envChecks(
    project,
    ops,
    flags.limit && flags.limit.length > 0 ? await openProject(flags, io, { roles: flags.role }) : project,
  );
  if (found.some((d) => d.severity === 'error'))
    throw new DiagnosticsError(found.filter((d) => d.severity === 'error'));
  roleWarnings.push(...found);
  const rendered = resolveServiceImages(pinnedOps(project, ops, io));
  for (const w of roleWarnings) io.err(formatDiagnostic(w, io.cwd));
  const settings = loadSettings(project.root, io.env);
  const forks = flags.forks === undefined ? settings.RIG_FORKS : Number(flags.forks);
  if (!Number.isInteger(forks) || forks < 1)
    throw new UsageError(`--forks expects a positive integer, got "${flags.forks}"`);
  const progress =
    io.isTTY && flags.json === undefined && !project.inventory.settings.confirm
      ? (await import('../output/progress.js')).hostProgress([...project.hosts.keys()], command)
      : undefined;
  const mode = command;
  const withSignal =
    mode === 'plan'
      ? async <T>(fn: (s: AbortSignal | undefined) => Promise<T>) => ({
          value: await fn(undefined),
          interrupted: undefined,
        })
      : <T>(fn: (s: AbortSignal) => Promise<T>) => withInterrupts(io, fn);
  let results: HostResult[];
  let interrupted: string | undefined;
  let run: RunContext | undefined;
  try {
    ({ value: results, interrupted } = await withSignal(async (signal) => {
      run = await runContext(
        mode,
        {
          env: project.env,
          root: project.root,
          argv: args,
          breakLock: flags['break-lock'] === true,
          autoRollback: flags['no-rollback'] !== true,
          removeUndeclared: !flags.role || flags.role.length === 0,
          ...(flags.to !== undefined ? { rollbackTo: flags.to } : {}),
          ...(signal ? { signal } : {}),
          git,
        },
        io,
      );
      const ctx = run;
      return runHosts(project, rendered, {
        run: ctx,
        ...(progress
          ? { onPlanned: (r: HostResult) => progress.planned(r), onHost: (r: HostResult) => progress.finished(r) }
          : {}),
        apply: command !== 'plan',
        forks,
        ...connectOptions(project.inventory, flags, io, settings),
        ...(confirm ? { confirm: (planned: readonly HostResult[]) => confirm(project, planned, flags, ctx) } : {}),
        ...(confirmBreak ? { confirmBreak: (held: readonly HeldLockReport[]) => confirmBreak(held, flags) } : {}),
      });
    }));
  } finally {
    await progress?.done();
  }
  if (run === undefined) throw new Error('rig: the run ended before its context was made');
  return { project, results, flags, interrupted, run };
}

/**
 * The rendered ops with images pinned from `inventory/<env>/images.lock.yml` (a `pinned: true` env refuses images
 * missing there), and the floating-tag lint of the images the env deploys, printed as warnings.
 */
function pinnedOps(project: Project, rendered: Map<string, RoleOps[]>, io: CliIo): Map<string, RoleOps[]> {
  const images = envImages(project, rendered);
  if (images.length === 0) return rendered;
  const lockFile = lockFilePath(project.root, project.env);
  const pinned = applyPins(rendered, images, readLockFile(lockFile), {
    env: project.env,
    pinned: project.inventory.settings.pinned,
    lockFile: path.relative(io.cwd, lockFile),
  });
  const allow = loadImageAllowList(project.root);
  const values = images.flatMap((i) => (i.loc ? [{ ref: i.ref, loc: i.loc }] : []));
  for (const d of [...allow.diagnostics, ...lintImageValues(values, allow.entries)])
    io.err(formatDiagnostic({ ...d, severity: 'warning' }, io.cwd));
  return pinned;
}

/** Prints the results (text, or JSON to a file / stdout with `--json F|-`). */
export function report(
  command: 'plan' | 'deploy' | 'rollback',
  project: Project,
  results: readonly HostResult[],
  flags: EngineFlags,
  io: CliIo,
): void {
  const json = `${JSON.stringify(project.redactor.redactValue(planJson(project.env, results)), null, 2)}\n`;
  if (flags.json === '-') return io.out(json);
  if (flags.json !== undefined) writeFileSync(path.resolve(io.cwd, flags.json), project.redactor.redact(json));
  io.out(planText(results, command));
}
