// Gathers one host's facts (files, docker) in as few execs as possible and plans it: files, commands, compose services.
import { DiagnosticsError } from '../core/errors/diagnostic.js';
import { sha256Hex } from '../core/digest.js';
import type { Redactor } from '../core/redact/redactor.js';
import { containerName, networkName, PHASES } from '../core/desired/service.js';
import type { ReloadRecord } from '../compose/service-reload.js';
import { fileOps, type RoleOps } from '../config/roles/render-roles.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import { COMPOSE_ROLE, composeDesired, unmanagedEnvFiles } from '../compose/compose-desired.js';
import { editedComposeEntries } from '../compose/compose-edits.js';
import { planServices, type RecordedService } from '../compose/plan-services.js';
import { composeFilePath } from '../compose/render-compose.js';
import { canonicalJson } from '../compose/service-inputs.js';
import { commandChecksFact } from '../facts/host/command-checks.js';
import { dockerStateFact, type DockerState } from '../facts/containers/docker-state.js';
import { fileContentCmd, fileContentFact, parseFileContent } from '../facts/files/file-content.js';
import { fileStateFact, type PathState } from '../facts/files/file-state.js';
import { execHost, gather, type FactHost } from '../facts/gather.js';
import { lockStateFact } from '../facts/deploy-state/lock-state.js';
import { deployMarkerFact } from '../facts/deploy-state/marker-state.js';
import { currentReleaseFact } from '../facts/deploy-state/release-list.js';
import { reloadRecordsFact } from '../facts/deploy-state/reload-records.js';
import { runningJobsFact } from '../facts/deploy-state/running-jobs.js';
import { run } from '../transport/run.js';
import { mergeTargets, resolveMerges } from './yaml-merge.js';
import type { LockState } from '../lock/lock.js';
import { currentRelease, type ReleaseList } from '../release/release-store.js';
import type { DeployMarker } from '../journal/deploy-marker.js';
import type { RunningJob } from '../jobs/host-job-script.js';
import type { Transport } from '../transport/transport.js';
import { guardsOf, pathsOf, planHost } from './planner.js';
import type { HostPlan } from '../core/plan-data/plan-types.js';

export interface PlanOnHostInput {
  readonly host: string;
  readonly roleOps: readonly RoleOps[];
  readonly redactor: Redactor;
  readonly stack: StackConfig;
  readonly become?: boolean;
  /** Remove containers of services no role declares (false under `--role`). */
  readonly removeUndeclared?: boolean;
  /** More paths to stat in the same exec (release blobs), reported in `facts`. */
  readonly extraPaths?: readonly string[];
  /**
   * Also read the host's current release in the same exec: `true` its id and record (the services' records a plan of
   * services compares with, the release a new one follows); `'id'` the id, and the record only when the roles have
   * services (a plan of files alone needs no record: a `cat` less per host).
   */
  readonly readCurrentRelease?: boolean | 'id';
  /** Also read the deploy lock (without taking it) in the same exec. */
  readonly readLock?: boolean;
  /** Also read the deploy marker and the host jobs still running (a deploy that did not conclude) in the same exec. */
  readonly readRunState?: boolean;
  /**
   * The marker an earlier plan of this run read (the plan under the lock reads this run's own): the containers the
   * deploy it left behind was to recreate or reload are still planned so while they are the same containers.
   */
  readonly unfinished?: DeployMarker;
}

/** The plan, plus what apply may need besides it: the old bytes of files it replaces, the facts it saw. */
export interface PlannedHost {
  readonly plan: HostPlan;
  /**
   * The ops the plan was made from, with the rendered compose files (pseudo-role `compose`): apply takes content from
   * them.
   */
  readonly roleOps: readonly RoleOps[];
  readonly before: ReadonlyMap<string, Buffer>;
  readonly facts: ReadonlyMap<string, PathState>;
  readonly docker: DockerState | undefined;
  /** With `readCurrentRelease`: the current release's id and record (not the older ones; no record under `'id'`). */
  readonly releases?: ReleaseList;
  /** With `readLock`: who holds the deploy lock, if anyone. */
  readonly lock?: LockState;
  /** With `readRunState`: the marker of a deploy that began changing the host and did not conclude. */
  readonly marker?: DeployMarker;
  /** With `readRunState`: host jobs (compose up, removals) still running. */
  readonly jobs?: readonly RunningJob[];
}

/** True when the host's roles declare compose services or networks. */
export function hasCompose(roleOps: readonly RoleOps[]): boolean {
  return roleOps.some((r) => r.ops.some((o) => o.kind === 'service' || o.kind === 'network'));
}

/** Everything one host's plan is made from, read in one exec. */
interface HostFacts {
  readonly facts: ReadonlyMap<string, PathState>;
  readonly docker: DockerState | undefined;
  readonly guards: ReadonlyMap<string, number>;
  readonly releases: ReleaseList | undefined;
  readonly lock: LockState | undefined;
  readonly marker: DeployMarker | undefined;
  readonly jobs: readonly RunningJob[] | undefined;
  /** Current content of the yamlMerge targets. */
  readonly mergeBase: ReadonlyMap<string, Buffer>;
  /** Reload records of the reloadable services, by container. */
  readonly reloads: ReadonlyMap<string, ReloadRecord>;
}

/** Every fact of a host in ONE exec (through `host`, which for a deploy also takes the lock in it). */
async function gatherFacts(input: PlanOnHostInput, host: FactHost): Promise<HostFacts> {
  const { stateDir } = input.stack;
  const compose = hasCompose(input.roleOps);
  const composeFiles = compose ? PHASES.map((p) => composeFilePath(input.stack.projectDir, p)) : [];
  const merges = mergeTargets(input.roleOps);
  const reloadable = input.roleOps.flatMap((r) =>
    r.ops.flatMap((o) => (o.kind === 'service' && o.reload ? [containerName(input.stack.project, o.name)] : [])),
  );
  const paths = [
    ...new Set([
      ...pathsOf(input.roleOps),
      ...merges,
      ...composeFiles,
      ...unmanagedEnvFiles(input.roleOps),
      ...(input.extraPaths ?? []),
    ]),
  ];
  const checks = guardsOf(input.roleOps);
  const runState = input.readRunState === true;
  const got = await gather(host, {
    files: paths.length > 0 ? fileStateFact(paths) : undefined,
    docker: compose ? dockerStateFact(dockerQuery(input)) : undefined,
    codes: checks.length > 0 ? commandChecksFact(checks.map((c) => c.cmd)) : undefined,
    releases: input.readCurrentRelease
      ? currentReleaseFact(stateDir, input.readCurrentRelease === 'id' && !compose)
      : undefined,
    lock: input.readLock === true ? lockStateFact(stateDir) : undefined,
    marker: runState ? deployMarkerFact(stateDir) : undefined,
    jobs: runState ? runningJobsFact(stateDir) : undefined,
    mergeBase: merges.length > 0 ? fileContentFact(merges) : undefined,
    reloads: reloadable.length > 0 ? reloadRecordsFact(stateDir, reloadable) : undefined,
  });
  const codes = got.codes ?? [];
  return {
    docker: got.docker,
    releases: got.releases,
    lock: got.lock,
    marker: got.marker,
    jobs: got.jobs,
    facts: got.files ?? new Map<string, PathState>(),
    guards: new Map(checks.map((c, i) => [c.key, codes[i] ?? -1])),
    mergeBase: got.mergeBase ?? new Map<string, Buffer>(),
    reloads: got.reloads ?? new Map<string, ReloadRecord>(),
  };
}

/**
 * Round trips: ONE exec for every fact (files, docker, `unless` checks, releases, the lock, merge targets, reload
 * records), then 1 exec for the old bytes of files about to change, only when some do.
 */
export async function planOnHost(
  t: Transport,
  input: PlanOnHostInput,
  host: FactHost = execHost(t, input.become === true),
): Promise<PlannedHost> {
  const { facts, docker, guards, releases, lock, marker, jobs, mergeBase, reloads } = await gatherFacts(input, host);
  const onHost = (p: string): string | undefined => {
    const f = facts.get(p);
    return f?.kind === 'file' ? f.sha256 : undefined;
  };
  const compose = hasCompose(input.roleOps);
  const merged = resolveMerges(input.roleOps, mergeBase, input.host);
  if (merged.problems.length > 0) throw new DiagnosticsError(merged.problems);
  const desired = compose
    ? composeDesired(
        input.host,
        input.stack,
        merged.roleOps,
        onHost,
        input.redactor,
        docker?.socketGid,
        docker?.compose?.flavor,
      )
    : undefined;
  if (desired && desired.problems.length > 0) throw new DiagnosticsError(desired.problems);
  const roleOps = desired
    ? [...merged.roleOps, { role: COMPOSE_ROLE, ops: desired.files, selected: true }]
    : merged.roleOps;
  const wanted = fileOps(roleOps).filter((op) => {
    const f = facts.get(op.path);
    return f?.kind === 'file' && f.sha256 !== sha256Hex(op.content) && !mergeBase.has(op.path);
  });
  const fetched =
    wanted.length === 0
      ? new Map<string, Buffer>()
      : parseFileContent(
          (await run(t, fileContentCmd(wanted.map((o) => o.path)), { become: input.become === true })).stdoutBytes,
          wanted.map((o) => o.path),
        );
  const before = new Map([...mergeBase, ...fetched]);
  // Extra paths (release blobs) are facts for apply, not for the plan: a saved plan stays valid without them.
  const planned = new Set(pathsOf(roleOps));
  const planFacts = new Map([...facts].filter(([p]) => planned.has(p) || !(input.extraPaths ?? []).includes(p)));
  const filePlan = planHost({ host: input.host, roleOps, facts: planFacts, before, guards, redactor: input.redactor });
  const common = {
    roleOps,
    before,
    facts,
    docker,
    ...(releases ? { releases } : {}),
    ...(lock ? { lock } : {}),
    ...(marker ? { marker } : {}),
    ...(jobs ? { jobs } : {}),
  };
  if (!desired || !docker) return { plan: filePlan, ...common };
  const recorded = releases ? recordedServices(releases) : undefined;
  const left = input.unfinished ?? marker;
  const services = planServices({
    host: input.host,
    desired,
    docker,
    fileSteps: filePlan.steps,
    modifiedAt: (p) => {
      const f = facts.get(p);
      return f?.kind === 'file' ? f.modifiedAt : undefined;
    },
    editedEntries: editedComposeEntries(desired.files, handEdited(before, releases)),
    removeUndeclared: input.removeUndeclared !== false,
    reloads,
    ...(recorded ? { recorded, noRelease: releases?.current === undefined } : {}),
    ...(left?.pending ? { unfinished: { deployId: left.deployId, pending: left.pending } } : {}),
  });
  if (services.problems.length > 0) throw new DiagnosticsError(services.problems);
  const prechecks = services.steps.filter((s) => s.kind === 'network' || s.kind === 'pull');
  const rest = services.steps.filter((s) => s.kind === 'service');
  const observed = sha256Hex(
    `${filePlan.observed}\n${canonicalJson({ containers: docker.containers.map((c) => [c.name, c.id, c.image, c.running, c.labels['rig.fingerprint']]), images: [...docker.images], networks: [...docker.networks] })}`,
  );
  const plan: HostPlan = {
    host: input.host,
    steps: [...prechecks, ...filePlan.steps, ...rest],
    observed,
    ...(services.target ? { compose: services.target } : {}),
  };
  return { plan, ...common };
}

/**
 * The host's copies of compose files the plan writes back that differ from what the current release recorded of them
 * (its `composeFiles`): edited by hand. A copy as the release recorded it is rig's own rendering, whatever rig renders
 * now (a new field, a service moved to another role): its entries are not judged. A release without the record (a rig
 * before it) judges none.
 */
function handEdited(before: ReadonlyMap<string, Buffer>, list: ReleaseList | undefined): Map<string, Buffer> {
  const recorded = new Map((currentRelease(list)?.composeFiles ?? []).map((f) => [f.path, f.sha256]));
  return new Map([...before].filter(([p, bytes]) => recorded.has(p) && recorded.get(p) !== sha256Hex(bytes)));
}

/** The services of the host's current release (none when it has no release yet: everything running is unrecorded). */
function recordedServices(list: ReleaseList): Map<string, RecordedService> {
  return new Map(
    (currentRelease(list)?.services ?? []).map((s) => [s.name, { fingerprint: s.fingerprint, imageId: s.imageId }]),
  );
}

function dockerQuery(input: PlanOnHostInput): { project: string; images: string[]; networks: string[] } {
  const ops = input.roleOps.flatMap((r) => r.ops);
  const images = [...new Set(ops.flatMap((o) => (o.kind === 'service' ? [o.spec.image] : [])))];
  const networks = [
    ...new Set(ops.flatMap((o) => (o.kind === 'network' ? [networkName(input.stack.project, o.name)] : []))),
  ];
  return { project: input.stack.project, images, networks };
}
