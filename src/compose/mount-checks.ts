// Pure checks of a service against the files its roles manage under its bind mounts: a reload that a single-file mount
// would defeat (docs/lessons.md §10.2), and a file the container's user cannot read (§10.16, PermissionError at start).
import path from 'node:path';
import type { DirOp, FileOp, ServiceOp } from '../core/desired/op.js';

/** The managed paths of a host that can sit under a bind mount (files with their content, directories). */
export type ManagedPath =
  | Pick<FileOp, 'kind' | 'path' | 'mode' | 'owner' | 'group'>
  | Pick<DirOp, 'kind' | 'path' | 'mode' | 'owner' | 'group'>;

const under = (p: string, dir: string): boolean => p === dir || p.startsWith(`${dir.replace(/\/+$/, '')}/`);

/** Every problem of `op` with the managed paths of its host, as messages about the service. */
export function mountFindings(op: ServiceOp, managed: readonly ManagedPath[]): string[] {
  return [...singleFileReloads(op, managed), ...unreadable(op, managed)];
}

/**
 * A reload declared over a single-file bind mount: rig replaces a file by renaming a new one over it, and a container
 * that mounted the file keeps the old inode, so the reload would load the old content and report success.
 */
function singleFileReloads(op: ServiceOp, managed: readonly ManagedPath[]): string[] {
  const reload = op.reload;
  if (!reload) return [];
  return op.spec.mounts.flatMap((m) => {
    if (m.type !== 'bind' || !managed.some((f) => f.kind === 'file' && f.path === m.source)) return [];
    if (!reload.paths.some((p) => under(m.source, p))) return [];
    return [
      `service ${op.name}: reloads in place when ${m.source} changes, but it is bind-mounted as a single file (at ${m.target}): rig replaces the file (a new inode, renamed over it) and the container keeps the old one, so \`${reload.command.join(' ')}\` would read the old content (docs/lessons.md §10.2); mount its directory ${path.posix.dirname(m.source)} instead`,
    ];
  });
}

type Access = 'yes' | 'no' | 'unknown';

/** A numeric id, `root` as 0, or undefined when only a name is known (the container's /etc/passwd decides). */
function idOf(name: string | undefined): number | undefined {
  if (name === undefined) return undefined;
  if (name === 'root') return 0;
  return /^\d+$/.test(name) ? Number(name) : undefined;
}

/** The container's user as far as the definition says: uid, primary gid (when given) and the added groups. */
function userOf(op: ServiceOp): { uid: number; gids: number[]; shown: string } | undefined {
  const [u = '', g] = (op.spec.user ?? '').split(':');
  const uid = idOf(u);
  if (uid === undefined) return undefined;
  const gids = [idOf(g), ...op.spec.groupAdd.map((x) => (typeof x === 'number' ? x : idOf(x)))].filter(
    (x): x is number => x !== undefined,
  );
  return { uid, gids, shown: op.spec.user ?? '' };
}

/** Whether `user` has permission `bit` (4 read, 1 search) on a path, from what the op says of its mode and owner. */
function access(p: ManagedPath, user: { uid: number; gids: number[] }, bit: number, root: boolean): Access {
  if (root) return 'yes';
  if (p.mode === undefined) return 'unknown';
  const [owner, group] = [idOf(p.owner), idOf(p.group)];
  // the classes the user may fall in: owner decided by uid, then group by gid, else others
  const classes =
    owner === user.uid
      ? ['u']
      : owner === undefined
        ? ['u', 'g', 'o']
        : group === undefined
          ? ['g', 'o']
          : user.gids.includes(group)
            ? ['g']
            : ['o'];
  const has = (c: string): boolean => ((p.mode! >> (c === 'u' ? 6 : c === 'g' ? 3 : 0)) & bit ? true : false);
  if (classes.every(has)) return 'yes';
  return classes.some(has) ? 'unknown' : 'no';
}

/** Root reads anything, unless the definition drops the capabilities that let it (DAC_OVERRIDE, DAC_READ_SEARCH). */
function rootBypasses(op: ServiceOp): boolean {
  const dropped = (cap: string): boolean =>
    op.spec.capDrop.some((c) => c.toUpperCase() === 'ALL' || c.toUpperCase() === cap) &&
    !op.spec.capAdd.some((c) => c.toUpperCase() === cap);
  return !(dropped('DAC_OVERRIDE') && dropped('DAC_READ_SEARCH'));
}

/**
 * Managed files under a bind mount the container's user could not read (or whose managed parent directories it could
 * not enter). Only services whose `user` is numeric (or root) are judged: without one the image's user applies, which
 * the plan does not know; a path without mode, or owned by a name, is judged only when every reading agrees.
 */
function unreadable(op: ServiceOp, managed: readonly ManagedPath[]): string[] {
  const user = userOf(op);
  if (user === undefined) return [];
  const root = user.uid === 0 && rootBypasses(op);
  return op.spec.mounts.flatMap((m) => {
    if (m.type !== 'bind') return [];
    return managed
      .filter((f) => f.kind === 'file' && under(f.path, m.source))
      .flatMap((f) => {
        const dirs = managed.filter(
          (d) => d.kind === 'dir' && under(d.path, m.source) && under(f.path, d.path) && d.path !== f.path,
        );
        const blocked = dirs.find((d) => access(d, user, 1, root) === 'no');
        const attrs = (p: ManagedPath): string =>
          `${p.mode === undefined ? 'mode kept' : `0${p.mode.toString(8)}`} owned by ${p.owner ?? '(the deploying user)'}:${p.group ?? '(its group)'}`;
        const inside = `${f.path} (mounted at ${path.posix.join(m.target, path.posix.relative(m.source, f.path))})`;
        if (blocked)
          return [
            `service ${op.name}: runs as ${user.shown}, which cannot enter ${blocked.path} (${attrs(blocked)}), so it cannot read ${inside} (docs/lessons.md §10.16: PermissionError at start); make the service's user own it or give its group or others the x bit`,
          ];
        if (access(f, user, 4, root) !== 'no') return [];
        return [
          `service ${op.name}: runs as ${user.shown}, which cannot read ${inside}: it is ${attrs(f)} (docs/lessons.md §10.16: PermissionError at start); make the service's user own it or give its group or others read access`,
        ];
      });
  });
}
