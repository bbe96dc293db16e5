// Which hosts a run touches and which roles each runs: playbook plays, narrowed by --limit and --role.
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import { didYouMean } from '../../core/suggest.js';
import type { Inventory } from './inventory.js';
import type { Play, Playbook } from '../playbook.js';

/** Hosts matched by a name: a host, or every host of a group and its descendants. Undefined if neither. */
export function hostsMatching(inv: Inventory, name: string): Set<string> | undefined {
  if (inv.tree.hosts.has(name)) return new Set([name]);
  const group = inv.tree.groups.get(name);
  if (!group) return undefined;
  const out = new Set<string>();
  const stack = [name];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const g = inv.tree.groups.get(stack.pop() as string);
    if (!g || seen.has(g.name)) continue;
    seen.add(g.name);
    g.hosts.forEach((h) => out.add(h));
    stack.push(...g.children);
  }
  return out;
}

/** Hosts of a play, in inventory order: its names united, then `!name` entries removed. Unknown names are skipped. */
export function hostsOfPlay(inv: Inventory, play: Play): string[] {
  const picked = new Set<string>();
  for (const n of play.hosts.filter((h) => !h.startsWith('!'))) hostsMatching(inv, n)?.forEach((h) => picked.add(h));
  for (const n of play.hosts.filter((h) => h.startsWith('!')))
    hostsMatching(inv, n.slice(1))?.forEach((h) => picked.delete(h));
  return [...inv.tree.hosts.keys()].filter((h) => picked.has(h));
}

/** host → its roles in playbook order, for the hosts selected by the playbook, `limit` and `roles`. */
export function selectHosts(
  inv: Inventory,
  playbook: Playbook,
  limit: readonly string[] | undefined,
  roles: readonly string[] | undefined,
  diagnostics: Diagnostics,
  allHosts = false,
): Map<string, string[]> {
  const names = [...inv.tree.hosts.keys(), ...inv.tree.groups.keys()];
  for (const play of playbook.plays) {
    for (const h of play.hosts) {
      const n = h.replace(/^!/, '');
      if (!hostsMatching(inv, n))
        diagnostics.warning(
          `play "${play.name}": no host or group "${n}" in environment ${inv.env}${didYouMean(n, names)}`,
          play.loc,
        );
    }
  }
  const limited = limit && limit.length > 0 ? limitSet(inv, limit, names, diagnostics) : undefined;
  const allRoles = new Set(playbook.plays.flatMap((p) => p.roles.map((r) => r.name)));
  for (const r of roles ?? [])
    if (!allRoles.has(r)) diagnostics.error(`--role ${r}: no play runs role "${r}"${didYouMean(r, allRoles)}`);
  const out = new Map<string, string[]>();
  for (const play of playbook.plays) {
    for (const host of hostsOfPlay(inv, play)) {
      if (limited && !limited.has(host)) continue;
      const wanted = play.roles.map((r) => r.name).filter((r) => !roles || roles.length === 0 || roles.includes(r));
      if (wanted.length === 0) continue;
      const list = out.get(host) ?? [];
      for (const r of wanted) if (!list.includes(r)) list.push(r);
      out.set(host, list);
    }
  }
  if (!allHosts) return out;
  const everyHost = new Map<string, string[]>();
  for (const host of inv.tree.hosts.keys()) if (!limited || limited.has(host)) everyHost.set(host, out.get(host) ?? []);
  return everyHost;
}

function limitSet(inv: Inventory, limit: readonly string[], names: string[], diagnostics: Diagnostics): Set<string> {
  const out = new Set<string>();
  for (const n of limit
    .flatMap((l) => l.split(','))
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = hostsMatching(inv, n);
    if (!m) diagnostics.error(`--limit ${n}: no host or group "${n}" in environment ${inv.env}${didYouMean(n, names)}`);
    else m.forEach((h) => out.add(h));
  }
  return out;
}
