// Deploys run digests: each service's `repo:tag` becomes `repo:tag@sha256:…` from the env's lock; a pinned env refuses
// the rest.
import { DiagnosticsError, type Diagnostic } from '../core/errors/diagnostic.js';
import type { ServiceOp } from '../core/desired/op.js';
import type { RoleOps } from '../config/roles/render-roles.js';
import { pinnedDigest } from '../compose/service-inputs.js';
import type { EnvImage } from './env-images.js';
import type { LockFile } from './lockfile.js';

/**
 * The rendered ops with every locked image reference replaced by its digest form. With `pinned` (env.yml), an image
 * not in the lock (new, or its tag changed in versions.yml since the last pin) is an error listing all of them and the
 * command that fixes it; without it such images run by tag.
 */
export function applyPins(
  rendered: ReadonlyMap<string, RoleOps[]>,
  images: readonly EnvImage[],
  lock: LockFile | undefined,
  opts: { env: string; pinned: boolean; lockFile: string },
): Map<string, RoleOps[]> {
  const digests = new Map((lock?.images ?? []).map((e) => [e.ref, e.digest]));
  if (opts.pinned) {
    const missing = images.filter((i) => pinnedDigest(i.ref) === undefined && !digests.has(i.ref));
    if (missing.length > 0) throw new DiagnosticsError(missing.map((i) => unpinned(i, opts)));
  }
  const pin = (op: ServiceOp): ServiceOp => {
    const digest = digests.get(op.spec.image);
    return digest === undefined || pinnedDigest(op.spec.image) !== undefined
      ? op
      : { ...op, spec: { ...op.spec, image: `${op.spec.image}@${digest}` } };
  };
  return new Map(
    [...rendered].map(([host, roles]) => [
      host,
      roles.map((r) => ({ ...r, ops: r.ops.map((o) => (o.kind === 'service' ? pin(o) : o)) })),
    ]),
  );
}

function unpinned(i: EnvImage, opts: { env: string; lockFile: string }): Diagnostic {
  const where = `service${i.services.length > 1 ? 's' : ''} ${i.services.join(', ')}`;
  return {
    severity: 'error',
    message: `image ${i.ref} (${where}) is not in ${opts.lockFile}: environment ${opts.env} deploys pinned digests only; run make pin ENV=${opts.env}`,
    loc: i.loc,
    hosts: i.hosts,
  };
}
