// Hand-made role ops, desired state and docker facts for the pure compose tests (no docker, no ssh).
import {
  composeDesired,
  LABELS,
  type ComposeDesired,
  type DesiredService,
} from '../../../src/compose/compose-desired.js';
import { inputsLabel } from '../../../src/compose/service-inputs.js';
import type { FileOp, NetworkOp, Op, ServiceOp } from '../../../src/core/desired/op.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import {
  healthGateSchema,
  serviceSpecSchema,
  type HealthGateInput,
  type Phase,
  type ServiceSpecInput,
} from '../../../src/core/desired/service.js';
import type { RoleOps } from '../../../src/config/roles/render-roles.js';
import type { StackConfig } from '../../../src/config/vars/stack-vars.js';
import type {
  ContainerState,
  DockerState,
  ImageState,
  NetworkState,
} from '../../../src/facts/containers/docker-state.js';
import type { ContainerLimits } from '../../../src/facts/containers/container-state.js';

export const STACK: StackConfig = {
  project: 'shop',
  projectDir: '/srv/shop',
  stateDir: '/srv/shop/.rig',
  releasesKeep: 3,
  lockLeaseSec: 90,
};
export const ORIGIN = { file: 'roles/web/role.ts', line: 7, col: 3 };
export const ID_A = `sha256:${'a'.repeat(64)}`;
export const ID_B = `sha256:${'b'.repeat(64)}`;

/** docker's HostConfig of a container compose created from a spec with no limits and `restart: unless-stopped`. */
export const NO_LIMITS: ContainerLimits = {
  restart: 'unless-stopped',
  restartRetries: 0,
  memory: 0,
  memoryReservation: 0,
  nanoCpus: 0,
  cpuQuota: 0,
  pidsLimit: null,
};

export function svc(
  name: string,
  spec: ServiceSpecInput,
  opts: { phase?: Phase; gate?: HealthGateInput } = {},
): ServiceOp {
  return {
    kind: 'service',
    name,
    phase: opts.phase ?? 'apps',
    spec: serviceSpecSchema.parse(spec),
    gate: healthGateSchema.parse(opts.gate ?? {}),
    origin: ORIGIN,
  };
}

export function net(name: string, opts: { internal?: boolean; external?: boolean } = {}): NetworkOp {
  return { kind: 'network', name, internal: opts.internal === true, external: opts.external === true, origin: ORIGIN };
}

export function file(path: string, content: string): FileOp {
  return { kind: 'file', path, content, sensitive: false, from: undefined, origin: ORIGIN, notify: [], mode: 0o644 };
}

export function role(name: string, ops: Op[], selected = true): RoleOps {
  return { role: name, ops, selected };
}

/** The desired state of host `h`; `onHost` gives digests of files rig does not manage. */
export function desiredOf(
  roleOps: readonly RoleOps[],
  onHost: (path: string) => string | undefined = () => undefined,
  redactor = new Redactor(),
  socketGid?: number,
): ComposeDesired {
  return composeDesired('h', STACK, roleOps, onHost, redactor, socketGid);
}

/** The container as rig deployed `s` last time: the labels of its compose file, running `image`. */
export function deployed(s: DesiredService, over: Partial<ContainerState> = {}): ContainerState {
  return {
    id: 'f'.repeat(64),
    name: s.container,
    image: ID_A,
    labels: {
      'com.docker.compose.project': STACK.project,
      'com.docker.compose.service': s.op.name,
      [LABELS.managed]: 'true',
      [LABELS.role]: s.role,
      [LABELS.phase]: s.op.phase,
      [LABELS.image]: s.op.spec.image,
      [LABELS.fingerprint]: s.fingerprint,
      [LABELS.inputs]: inputsLabel(s.inputs),
    },
    project: STACK.project,
    service: s.op.name,
    status: 'running',
    running: true,
    exitCode: 0,
    startedAt: '2026-01-01T00:00:00.000000000Z',
    restartCount: 0,
    ...over,
  };
}

export function dockerState(parts: {
  containers?: ContainerState[];
  nameHolders?: ContainerState[];
  images?: Record<string, ImageState | undefined>;
  networks?: Record<string, NetworkState | undefined>;
  compose?: DockerState['compose'] | null;
  engine?: DockerState['engine'];
  userPlugin?: DockerState['userPlugin'];
}): DockerState {
  return {
    compose: parts.compose === null ? undefined : (parts.compose ?? { flavor: 'v2', version: '2.29.1', cli: 'plugin' }),
    ...(parts.engine ? { engine: parts.engine } : {}),
    ...(parts.userPlugin ? { userPlugin: parts.userPlugin } : {}),
    containers: parts.containers ?? [],
    nameHolders: parts.nameHolders ?? [],
    images: new Map(Object.entries(parts.images ?? {})),
    networks: new Map(Object.entries(parts.networks ?? {})),
    socketGid: 999,
  };
}

export function image(id: string): ImageState {
  return { id, repoDigests: [] };
}

export function network(name: string, internal = false): NetworkState {
  return { name, internal, labels: {} };
}
