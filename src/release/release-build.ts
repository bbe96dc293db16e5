// Pure: a release from a deploy's desired state (what ran, with images fixed), and back from a release to ops to
// re-apply.
import { sha256Hex } from '../core/digest.js';
import type { DirOp, FileOp, NetworkOp, Op, ServiceOp } from '../core/desired/op.js';
import { containerName } from '../core/desired/service.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import { COMPOSE_ROLE } from '../compose/compose-desired.js';
import { pinnedDigest } from '../compose/service-inputs.js';
import type { ContainerState } from '../facts/containers/docker-state.js';
import type { Release, ReleaseService } from './release-schema.js';

/** Who, when and from what a release was made. */
export type ReleaseMeta = Pick<
  Release,
  'id' | 'createdAt' | 'env' | 'host' | 'user' | 'workstation' | 'git' | 'planHash' | 'kind'
> & { readonly from?: string; readonly deployId?: string };

/**
 * The release after a successful deploy: the selected roles' files, dirs and services as now deployed; roles that
 * `--role` left out, or that the host no longer has, keep their entries of the previous release (their files and
 * containers were not touched), but for the services this run removed (`removed`, by name: a role taken off the host
 * has its containers removed by a deploy of every role, and a release that kept them would bring them back on a
 * rollback to it).
 */
export function buildRelease(
  meta: ReleaseMeta,
  stack: StackConfig,
  roleOps: readonly RoleOps[],
  prev: Release | undefined,
  running: readonly ContainerState[],
  removed: ReadonlySet<string> = new Set(),
): { release: Release; blobs: Map<string, Buffer> } {
  const selected = new Set(roleOps.filter((r) => r.selected).map((r) => r.role));
  const kept = <T extends { role: string }>(list: readonly T[] | undefined): T[] =>
    (list ?? []).filter((e) => !selected.has(e.role));
  const blobs = new Map<string, Buffer>();
  const files: Release['files'] = kept(prev?.files);
  const dirs: Release['dirs'] = kept(prev?.dirs);
  const services: ReleaseService[] = kept(prev?.services).filter((s) => !removed.has(s.name));
  const networks: Release['networks'] = [];
  for (const r of roleOps.filter((x) => x.role !== COMPOSE_ROLE)) {
    for (const op of r.ops) {
      if (op.kind === 'network' && !networks.some((n) => n.name === op.name))
        networks.push({ role: r.role, name: op.name, internal: op.internal, external: op.external });
      if (!r.selected) continue;
      if (op.kind === 'file') {
        const bytes = typeof op.content === 'string' ? Buffer.from(op.content, 'utf8') : Buffer.from(op.content);
        const sha = sha256Hex(bytes);
        blobs.set(sha, bytes);
        files.push({ role: r.role, path: op.path, sha256: sha, sensitive: op.sensitive, ...attrsOf(op) });
      } else if (op.kind === 'dir') dirs.push({ role: r.role, path: op.path, ...attrsOf(op) });
      else if (op.kind === 'service') services.push(releaseService(r.role, op, stack, running));
    }
  }
  const composeFiles = roleOps
    .filter((r) => r.role === COMPOSE_ROLE)
    .flatMap((r) => r.ops.flatMap((o) => (o.kind === 'file' ? [{ path: o.path, sha256: sha256Hex(o.content) }] : [])));
  const release: Release = {
    version: 1,
    ...meta,
    project: stack.project,
    projectDir: stack.projectDir,
    files,
    ...(composeFiles.length > 0 ? { composeFiles } : {}),
    dirs,
    services,
    networks,
  };
  return { release, blobs };
}

function releaseService(
  role: string,
  op: ServiceOp,
  stack: StackConfig,
  running: readonly ContainerState[],
): ReleaseService {
  const name = containerName(stack.project, op.name);
  const c = running.find((x) => x.name === name);
  const reload = op.reload ? { reload: { paths: [...op.reload.paths], command: [...op.reload.command] } } : {};
  return {
    role,
    name: op.name,
    phase: op.phase,
    spec: op.spec,
    gate: op.gate,
    ...reload,
    requested: op.spec.image,
    imageId: c?.image ?? '',
    fingerprint: c?.labels['rig.fingerprint'] ?? '',
  };
}

/**
 * The ops that bring a host back to `release`. A service's image is its requested reference when that still
 * names the image that ran (or is a digest pin), else the image id that ran: a moved tag cannot bring back
 * the old image, the id can.
 */
export function releaseOps(
  release: Release,
  blobs: ReadonlyMap<string, Buffer>,
  imageIdOf: (ref: string) => string | undefined,
): RoleOps[] {
  const byRole = new Map<string, Op[]>();
  const add = (role: string, op: Op): void => void byRole.set(role, [...(byRole.get(role) ?? []), op]);
  for (const d of release.dirs)
    add(d.role, { kind: 'dir', path: d.path, origin: undefined, ...attrsOf(d) } satisfies DirOp);
  for (const f of release.files) {
    const content = blobs.get(f.sha256);
    if (content === undefined)
      throw new Error(
        `release ${release.id}: the content of ${f.path} (blob ${f.sha256.slice(0, 12)}) is missing on the host`,
      );
    add(f.role, {
      kind: 'file',
      path: f.path,
      content,
      sensitive: f.sensitive,
      from: undefined,
      origin: undefined,
      notify: [],
      ...attrsOf(f),
    } satisfies FileOp);
  }
  for (const n of release.networks)
    add(n.role, {
      kind: 'network',
      name: n.name,
      internal: n.internal,
      external: n.external,
      origin: undefined,
    } satisfies NetworkOp);
  for (const s of release.services) {
    const image =
      pinnedDigest(s.requested) !== undefined || s.imageId === '' || imageIdOf(s.requested) === s.imageId
        ? s.requested
        : s.imageId;
    const reload = s.reload ? { reload: s.reload } : {};
    add(s.role, {
      kind: 'service',
      name: s.name,
      phase: s.phase,
      spec: { ...s.spec, image },
      gate: s.gate,
      ...reload,
      origin: undefined,
    } satisfies ServiceOp);
  }
  return [...byRole].map(([role, ops]) => ({ role, ops, selected: true }));
}

function attrsOf(a: { mode?: number | undefined; owner?: string | undefined; group?: string | undefined }): {
  mode?: number;
  owner?: string;
  group?: string;
} {
  return {
    ...(a.mode !== undefined ? { mode: a.mode } : {}),
    ...(a.owner !== undefined ? { owner: a.owner } : {}),
    ...(a.group !== undefined ? { group: a.group } : {}),
  };
}
