// Pure compose planner: desired services and networks + the host's docker facts → pull, network and service steps, each
// with why.
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { formatLocation } from '../core/errors/diagnostic.js';
import { PHASES } from '../core/desired/service.js';
import type { ContainerState, DockerState } from '../facts/containers/docker-state.js';
import type { ComposeTarget, NetworkStep, PullStep, ServiceStep, Step } from '../core/plan-data/plan-types.js';
import { composeProblems } from './compose-support.js';
import { healthProbeOf } from './health-probe.js';
import { composeFilePath } from './render-compose.js';
import { LABELS, type ComposeDesired, type DesiredService } from './compose-desired.js';
import { decideService, type CurrentService, type RecordedService } from './decide-service.js';
import { reloadRecordPath, type ReloadRecord } from './service-reload.js';

export type { RecordedService } from './decide-service.js';

export interface PlanServicesInput {
  readonly host: string;
  readonly desired: ComposeDesired;
  readonly docker: DockerState;
  /** The file steps of the same plan (env key changes make the reasons precise). */
  readonly fileSteps: readonly Step[];
  /** When the host's copy of a file was last written (file-state's `modifiedAt`), undefined when it is not a file. */
  readonly modifiedAt?: (path: string) => number | undefined;
  /** Services whose entry in the host's copy of their compose file is not rig's (edited by hand): name → file. */
  readonly editedEntries?: ReadonlyMap<string, string>;
  /** False under `--role`: services no role declares are left alone instead of removed. */
  readonly removeUndeclared: boolean;
  /** The reload records of the host's reloadable services, by container name. */
  readonly reloads?: ReadonlyMap<string, ReloadRecord>;
  /**
   * What the host's current release recorded of each service (by name); undefined when the releases were not read.
   * A running container that matches the repository but not its release was made by a run that never recorded one
   * (interrupted, or failed without a rollback): it is gated, not taken as done.
   */
  readonly recorded?: ReadonlyMap<string, RecordedService>;
  /** With `recorded`: the host has no current release at all (`recorded` is then empty). */
  readonly noRelease?: boolean;
  /** The containers a deploy that did not finish was to recreate or reload (its marker's `pending`). */
  readonly unfinished?: { readonly deployId: string; readonly pending: readonly UnfinishedAction[] };
}

/** A container a deploy was to recreate or reload, by id. */
export interface UnfinishedAction {
  readonly id: string;
  readonly action: 'recreate' | 'reload';
}

export interface ServicesPlan {
  readonly steps: Step[];
  readonly target: ComposeTarget | undefined;
  readonly problems: Diagnostic[];
}

/** Plans the compose part of one host: pre-checks (pulls, networks), then services in phase order. */
export function planServices(input: PlanServicesInput): ServicesPlan {
  const { desired, docker, host } = input;
  const problems: Diagnostic[] = [];
  if (desired.services.length === 0 && desired.networks.length === 0) return { steps: [], target: undefined, problems };
  problems.push(...composeProblems(host, docker));
  const networks = planNetworks(input, problems);
  const pulls = planPulls(input);
  const services = PHASES.flatMap((phase) => [
    ...planRemovals(input).filter((s) => s.phase === phase),
    ...desired.services
      .filter((s) => s.op.phase === phase)
      .flatMap((s) => (s.selected ? planService(s, input) : repairOf(s, input))),
  ]);
  const files = Object.fromEntries(
    PHASES.filter((p) => desired.services.some((s) => s.op.phase === p)).map((p) => [
      p,
      composeFilePath(desired.projectDir, p),
    ]),
  );
  const target = docker.compose
    ? {
        flavor: docker.compose.flavor,
        cli: docker.compose.cli,
        project: desired.project,
        projectDir: desired.projectDir,
        files,
      }
    : undefined;
  return { steps: [...networks, ...pulls, ...services], target, problems };
}

function where(s: DesiredService): string | undefined {
  return s.op.origin ? formatLocation(s.op.origin) : undefined;
}

function planNetworks({ desired, docker, host }: PlanServicesInput, problems: Diagnostic[]): NetworkStep[] {
  return desired.networks.flatMap((n): NetworkStep[] => {
    const fact = docker.networks.get(n.name);
    if (fact === undefined && n.op.external) {
      problems.push({
        severity: 'error',
        message: `network ${n.name} is declared external but does not exist on the host`,
        loc: n.op.origin,
        hosts: [host],
      });
      return [];
    }
    if (fact === undefined)
      return [{ kind: 'network', role: n.role, name: n.name, internal: n.op.internal, why: 'missing' }];
    if (fact.internal !== n.op.internal && !n.op.external) {
      problems.push({
        severity: 'error',
        message: `network ${n.name} exists but is ${fact.internal ? '' : 'not '}internal, unlike its declaration; rig does not recreate networks (containers are attached): remove it by hand or change the declaration`,
        loc: n.op.origin,
        hosts: [host],
      });
    }
    return [];
  });
}

/** Every image of the final compose files that the host lacks is pulled first, whether or not its service changes. */
function planPulls({ desired, docker }: PlanServicesInput): PullStep[] {
  const seen = new Set<string>();
  return desired.services.flatMap((s): PullStep[] => {
    const image = s.op.spec.image;
    if (seen.has(image) || docker.images.get(image) !== undefined) return [];
    seen.add(image);
    return [{ kind: 'pull', role: s.role, image, why: 'not on the host' }];
  });
}

function gateOf(s: DesiredService): ServiceStep['gate'] {
  return { ...s.op.gate, healthcheck: s.op.spec.healthcheck !== undefined };
}

function planService(s: DesiredService, input: PlanServicesInput): ServiceStep[] {
  const origin = where(s);
  const edited = input.editedEntries?.get(s.op.name);
  const base = {
    kind: 'service' as const,
    role: s.role,
    service: s.op.name,
    container: s.container,
    phase: s.op.phase,
    fingerprint: s.fingerprint,
    gate: gateOf(s),
    ...(origin !== undefined ? { origin } : {}),
  };
  const d = decideService(
    {
      service: s,
      project: input.desired.project,
      fileSteps: input.fileSteps,
      ...(input.modifiedAt ? { modifiedAt: input.modifiedAt } : {}),
      ...(edited !== undefined ? { editedEntry: edited } : {}),
    },
    currentOf(s, input),
  );
  const why = d.reasons.join('; ');
  switch (d.action) {
    case 'none':
      return [];
    case 'create':
    case 'recreate': {
      // what a (re)created container will run its healthcheck with: checked in the image before anything stops
      const probe = healthProbeOf(s.op.spec, input.docker.images.get(s.op.spec.image)?.id);
      const foreign = d.action === 'recreate' && d.foreign === true ? { foreign: true as const } : {};
      return [{ ...base, ...(probe ? { probe } : {}), action: d.action, reasons: d.reasons, why, ...foreign }];
    }
    case 'reload':
      return [
        {
          ...base,
          action: 'reload',
          reasons: d.reasons,
          why,
          reload: { ...d.reload, recordPath: reloadRecordPath(input.desired.stateDir, s.container) },
        },
      ];
    case 'start':
    case 'gate':
      return [{ ...base, action: d.action, reasons: d.reasons, why }];
  }
}

/** What the host has of `s`, from the plan's facts. */
function currentOf(s: DesiredService, input: PlanServicesInput): CurrentService {
  const holder = input.docker.nameHolders.find((x) => x.name === s.container);
  const record = input.reloads?.get(s.container);
  const localImageId = input.docker.images.get(s.op.spec.image)?.id;
  const container = findContainer(input.docker.containers, input.desired.project, s.op.name, s.container);
  const left = leftUnfinished(s, input);
  return {
    container,
    ...(holder ? { nameHolder: { name: holder.name, project: holder.project } } : {}),
    ...(record ? { record } : {}),
    ...(localImageId !== undefined ? { localImageId } : {}),
    ...(input.recorded
      ? { release: { recorded: input.recorded.get(s.op.name), ...(input.noRelease ? { none: true as const } : {}) } }
      : {}),
    ...(left && input.unfinished ? { unfinished: { deployId: input.unfinished.deployId, action: left.action } } : {}),
  };
}

/**
 * A service of a role the run does not select (`--role`): left alone, but for a repair only this run can make. The
 * run writes its compose entry back (the compose files hold every service), so a container made from a hand-edited
 * entry is recreated now or never noticed again; and an interrupted deploy's recreate or reload of its container
 * (`pending`) is finished, since this run replaces the marker that lists it. The container runs files the host has,
 * not the repository's: it is recreated from its entry as deployed.
 */
function repairOf(s: DesiredService, input: PlanServicesInput): ServiceStep[] {
  if (leftUnfinished(s, input) === undefined && !input.editedEntries?.has(s.op.name)) return [];
  return planService(s, input).filter((st) => st.action === 'recreate' || st.action === 'reload');
}

/** What an interrupted deploy left undone to `s`'s container (its marker's `pending`), if anything. */
function leftUnfinished(s: DesiredService, input: PlanServicesInput): UnfinishedAction | undefined {
  const pending = input.unfinished?.pending;
  if (!pending || pending.length === 0) return undefined;
  const container = findContainer(input.docker.containers, input.desired.project, s.op.name, s.container);
  return container ? pending.find((p) => p.id === container.id) : undefined;
}

/** Containers rig deployed in this project whose service no role declares any more. */
function planRemovals({ desired, docker, removeUndeclared }: PlanServicesInput): ServiceStep[] {
  if (!removeUndeclared) return [];
  const declared = new Set(desired.services.map((s) => s.op.name));
  return docker.containers.flatMap((c): ServiceStep[] => {
    if (
      c.project !== desired.project ||
      c.labels[LABELS.managed] !== 'true' ||
      c.service === undefined ||
      declared.has(c.service)
    )
      return [];
    const phase = c.labels[LABELS.phase] === 'infra' ? 'infra' : 'apps';
    const gate = { oneShot: false, timeoutSec: 0, settleSec: 0, healthcheck: false };
    return [
      {
        kind: 'service',
        action: 'remove',
        role: c.labels[LABELS.role] ?? 'compose',
        service: c.service,
        container: c.name,
        phase,
        reasons: ['no longer declared'],
        why: 'no longer declared',
        fingerprint: '',
        gate,
      },
    ];
  });
}

export function findContainer(
  all: readonly ContainerState[],
  project: string,
  service: string,
  name: string,
): ContainerState | undefined {
  return all.find((c) => c.name === name) ?? all.find((c) => c.project === project && c.service === service);
}
