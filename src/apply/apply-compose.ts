// Executes the compose part of a plan: pre-checks (networks, pulls), compose file validation, services phase by phase
// with the health gate.
import { display } from '../core/cmd/render.js';
import { PHASES, type Phase } from '../core/desired/service.js';
import { composeConfigCheck, composeUp, type ComposeFileTarget } from '../compose/compose-cmd.js';
import {
  dockerExec,
  dockerLogsTail,
  dockerNetworkCreate,
  dockerPull,
  dockerRemoveContainers,
} from '../compose/docker-cmd.js';
import { and, sh, type Cmd } from '../core/cmd/cmd.js';
import { undefinedOnTimeout } from '../core/errors/remote-errors.js';
import { maskSecretsOf } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { checkProbes } from './apply-probes.js';
import { waitForGate, type GateResult } from './health-gate.js';
import type { ComposeTarget, HostPlan, ServiceStep } from '../core/plan-data/plan-types.js';
import type { ProbeCache } from './probe-cache.js';

/** A pre-check failed: nothing was stopped, no file was written. `failures` lists every one of them. */
export class PrecheckError extends Error {
  override readonly name = 'PrecheckError';
  constructor(
    readonly host: string,
    readonly failures: readonly string[],
  ) {
    super(`${host}: pre-checks failed, nothing was changed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  }
}

/** A compose file does not validate (after the files were written; they are put back by the caller). */
export class ComposeConfigError extends Error {
  override readonly name = 'ComposeConfigError';
}

/** A phase's container changes (removals, `compose up`) failed on the host: rolled back like a failed gate. */
export class ComposeUpError extends Error {
  override readonly name = 'ComposeUpError';
  constructor(
    readonly host: string,
    readonly services: readonly string[],
    readonly code: number,
    readonly log: string,
  ) {
    const tailLines = log
      .trim()
      .split('\n')
      .slice(-8)
      .map((l) => `  | ${l}`)
      .join('\n');
    super(`${host}: compose up of ${services.join(', ')} failed (exit ${code})${tailLines ? `:\n${tailLines}` : ''}`);
  }
}

/** A (re)created service failed its health gate; `logs` holds the last lines of each failing one. */
export class HealthGateError extends Error {
  override readonly name = 'HealthGateError';
  constructor(
    readonly host: string,
    readonly results: readonly GateResult[],
    readonly logs: ReadonlyMap<string, string>,
  ) {
    const bad = results.filter((r) => !r.ok);
    super(`${host}: health gate failed: ${bad.map((r) => `${r.service} ${r.detail}`).join(', ')}`);
  }
}

/** How a phase's container changes end: their exit status and the tail of their output. */
export interface PhaseRunEnd {
  readonly code: number;
  readonly log: string;
}

export interface ComposeApplyOptions {
  readonly become: boolean;
  readonly signal?: AbortSignal;
  /** Called with each phase's service steps once docker carried them out, then with their gate results (journal). */
  readonly onServices?: (steps: readonly ServiceStep[]) => void;
  readonly onGate?: (results: readonly GateResult[]) => void;
  /**
   * Runs a phase's container changes, one command: a deploy runs it as a detached host job (it completes even when rig
   * dies or the link drops). Without it the command runs in the SSH session.
   */
  readonly runPhase?: (phase: Phase, cmd: Cmd, steps: readonly ServiceStep[]) => Promise<PhaseRunEnd>;
  /** Called before each phase's health gate polls (a test pause point). */
  readonly beforeGate?: () => Promise<void>;
  /** Counts the steps carried out so far (an interrupted run reports them). */
  readonly progress?: { done: number };
  /** Healthcheck programs already found in an image, by image ID (the workstation's cache). */
  readonly probeCache?: ProbeCache;
}

/**
 * Networks are created and missing images pulled, then every (re)created service's healthcheck program is looked for
 * in its image; all attempted, any failure throws PrecheckError with the full list.
 */
export async function applyPrechecks(t: Transport, plan: HostPlan, opts: ComposeApplyOptions): Promise<void> {
  const failures: string[] = [];
  for (const s of plan.steps) {
    if (s.kind !== 'network') continue;
    const r = await t.exec(dockerNetworkCreate(s.name, { internal: s.internal, labels: { 'rig.managed': 'true' } }), {
      become: opts.become,
    });
    if (r.code !== 0) failures.push(`network ${s.name}: ${tail(r.stderr)}`);
  }
  const pulls = plan.steps.filter((s) => s.kind === 'pull');
  const results = await Promise.all(
    pulls.map(async (s) => ({ s, r: await t.exec(dockerPull(s.image), { become: opts.become }) })),
  );
  for (const { s, r } of results)
    if (r.code !== 0) failures.push(`image ${s.image} is not on the host and cannot be pulled: ${tail(r.stderr)}`);
  const unpulled = new Set(results.filter(({ r }) => r.code !== 0).map(({ s }) => s.image));
  const probes = await checkProbes(t, plan.steps, {
    become: opts.become,
    cache: opts.probeCache,
    skipImages: unpulled,
  });
  failures.push(...probes.failures.map((f) => f.message));
  if (failures.length > 0) throw new PrecheckError(plan.host, failures);
}

function phaseTarget(c: ComposeTarget, phase: Phase): ComposeFileTarget | undefined {
  const file = c.files[phase];
  return file === undefined
    ? undefined
    : { flavor: c.flavor, cli: c.cli, project: c.project, projectDir: c.projectDir, file };
}

/** `compose config -q` on every phase file; throws ComposeConfigError naming the file and compose's message. */
export async function validateComposeFiles(t: Transport, c: ComposeTarget, opts: ComposeApplyOptions): Promise<void> {
  for (const phase of PHASES) {
    const target = phaseTarget(c, phase);
    if (!target) continue;
    const r = await t.exec(composeConfigCheck(target), { become: opts.become });
    if (r.code !== 0)
      throw new ComposeConfigError(
        `${t.host}: ${target.file} does not validate (${display(composeConfigCheck(target))}):\n${tail(r.stderr)}`,
      );
  }
}

/**
 * Services phase by phase (infra, then apps): the phase's removals and `up`s as ONE command (`runPhase`), its reloads,
 * then its health gate. A failed command throws ComposeUpError; a failed gate HealthGateError.
 */
export async function applyServices(t: Transport, plan: HostPlan, opts: ComposeApplyOptions): Promise<GateResult[]> {
  const c = plan.compose;
  const all = plan.steps.filter((s): s is ServiceStep => s.kind === 'service');
  if (!c || all.length === 0) return [];
  const gated: GateResult[] = [];
  for (const phase of PHASES) {
    const steps = all.filter((s) => s.phase === phase);
    const cmd = phaseCommand(phaseTarget(c, phase), steps);
    if (cmd) {
      const changing = steps.filter((s) => s.action !== 'reload' && s.action !== 'gate');
      const end = await (opts.runPhase ?? inSession(t, opts.become))(phase, cmd, changing);
      if (end.code !== 0)
        throw new ComposeUpError(
          t.host,
          changing.map((s) => s.service),
          end.code,
          end.log,
        );
      if (opts.progress) opts.progress.done += changing.length;
    }
    const reloadFailures = await reloadAll(t, steps, opts.become);
    if (opts.progress) opts.progress.done += steps.filter((s) => s.action === 'reload').length;
    if (steps.length > 0) opts.onServices?.(steps);
    const gatedSteps = steps.filter(
      (s) => s.action !== 'remove' && !reloadFailures.some((f) => f.service === s.service),
    );
    if (gatedSteps.length > 0) await opts.beforeGate?.();
    const results = [
      ...reloadFailures,
      ...(await waitForGate(t, gatedSteps, { become: opts.become, ...(opts.signal ? { signal: opts.signal } : {}) })),
    ];
    opts.onGate?.(results);
    gated.push(...results);
    const bad = results.filter((r) => !r.ok);
    if (bad.length > 0) throw new HealthGateError(t.host, gated, await logsOf(t, bad, opts.become));
  }
  return gated;
}

/** The phase's removals, then `up` of what is (re)created, then `up` of what only starts; undefined when none. */
export function phaseCommand(target: ComposeFileTarget | undefined, steps: readonly ServiceStep[]): Cmd | undefined {
  const removed = steps.filter((s) => s.action === 'remove' || s.foreign === true).map((s) => s.container);
  const forced = steps.filter((s) => s.action === 'create' || s.action === 'recreate').map((s) => s.service);
  const started = steps.filter((s) => s.action === 'start').map((s) => s.service);
  const parts = [
    ...(removed.length > 0 ? [dockerRemoveContainers(removed)] : []),
    ...(target && forced.length > 0 ? [composeUp(target, forced, { forceRecreate: true })] : []),
    ...(target && started.length > 0 ? [composeUp(target, started, { forceRecreate: false })] : []),
  ];
  return parts.length === 0 ? undefined : and(...parts);
}

/** The phase command in the SSH session itself (no detached job): stderr is its output. */
function inSession(t: Transport, become: boolean): NonNullable<ComposeApplyOptions['runPhase']> {
  return async (_phase, cmd) => {
    const r = await t.exec(cmd, { become });
    return { code: r.code, log: `${r.stdout}${r.stderr}` };
  };
}

/**
 * Each reload step: the command in the running container, then its record (only after the command succeeded), in
 * one exec. A failure is a gate failure (the caller rolls back): the service may still run its previous config.
 */
async function reloadAll(t: Transport, steps: readonly ServiceStep[], become: boolean): Promise<GateResult[]> {
  const failed: GateResult[] = [];
  for (const s of steps) {
    if (s.action !== 'reload' || !s.reload) continue;
    const dir = s.reload.recordPath.slice(0, s.reload.recordPath.lastIndexOf('/'));
    const cmd = and(
      dockerExec(s.container, s.reload.command),
      sh('umask 077; mkdir -p -m 0700 -- "$1" && cat > "$2.tmp" && mv -f -- "$2.tmp" "$2"', dir, s.reload.recordPath),
    );
    const r = await t.exec(cmd, { become, stdin: `${s.reload.record}\n` });
    if (r.code !== 0)
      failed.push({
        service: s.service,
        container: s.container,
        ok: false,
        detail: `reload failed (exit ${r.code}): ${tail(r.stderr || r.stdout)}`,
        seconds: 0,
      });
  }
  return failed;
}

/** How long the failed services' last log lines may take to come. */
const LOGS_TIMEOUT_SEC = 20;

async function logsOf(t: Transport, bad: readonly GateResult[], become: boolean): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const b of bad) {
    const cmd = dockerLogsTail(b.container, 50);
    // bounded: the gate may have failed because docker stopped answering
    const r = await t.exec(cmd, { become, timeoutMs: LOGS_TIMEOUT_SEC * 1000 }).catch(undefinedOnTimeout);
    out.set(
      b.service,
      r ? maskSecretsOf(cmd, r.stdout).trimEnd() : `(docker logs did not answer within ${LOGS_TIMEOUT_SEC} s)`,
    );
  }
  return out;
}

function tail(text: string): string {
  const lines = text.trim().split('\n');
  return lines.slice(-5).join(' / ');
}
