// Orders a host's variable sources by precedence, lowest first (the README's table, row by row).
import { groupsOfHost, type Group } from '../inventory/group-tree.js';
import type { Inventory } from '../inventory/inventory.js';
import type { VarEntry } from './var-entry.js';

/**
 * Groups in Ansible's order: by depth (parents before children), then `ansible_group_priority`, then name.
 * `all` comes first.
 */
export function sortedGroupsOfHost(inv: Inventory, host: string): Group[] {
  const groups = [...groupsOfHost(inv.tree, host)]
    .map((n) => inv.tree.groups.get(n))
    .filter((g): g is Group => g !== undefined);
  const priority = (g: Group): number => {
    const entries = [...g.vars, ...(inv.groupVars.get(g.name) ?? [])];
    const p = entries.filter((e) => e.name === 'ansible_group_priority').at(-1)?.value;
    return typeof p === 'number' ? p : 1;
  };
  return groups.sort((a, b) => {
    if (a.name === 'all' || b.name === 'all') return a.name === 'all' ? -1 : 1;
    return a.depth - b.depth || priority(a) - priority(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  });
}

/**
 * Every entry that applies to `host`, lowest precedence first:
 * built-in < role defaults < hosts.yml `all` vars < hosts.yml group vars < group_vars/all < group_vars/<group>
 * < hosts.yml host vars < host_vars/<host> < --vars-file < --var.
 */
export function layersForHost(
  inv: Inventory,
  host: string,
  parts: {
    builtin: readonly VarEntry[];
    roleDefaults: readonly VarEntry[];
    varsFiles: readonly VarEntry[];
    extraVars: readonly VarEntry[];
  },
): VarEntry[] {
  const groups = sortedGroupsOfHost(inv, host);
  const inlineGroups = groups.flatMap((g) => g.vars);
  const groupFiles = groups.flatMap((g) => inv.groupVars.get(g.name) ?? []);
  const inlineHost = (inv.tree.hosts.get(host)?.listings ?? []).flatMap((l) => l.vars);
  return [
    ...parts.builtin,
    ...parts.roleDefaults,
    ...inlineGroups,
    ...groupFiles,
    ...inlineHost,
    ...(inv.hostVars.get(host) ?? []),
    ...parts.varsFiles,
    ...parts.extraVars,
  ];
}
