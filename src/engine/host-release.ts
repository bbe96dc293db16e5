// Releases around a host run: which release a rollback re-applies, the ops for it, and recording one after a good
// apply.
import { randomBytes } from 'node:crypto';
import { UserError } from '../core/errors/errors.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import { COMPOSE_ROLE } from '../compose/compose-desired.js';
import type { DirWrite, FileWrite } from '../apply/apply-files.js';
import type { GateResult } from '../apply/health-gate.js';
import { canonicalJson } from '../compose/service-inputs.js';
import { sha256Hex } from '../core/digest.js';
import type { ContainerState } from '../facts/containers/container-state.js';
import { dockerStateFact, type DockerState } from '../facts/containers/docker-state.js';
import type { PathState } from '../facts/files/file-state.js';
import { execHost, gather } from '../facts/gather.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import type { HostPlan } from '../core/plan-data/plan-types.js';
import { buildRelease, releaseOps } from '../release/release-build.js';
import { newReleaseId, type Release } from '../release/release-schema.js';
import {
  blobPath,
  currentRelease,
  currentReleaseCmd,
  fetchBlobs,
  listReleases,
  parseReleaseList,
  releaseDirs,
} from '../release/release-store.js';
import type { RunContext } from './run-context.js';

/**
 * The release `rig rollback` re-applies: `to` (the scope's choice, or `--to`), else the one before the current one.
 * With `expectCurrent`, the current release must still be the one the rollback was decided on.
 */
export async function pickRollbackTarget(
  t: Transport,
  stack: StackConfig,
  want: { to?: string; expectCurrent?: string },
  become: boolean,
): Promise<Release> {
  const { current, releases } = await listReleases(t, stack.stateDir, become);
  if (releases.length === 0)
    throw new UserError(`${t.host}: no releases in ${stack.stateDir}/releases: nothing to roll back to`);
  if (want.expectCurrent !== undefined && current !== want.expectCurrent) {
    throw new UserError(
      `${t.host}: its current release is now ${current ?? 'none'}, not ${want.expectCurrent} (another deploy since?); nothing was changed: run rig rollback again`,
    );
  }
  if (want.to !== undefined) {
    const found = releases.find((r) => r.id === want.to);
    if (!found) throw new UserError(`${t.host}: no release ${want.to}; kept: ${releases.map((r) => r.id).join(', ')}`);
    return found;
  }
  const at = releases.findIndex((r) => r.id === current);
  const previous = releases[at < 0 ? 1 : at + 1];
  if (!previous)
    throw new UserError(
      `${t.host}: only release ${releases[0]?.id} is kept (the current one): nothing earlier to roll back to`,
    );
  return previous;
}

/**
 * The ops of `release` for this host: blobs fetched (1 exec), images checked (1 exec) so moved tags pin the old image
 * id.
 */
export async function opsOfRelease(
  t: Transport,
  release: Release,
  stack: StackConfig,
  become: boolean,
): Promise<RoleOps[]> {
  const blobs = await fetchBlobs(
    t,
    stack.stateDir,
    release.files.map((f) => f.sha256),
    become,
  );
  const refs = [...new Set(release.services.map((s) => s.requested))];
  const query = { project: stack.project, images: refs, networks: [] };
  // a fact, read under the facts deadline (a rollback after a gate that failed because docker hangs reaches here)
  const { docker } = await gather(execHost(t, become), {
    docker: refs.length === 0 ? undefined : dockerStateFact(query),
  });
  return releaseOps(release, blobs, (ref) => docker?.images.get(ref)?.id);
}

/**
 * Under `--role`: the roles the run does not select as the host's current release deployed them, in place of the
 * repository's (its record read, 1 exec; then as opsOfRelease, 2 more). A deploy of some roles writes compose files
 * that hold every service of the host: the others are written as they run, not as the repository has them now (a
 * later `docker compose up` by hand would apply what nobody deployed), their images are not pulled and their new
 * files not expected. What the selected roles declare (a service, a path, a network) wins over the release's. Unchanged
 * when every role is selected or the host has no release yet (then the repository's, as before).
 */
export async function othersAsDeployed(
  t: Transport,
  roleOps: readonly RoleOps[],
  stack: StackConfig,
  become: boolean,
): Promise<readonly RoleOps[]> {
  if (roleOps.every((r) => r.selected)) return roleOps;
  const list = parseReleaseList((await run(t, currentReleaseCmd(stack.stateDir), { become })).stdout);
  const release = currentRelease(list);
  if (!release) return roleOps;
  const chosen = roleOps.filter((r) => r.selected);
  const ops = chosen.flatMap((r) => r.ops);
  const roles = new Set(chosen.map((r) => r.role));
  const named = (kind: 'service' | 'network'): Set<string> =>
    new Set(ops.flatMap((o) => (o.kind === kind ? [o.name] : [])));
  const [services, networks] = [named('service'), named('network')];
  const paths = new Set(ops.flatMap((o) => ('path' in o ? [o.path] : [])));
  const others: Release = {
    ...release,
    dirs: release.dirs.filter((d) => !roles.has(d.role) && !paths.has(d.path)),
    files: release.files.filter((f) => !roles.has(f.role) && !paths.has(f.path)),
    networks: release.networks.filter((n) => !roles.has(n.role) && !networks.has(n.name)),
    services: release.services.filter((s) => !roles.has(s.role) && !services.has(s.name)),
  };
  const deployed = new Map((await opsOfRelease(t, others, stack, become)).map((r) => [r.role, r.ops]));
  // in the repository's order of roles (the compose files list services in it), then roles only the release has
  const inPlace = roleOps.map((r) => (r.selected ? r : { ...r, ops: deployed.get(r.role) ?? [] }));
  const gone = [...deployed].filter(([role]) => !roleOps.some((r) => r.role === role));
  return [...inPlace, ...gone.map(([role, ops]) => ({ role, ops, selected: false }))];
}

/** The paths whose state the plan's facts must include for a release: the blobs of the host's files, and their dirs. */
export function blobPathsOf(roleOps: readonly RoleOps[], stack: StackConfig): string[] {
  const dirs = releaseDirs(stack.stateDir);
  const blobs = roleOps
    .filter((r) => r.selected && r.role !== COMPOSE_ROLE)
    .flatMap((r) => r.ops.flatMap((o) => (o.kind === 'file' ? [blobPath(stack.stateDir, sha256Hex(o.content))] : [])));
  return [stack.stateDir, dirs.root, dirs.blobs, ...blobs];
}

/**
 * The release blobs the host lacks, uploaded with the deploy's own files (same transfer, same commit exec): the
 * release record itself is written only after the health gate, in the run's last exec.
 */
export function releaseBlobWrites(
  roleOps: readonly RoleOps[],
  stack: StackConfig,
  facts: ReadonlyMap<string, PathState>,
): { files: FileWrite[]; dirs: DirWrite[] } {
  const dirs = releaseDirs(stack.stateDir);
  const missingDirs = [stack.stateDir, dirs.root, dirs.blobs]
    .filter((d) => facts.get(d)?.kind !== 'dir')
    .map((d) => ({ path: d, create: true, mode: 0o700 }));
  const files = new Map<string, FileWrite>();
  for (const r of roleOps.filter((x) => x.selected))
    for (const op of r.ops) {
      if (op.kind !== 'file') continue;
      const content = typeof op.content === 'string' ? Buffer.from(op.content, 'utf8') : Buffer.from(op.content);
      const sha = sha256Hex(content);
      // a compose file's blob (for drift) is written with the file itself: its blob's state is not among the facts
      if (r.role === COMPOSE_ROLE && !changedOnHost(facts.get(op.path), sha)) continue;
      const path = blobPath(stack.stateDir, sha);
      if (facts.get(path)?.kind !== 'file') files.set(path, { path, content, contentChanged: true, mode: 0o600 });
    }
  return { files: [...files.values()], dirs: missingDirs };
}

function changedOnHost(fact: PathState | undefined, sha256: string): boolean {
  return fact?.kind !== 'file' || fact.sha256 !== sha256;
}

/**
 * The release after a good apply (no I/O): image ids from the health gate, or from the plan's facts for untouched
 * services.
 */
export function hostRelease(input: {
  stack: StackConfig;
  roleOps: readonly RoleOps[];
  plan: HostPlan;
  previous: Release | undefined;
  /** The id the host's `current` named when planned: the new id sorts after it (newReleaseId). */
  after?: string | undefined;
  run: RunContext;
  host: string;
  gate: readonly GateResult[];
  docker: DockerState | undefined;
  from?: string;
}): Release {
  const { stack, run: ctx } = input;
  const fingerprints = new Map(
    input.plan.steps.flatMap((st) => (st.kind === 'service' ? [[st.container, st.fingerprint] as const] : [])),
  );
  const fresh = (c: ContainerState, g: GateResult | undefined): ContainerState =>
    g?.image ? { ...c, image: g.image, labels: { ...c.labels, 'rig.fingerprint': fingerprints.get(c.name) ?? '' } } : c;
  const running = (input.docker?.containers ?? []).map((c) =>
    fresh(
      c,
      input.gate.find((x) => x.container === c.name),
    ),
  );
  for (const g of input.gate)
    if (g.image && !running.some((c) => c.name === g.container)) running.push(fresh(gateContainer(g), g));
  const meta = {
    id: newReleaseId(new Date(), randomBytes(2).toString('hex'), input.after),
    createdAt: new Date().toISOString(),
    env: ctx.env,
    host: input.host,
    user: ctx.user,
    workstation: ctx.workstation,
    git: ctx.git,
    planHash: sha256Hex(canonicalJson(input.plan.steps)),
    kind: input.from === undefined ? ('deploy' as const) : ('rollback' as const),
    ...(input.from !== undefined ? { from: input.from } : {}),
    deployId: ctx.runId,
  };
  const removed = new Set(
    input.plan.steps.flatMap((st) => (st.kind === 'service' && st.action === 'remove' ? [st.service] : [])),
  );
  return buildRelease(meta, stack, input.roleOps, input.previous, running, removed).release;
}

/** A container known only from the gate (created by this run): what the release needs of it. */
function gateContainer(g: GateResult): ContainerState {
  return {
    id: '',
    name: g.container,
    image: g.image ?? '',
    labels: {},
    status: 'running',
    running: true,
    exitCode: 0,
    startedAt: '',
    restartCount: 0,
  };
}
