// What `rig rollback` undoes: the last deploy (or rollback), on the hosts it changed and only there, each back to the
// release it had before. Pure: decided from every selected host's release list.
import type { Release } from './release-schema.js';
import { currentRelease, type ReleaseList } from './release-store.js';

/** One host's part of the rollback. */
export type HostRollback =
  | { readonly kind: 'rollback'; readonly to: string; readonly current: string }
  | { readonly kind: 'untouched'; readonly why: string }
  | { readonly kind: 'error'; readonly why: string };

/** The run being undone and each host's part. */
export interface RollbackScope {
  /** The deploy undone (a release id for releases of earlier rig versions, which carry no deploy id). */
  readonly undoes: string | undefined;
  readonly hosts: ReadonlyMap<string, HostRollback>;
}

/**
 * The last deploy is the one that made the newest current release among the hosts; every host whose current release
 * it made goes back to the release before that one, the others are untouched. A release of an earlier rig (no deploy
 * id) stands for a deploy of its own: such a rollback never reaches beyond that host. Newest by release id (the second
 * in it), then by `createdAt`: an id sorts after the host's current release even when the workstation that made it
 * has a clock behind (newReleaseId), where `createdAt` keeps that clock's time.
 */
export function rollbackScope(lists: ReadonlyMap<string, ReleaseList>): RollbackScope {
  const currents = [...lists].flatMap(([host, l]) => {
    const c = currentRelease(l);
    return c ? [{ host, c }] : [];
  });
  const newest = currents.reduce<{ host: string; c: Release } | undefined>(
    (a, b) => (a === undefined || newer(b.c, a.c) ? b : a),
    undefined,
  );
  const undoes = newest ? runOf(newest.c) : undefined;
  const hosts = new Map<string, HostRollback>();
  for (const [host, l] of lists) {
    const c = currentRelease(l);
    if (!c)
      hosts.set(host, {
        kind: 'untouched',
        why: l.releases.length === 0 ? 'no releases here' : 'no current release here',
      });
    else if (runOf(c) !== undoes)
      hosts.set(host, {
        kind: 'untouched',
        why: `its current release ${c.id} was made by ${describe(c)}, not by the run being undone`,
      });
    else {
      const at = l.releases.findIndex((r) => r.id === c.id);
      const before = l.releases[at + 1];
      hosts.set(
        host,
        before
          ? { kind: 'rollback', to: before.id, current: c.id }
          : {
              kind: 'error',
              why: `only release ${c.id} is kept (made by the run being undone): nothing earlier to roll back to`,
            },
      );
    }
  }
  return { undoes, hosts };
}

/** Whether `b` was made after `a`: the second its id names, then its clock's time. */
function newer(b: Release, a: Release): boolean {
  const [sb, sa] = [b.id.slice(0, 16), a.id.slice(0, 16)];
  return sb !== sa ? sb > sa : Date.parse(b.createdAt) > Date.parse(a.createdAt);
}

function runOf(r: Release): string {
  return r.deployId ?? `release ${r.id}`;
}

function describe(r: Release): string {
  return `${r.kind === 'rollback' ? 'rollback' : 'deploy'} ${r.deployId ?? '(an earlier rig: no deploy id)'} on ${r.createdAt}`;
}
