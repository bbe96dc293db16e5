// The checklist on one host, over one SSH connection: one exec for the lock, releases, headroom and plan facts; smoke;
// OpenClaw.
import type { Connection } from '../../config/inventory/connection.js';
import type { HostConfig, Project } from '../../config/project.js';
import type { RoleOps } from '../../config/roles/render-roles.js';
import type { Settings } from '../../config/settings.js';
import { describeError } from '../../core/errors/describe-error.js';
import { planOnHost } from '../../plan/plan-on-host.js';
import type { SmokeCheck } from '../../smoke/define-smoke.js';
import { smokeHost } from '../../smoke/smoke-host.js';
import type { Transport } from '../../transport/transport.js';
import type { CheckId, CheckStatus, HostFinding } from '../checklist-check.js';
import type { CheckDetails } from '../checklist-details.js';
import { fileProbeCache } from '../../apply/probe-cache.js';
import { probesOnHost } from './checklist-probes.js';
import { smokeOnHost } from './checklist-smoke.js';
import { checklistGather } from './host-facts.js';
import { headroomFinding, lockFinding, planFinding, releasesFinding } from './host-findings.js';
import { OPENCLAW_ROLE, openclawTarget, probeOpenclaw } from './openclaw-target.js';

type HostDetails<K extends 'upgrade-plan' | 'rollback' | 'headroom'> = Extract<
  CheckDetails,
  { kind: K }
>['hosts'][number];

/** What the host checks need: the current stack (smoke), the target (plan, OpenClaw), and how to reach hosts. */
export interface HostStageInput {
  readonly current: { readonly project: Project; readonly rendered: ReadonlyMap<string, readonly RoleOps[]> };
  /** Undefined when the upgrade cannot be planned (the upgrade-plan check says why). */
  readonly target: { readonly project: Project; readonly ops: ReadonlyMap<string, readonly RoleOps[]> } | undefined;
  readonly smoke: readonly SmokeCheck[];
  readonly connect: (host: string, c: Connection) => Promise<Transport>;
  readonly settings: Settings;
  readonly cwd: string;
}

/** One host's findings (by check), the details for --json, and its open connection (the journal line goes over it). */
export interface HostOutcome {
  readonly host: string;
  readonly transport: Transport | undefined;
  readonly findings: Partial<Record<CheckId, HostFinding>>;
  readonly headroom?: HostDetails<'headroom'>;
  readonly rollback?: HostDetails<'rollback'>;
  readonly plan?: HostDetails<'upgrade-plan'>;
}

/**
 * Runs every host check on `h`; never throws for host failures (an unreachable host fails headroom, skips the rest).
 */
export async function checkHost(h: HostConfig, input: HostStageInput): Promise<HostOutcome> {
  const started = performance.now();
  let t: Transport;
  try {
    t = await input.connect(h.name, h.connection);
  } catch (err) {
    return unreachable(h, describeError(err), performance.now() - started);
  }
  const reached = `reachable over ssh (${h.connection.user ?? 'default user'}@${h.connection.host}) in ${Math.round(performance.now() - started)} ms`;
  const connectMs = performance.now() - started;
  // each part turns its own failures into findings; a bug in one must still leave the others and the connection usable
  const failed = (err: unknown): HostFinding => ({
    host: h.name,
    status: 'fail',
    evidence: [describeError(err)],
    durationMs: performance.now() - started,
  });
  const [facts, smoke, openclaw] = await Promise.all([
    factsAndPlan(t, h, input).catch((err: unknown) => {
      const error = describeError(err);
      return {
        ms: performance.now() - started,
        plan: { error },
        facts: { lock: { error }, releases: { error }, headroom: { error } },
      };
    }),
    smokeFinding(t, h, input).catch(failed),
    openclawFinding(t, h, input).catch(failed),
  ]);
  // the lock, releases, headroom and plan come from one exec: they share its duration (headroom adds the connection)
  const finding = (host: string, status: CheckStatus, evidence: readonly string[], extraMs = 0): HostFinding => ({
    host,
    status,
    evidence,
    durationMs: facts.ms + extraMs,
  });
  const lock = lockFinding(h.name, h.stack.stateDir, facts.facts.lock);
  const releases = releasesFinding(facts.facts.releases);
  const room = headroomFinding(h, facts.facts.headroom, input.cwd);
  const findings: Partial<Record<CheckId, HostFinding>> = {
    'deploy-lock': finding(h.name, lock.status, lock.evidence),
    rollback: finding(h.name, releases.status, releases.evidence),
    headroom: finding(h.name, room.status, [...room.evidence, reached], connectMs),
    smoke,
    ...(openclaw ? { 'openclaw-target': openclaw } : {}),
  };
  const out = {
    host: h.name,
    transport: t,
    findings,
    rollback: { host: h.name, current: releases.current, releases: releases.count },
  };
  const headroom = room.measured
    ? {
        host: h.name,
        path: room.measured.h.path,
        diskFreePct: round(room.measured.h.diskFreePct),
        diskAvailableMb: Math.round(room.measured.h.diskAvailableMb),
        memAvailableMb: Math.round(room.measured.h.memAvailableMb),
        ...room.measured.min,
      }
    : undefined;
  if (facts.plan === undefined) return { ...out, ...(headroom ? { headroom } : {}) };
  if ('error' in facts.plan)
    return {
      ...out,
      findings: { ...findings, 'upgrade-plan': finding(h.name, 'fail', [facts.plan.error]) },
      ...(headroom ? { headroom } : {}),
    };
  const plan = planFinding(facts.plan.plan);
  const probeStarted = performance.now();
  const probed = await probesOnHost(t, h, facts.plan.plan, fileProbeCache(input.current.project.root)).catch(
    (err: unknown) => ({ status: 'fail' as const, evidence: [describeError(err)] }),
  );
  const probes: HostFinding = { host: h.name, ...probed, durationMs: performance.now() - probeStarted };
  return {
    ...out,
    findings: {
      ...findings,
      'upgrade-plan': finding(h.name, plan.status, plan.evidence),
      'healthcheck-probes': probes,
    },
    plan: { host: h.name, services: plan.services, otherSteps: plan.otherSteps },
    ...(headroom ? { headroom } : {}),
  };
}

/** ONE exec: the planner's facts for the target (as `rig plan` gathers them) with the lock, releases and headroom. */
async function factsAndPlan(t: Transport, h: HostConfig, input: HostStageInput) {
  const started = performance.now();
  const target = input.target?.project.hosts.get(h.name);
  const g = checklistGather(t, h.connection.become, h.stack);
  let plan: Awaited<ReturnType<typeof planOnHost>> | { error: string } | undefined;
  if (input.target !== undefined && target !== undefined) {
    const roleOps = input.target.ops.get(h.name) ?? [];
    plan = await planOnHost(
      t,
      {
        host: h.name,
        roleOps,
        redactor: input.target.project.redactor,
        stack: target.stack,
        become: h.connection.become,
        removeUndeclared: true,
      },
      g.host,
    ).catch((err: unknown) => ({ error: describeError(err) }));
  }
  const facts = await g.facts().catch((err: unknown) => {
    const error = describeError(err);
    return { lock: { error }, releases: { error }, headroom: { error } };
  });
  return { ms: performance.now() - started, plan, facts };
}

async function smokeFinding(t: Transport, h: HostConfig, input: HostStageInput): Promise<HostFinding> {
  const started = performance.now();
  const view = smokeHost(input.current.project.env, h, input.current.rendered.get(h.name) ?? []);
  const r = await smokeOnHost(t, view, input.smoke, {
    redactor: input.current.project.redactor,
    settings: input.settings,
  }).catch((err: unknown) => ({ status: 'fail' as const, evidence: [describeError(err)] }));
  return { host: h.name, ...r, durationMs: performance.now() - started };
}

async function openclawFinding(t: Transport, h: HostConfig, input: HostStageInput): Promise<HostFinding | undefined> {
  const started = performance.now();
  const target = input.target;
  const host = target?.project.hosts.get(h.name);
  if (target === undefined || host === undefined) return undefined;
  const spec = await openclawTarget(target.project, host, target.ops.get(h.name) ?? []).catch((err: unknown) => ({
    error: describeError(err),
  }));
  if (spec === undefined) return undefined;
  const r =
    'error' in spec
      ? { status: 'fail' as const, evidence: [spec.error] }
      : await probeOpenclaw(t, host, spec).catch((err: unknown) => ({
          status: 'fail' as const,
          evidence: [describeError(err)],
        }));
  return { host: h.name, ...r, durationMs: performance.now() - started };
}

function unreachable(h: HostConfig, error: string, ms: number): HostOutcome {
  const host = h.name;
  const skip = (): HostFinding => ({
    host,
    status: 'skip',
    evidence: ['not checked: the host is unreachable (see headroom)'],
    durationMs: 0,
  });
  const openclaw = h.roles.some((r) => r.name === OPENCLAW_ROLE) ? { 'openclaw-target': skip() } : {};
  const findings: Partial<Record<CheckId, HostFinding>> = {
    headroom: { host, status: 'fail', evidence: [error], durationMs: ms },
    'deploy-lock': skip(),
    rollback: skip(),
    smoke: skip(),
    'upgrade-plan': skip(),
    'healthcheck-probes': skip(),
    ...openclaw,
  };
  return { host, transport: undefined, findings };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
