// From a host's role ops to its compose desired state: services with fingerprints, networks, the rendered phase files.
import type { Diagnostic } from '../core/errors/diagnostic.js';
import { sha256Hex } from '../core/digest.js';
import type { FileOp, NetworkOp, ServiceOp } from '../core/desired/op.js';
import type { Redactor } from '../core/redact/redactor.js';
import { containerName, DOCKER_SOCKET_GROUP, networkName, PHASES, type Phase } from '../core/desired/service.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import type { ComposeFlavor } from '../facts/containers/compose-detect.js';
import { composeFilePath, renderComposeFile } from './render-compose.js';
import { fingerprintOf, inputsLabel, serviceInputs, type ServiceInputs } from './service-inputs.js';

/**
 * The pseudo-role of the rendered compose files in plans (they derive from the services: releases do not keep them).
 */
export const COMPOSE_ROLE = 'compose';

/** Labels rig sets on every service it deploys. */
export const LABELS = {
  managed: 'rig.managed',
  fingerprint: 'rig.fingerprint',
  inputs: 'rig.inputs',
  image: 'rig.image',
  role: 'rig.role',
  phase: 'rig.phase',
} as const;

/** One service as the host should run it. */
export interface DesiredService {
  readonly role: string;
  readonly selected: boolean;
  readonly op: ServiceOp;
  readonly container: string;
  readonly inputs: ServiceInputs;
  readonly fingerprint: string;
}

/** One network of the project. */
export interface DesiredNetwork {
  readonly role: string;
  readonly op: NetworkOp;
  /** Docker name, `<project>_<name>`. */
  readonly name: string;
}

/** The compose desired state of one host. */
export interface ComposeDesired {
  readonly project: string;
  readonly projectDir: string;
  /** rig's state dir on the host (reload records live there). */
  readonly stateDir: string;
  readonly services: readonly DesiredService[];
  readonly networks: readonly DesiredNetwork[];
  /** The rendered compose file of each phase with services (planned as file writes of COMPOSE_ROLE). */
  readonly files: readonly FileOp[];
  readonly problems: readonly Diagnostic[];
}

/** Env files the services read that no role writes: their digests must come from the host's facts. */
export function unmanagedEnvFiles(roleOps: readonly RoleOps[]): string[] {
  const managed = new Set(roleOps.flatMap((r) => r.ops.flatMap((o) => (o.kind === 'file' ? [o.path] : []))));
  const env = roleOps.flatMap((r) => r.ops.flatMap((o) => (o.kind === 'service' ? o.spec.envFiles : [])));
  return [...new Set(env.filter((p) => !managed.has(p)))];
}

/**
 * Builds the desired services, networks and compose files (in the format `flavor` reads without a warning: see
 * renderComposeFile); problems are reported, never thrown.
 */
export function composeDesired(
  host: string,
  stack: StackConfig,
  roleOps: readonly RoleOps[],
  onHost: (path: string) => string | undefined,
  redactor: Redactor,
  socketGid?: number,
  flavor?: ComposeFlavor,
): ComposeDesired {
  const problems: Diagnostic[] = [];
  const managed = new Map(
    roleOps.flatMap((r) => r.ops.flatMap((o) => (o.kind === 'file' ? [[o.path, sha256Hex(o.content)] as const] : []))),
  );
  const networks = desiredNetworks(host, stack, roleOps, problems);
  const known = new Set(networks.map((n) => n.op.name));
  const services: DesiredService[] = [];
  for (const r of roleOps) {
    for (const op of r.ops) {
      if (op.kind !== 'service') continue;
      const resolved = withSocketGroup(op, socketGid, host, problems);
      checkService(host, resolved, services, known, managed, onHost, redactor, problems);
      const inputs = serviceInputs(resolved.spec, { managed, onHost });
      services.push({
        role: r.role,
        selected: r.selected,
        op: resolved,
        container: containerName(stack.project, op.name),
        inputs,
        fingerprint: fingerprintOf(inputs),
      });
    }
  }
  const files = PHASES.flatMap((phase) => phaseFile(stack, phase, services, flavor));
  return {
    project: stack.project,
    projectDir: stack.projectDir,
    stateDir: stack.stateDir,
    services,
    networks,
    files,
    problems,
  };
}

/** Replaces DOCKER_SOCKET_GROUP in `groupAdd` by the host's socket group id (a problem when the host has no socket). */
function withSocketGroup(op: ServiceOp, gid: number | undefined, host: string, problems: Diagnostic[]): ServiceOp {
  if (!op.spec.groupAdd.includes(DOCKER_SOCKET_GROUP)) return op;
  if (gid === undefined) {
    problems.push({
      severity: 'error',
      message: `service ${op.name}: groupAdd asks for the docker socket's group, but the host has no /var/run/docker.sock`,
      loc: op.origin,
      hosts: [host],
    });
    return op;
  }
  return { ...op, spec: { ...op.spec, groupAdd: op.spec.groupAdd.map((g) => (g === DOCKER_SOCKET_GROUP ? gid : g)) } };
}

function phaseFile(
  stack: StackConfig,
  phase: Phase,
  services: readonly DesiredService[],
  flavor: ComposeFlavor | undefined,
): FileOp[] {
  const mine = services.filter((s) => s.op.phase === phase);
  if (mine.length === 0) return [];
  const text = renderComposeFile(
    stack.project,
    phase,
    mine.map((s) => ({
      name: s.op.name,
      spec: s.op.spec,
      labels: {
        [LABELS.managed]: 'true',
        [LABELS.role]: s.role,
        [LABELS.phase]: phase,
        [LABELS.image]: s.op.spec.image,
        [LABELS.fingerprint]: s.fingerprint,
        [LABELS.inputs]: inputsLabel(s.inputs),
      },
    })),
    flavor,
  );
  return [
    {
      kind: 'file',
      path: composeFilePath(stack.projectDir, phase),
      content: text,
      sensitive: false,
      from: undefined,
      origin: undefined,
      notify: [],
      mode: 0o644,
    },
  ];
}

function desiredNetworks(
  host: string,
  stack: StackConfig,
  roleOps: readonly RoleOps[],
  problems: Diagnostic[],
): DesiredNetwork[] {
  const out = new Map<string, DesiredNetwork>();
  for (const r of roleOps) {
    for (const op of r.ops) {
      if (op.kind !== 'network') continue;
      const prev = out.get(op.name);
      if (prev && (prev.op.internal !== op.internal || prev.op.external !== op.external)) {
        problems.push({
          severity: 'error',
          message: `network ${op.name} is declared twice with different settings (role ${prev.role} and role ${r.role})`,
          loc: op.origin,
          hosts: [host],
        });
      }
      if (!prev) out.set(op.name, { role: r.role, op, name: networkName(stack.project, op.name) });
    }
  }
  return [...out.values()];
}

/** Where a secret value sits in a service definition (`environment API_KEY`, `command[2]`, `labels x`). */
function secretFields(spec: ServiceOp['spec'], redactor: Redactor): string[] {
  const out: string[] = [];
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'string' && redactor.touches(v)) out.push(at);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v)) walk(x, at === '' ? k : `${at} ${k}`);
  };
  walk(spec, '');
  return out;
}

function checkService(
  host: string,
  op: ServiceOp,
  earlier: readonly DesiredService[],
  networks: ReadonlySet<string>,
  managed: ReadonlyMap<string, string>,
  onHost: (path: string) => string | undefined,
  redactor: Redactor,
  problems: Diagnostic[],
): void {
  const err = (message: string): void =>
    void problems.push({ severity: 'error', message: `service ${op.name}: ${message}`, loc: op.origin, hosts: [host] });
  const twin = earlier.find((s) => s.op.name === op.name);
  if (twin) err(`declared twice (also by role ${twin.role})`);
  for (const n of op.spec.networks)
    if (!networks.has(n))
      err(`network "${n}" is not declared by any role of this host (declare it with network("${n}"))`);
  for (const field of secretFields(op.spec, redactor))
    err(
      `${field} holds a secret; put it in an env file (mode 0600) instead, so compose files and plans stay free of secrets`,
    );
  for (const p of op.spec.envFiles)
    if (!managed.has(p) && onHost(p) === undefined) err(`env file ${p} is missing on the host and no role writes it`);
}
