// `rig checklist`'s run: workstation checks, then every host in parallel (one connection each), the decision, the
// journal.
import type { Connection } from '../config/inventory/connection.js';
import { listRoles } from '../config/roles/role-loader.js';
import type { Settings } from '../config/settings.js';
import { DiagnosticsError, formatDiagnostic } from '../core/errors/diagnostic.js';
import { describeError } from '../core/errors/describe-error.js';
import { mapPool } from '../core/pool.js';
import type { SmokeCheck } from '../smoke/define-smoke.js';
import { listSmokeChecks, loadSmokeChecks, SMOKE_DIR } from '../smoke/smoke-loader.js';
import type { Transport } from '../transport/transport.js';
import {
  CHECK_IDS,
  fromHosts,
  local,
  notRun,
  type CheckId,
  type CheckResult,
  type HostFinding,
} from './checklist-check.js';
import { checkHost, type HostOutcome } from './host/checklist-host.js';
import { checklistJournalLine, journalChecklist, type ChecklistRunInfo } from './checklist-journal.js';
import { checkLoad, type LoadInput } from './checklist-load.js';
import { checklistReport, type ChecklistReport } from './checklist-report.js';
import { prepareTarget, type TargetStage } from './checklist-target.js';
import type { UpgradeRequest } from './checklist-upgrade.js';

export interface ChecklistInput {
  readonly load: LoadInput;
  readonly upgrades: readonly UpgradeRequest[];
  readonly connect: (host: string, c: Connection) => Promise<Transport>;
  readonly settings: Settings;
  readonly info: Omit<ChecklistRunInfo, 'root' | 'env'>;
  /** A journal line that could not be written on a host (reported, never a check result). */
  readonly warn: (line: string) => void;
}

/**
 * Read-only: no deploy lock is taken and nothing a deploy manages is written; the one write per host is the journal
 * line. Round trips per host: the connection, ONE exec for the lock, releases, headroom and the plan's facts (plus the
 * plan's own second exec when files would change), one exec per smoke check, one for the OpenClaw probe, one for the
 * journal. Usage errors (an unknown --upgrade name) throw before any host is contacted.
 */
export async function runChecklist(input: ChecklistInput): Promise<ChecklistReport> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { env, root } = input.load;
  const run = (results: readonly CheckResult[], upgrades: TargetStage['upgrades']): ChecklistReport =>
    checklistReport(results, { env, runId: input.info.runId, startedAt, durationMs: performance.now() - t0, upgrades });
  const loadedStage = await checkLoad(input.load);
  const loaded = loadedStage.loaded;
  if (loaded === undefined) {
    const rest = CHECK_IDS.filter((id) => id !== 'config' && id !== 'secrets').map((id) =>
      notRun(id, 'the project does not load (see config and secrets)'),
    );
    return run([loadedStage.config, loadedStage.secrets, ...rest], []);
  }
  const target = await prepareTarget(input.load, loaded, input.upgrades);
  const smoke = await smokeChecks(root, input.load.cwd);
  const hosts = [...loaded.project.hosts.values()];
  const outcomes = await mapPool(hosts, input.settings.RIG_FORKS, (h) =>
    checkHost(h, {
      current: loaded,
      target: 'why' in target.target ? undefined : target.target,
      smoke: 'checks' in smoke ? smoke.checks : [],
      connect: input.connect,
      settings: input.settings,
      cwd: input.load.cwd,
    }),
  );
  try {
    const report = run(assemble(loadedStage, target, smoke, outcomes), target.upgrades);
    const info = { ...input.info, root, env };
    await Promise.all(
      outcomes.map(async (o) => {
        const h = loaded.project.hosts.get(o.host);
        if (h === undefined) return;
        const line = checklistJournalLine(info, o.host, report, loaded.project.redactor);
        await journalChecklist(
          info,
          { name: o.host, stateDir: h.stack.stateDir, become: h.connection.become },
          line,
          o.transport,
        ).catch((err: unknown) =>
          input.warn(`rig: ${o.host}: the checklist decision was not journaled: ${describeError(err)}`),
        );
      }),
    );
    return report;
  } finally {
    await Promise.all(outcomes.flatMap((o) => (o.transport ? [o.transport.close().catch(() => undefined)] : [])));
  }
}

/** Every check in CHECK_IDS order, from the workstation stages and the hosts' findings. */
function assemble(
  l: Awaited<ReturnType<typeof checkLoad>>,
  target: TargetStage,
  smoke: { checks: readonly SmokeCheck[] } | { result: CheckResult },
  outcomes: readonly HostOutcome[],
): CheckResult[] {
  const of = (id: CheckId): HostFinding[] => outcomes.flatMap((o) => (o.findings[id] ? [o.findings[id]] : []));
  const n = outcomes.length;
  const hosts = `${n} host${n === 1 ? '' : 's'}`;
  const planned =
    'why' in target.target
      ? target.target.why
      : {
          ...fromHosts('upgrade-plan', of('upgrade-plan'), planSummary(outcomes)),
          details: { kind: 'upgrade-plan' as const, hosts: outcomes.flatMap((o) => (o.plan ? [o.plan] : [])) },
        };
  const openclaw = of('openclaw-target');
  const probes =
    'why' in target.target
      ? notRun('healthcheck-probes', 'the upgrade is not planned (see upgrade-plan)')
      : fromHosts(
          'healthcheck-probes',
          of('healthcheck-probes'),
          `healthcheck programs found in the target images on ${hosts}`,
        );
  const byId: Record<CheckId, CheckResult> = {
    config: l.config,
    secrets: l.secrets,
    'deploy-lock': fromHosts('deploy-lock', of('deploy-lock'), `no deploy lock on ${hosts}`),
    headroom: {
      ...fromHosts('headroom', of('headroom'), `${hosts} reachable, disk and memory above the thresholds`),
      details: { kind: 'headroom', hosts: outcomes.flatMap((o) => (o.headroom ? [o.headroom] : [])) },
    },
    smoke: 'result' in smoke ? smoke.result : fromHosts('smoke', of('smoke'), `smoke green on ${hosts}`),
    rollback: {
      ...fromHosts('rollback', of('rollback'), `a release to roll back to on ${hosts}`),
      details: { kind: 'rollback', hosts: outcomes.flatMap((o) => (o.rollback && o.transport ? [o.rollback] : [])) },
    },
    images: target.images,
    'upgrade-plan': planned,
    'healthcheck-probes': probes,
    'openclaw-target':
      'why' in target.target && openclaw.length === 0 && outcomes.length > 0
        ? notRun('openclaw-target', 'the upgrade is not planned (see upgrade-plan)')
        : fromHosts(
            'openclaw-target',
            openclaw,
            openclaw.length === 0
              ? 'no host runs the openclaw role'
              : `the target OpenClaw takes the rendered config on ${openclaw.length} host${openclaw.length === 1 ? '' : 's'}`,
          ),
  };
  return CHECK_IDS.map((id) => byId[id]);
}

/** `h1: recreates openclaw; h2: no service changes`, the plan's headline per host. */
function planSummary(outcomes: readonly HostOutcome[]): string {
  const parts = outcomes.flatMap((o) =>
    o.findings['upgrade-plan']?.status === 'pass' ? [`${o.host}: ${o.findings['upgrade-plan'].evidence[0] ?? ''}`] : [],
  );
  return parts.length === 0 ? 'nothing to plan' : parts.join('; ');
}

/**
 * The repository's smoke checks; none at all is advisory (the stack's health is then not shown), a broken module
 * blocking.
 */
async function smokeChecks(
  root: string,
  cwd: string,
): Promise<{ checks: readonly SmokeCheck[] } | { result: CheckResult }> {
  const ids = listSmokeChecks(root);
  if (ids.length === 0)
    return {
      result: local(
        'smoke',
        'warn',
        [`no smoke checks: ${SMOKE_DIR}/ holds no <id>.ts module, so the current stack's health is not shown`],
        0,
      ),
    };
  try {
    return { checks: await loadSmokeChecks(root, ids, listRoles(root)) };
  } catch (err) {
    if (!(err instanceof DiagnosticsError)) throw err;
    return {
      result: local(
        'smoke',
        'fail',
        ['the smoke checks do not load', ...err.diagnostics.map((d) => formatDiagnostic(d, cwd))],
        0,
      ),
    };
  }
}
