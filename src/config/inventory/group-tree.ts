// Builds the group/host graph of an Ansible YAML inventory, with depths for Ansible's group ordering.
import type { Diagnostics, SourceLocation } from '../../core/errors/diagnostic.js';
import { didYouMean } from '../../core/suggest.js';
import type { GroupBody } from './inventory-schema.js';
import type { VarEntry } from '../vars/var-entry.js';
import type { LoadContext } from '../vars/vars-file.js';
import { varsFromMapping } from '../vars/vars-file.js';
import type { YamlSource } from '../yaml-source.js';

export interface Group {
  readonly name: string;
  readonly parents: Set<string>;
  readonly children: Set<string>;
  readonly hosts: Set<string>;
  /** Inline `vars:` of this group in hosts.yml. */
  readonly vars: VarEntry[];
  /** Where the group was defined with a body (hosts, vars or children), if anywhere. */
  definedAt: SourceLocation | undefined;
  /** Where it was named, first. */
  readonly firstSeen: SourceLocation;
  depth: number;
}

export interface HostEntry {
  readonly name: string;
  /** Groups that list the host directly. */
  readonly groups: Set<string>;
  /** Every place hosts.yml lists the host, with the inline vars given there. */
  readonly listings: { readonly loc: SourceLocation; readonly vars: VarEntry[] }[];
}

export interface GroupTree {
  readonly groups: Map<string, Group>;
  readonly hosts: Map<string, HostEntry>;
}

/** Walks a validated hosts.yml; reports unknown child groups, cycles and host/group name clashes. */
export function buildGroupTree(
  root: Record<string, GroupBody | null>,
  source: YamlSource,
  ctx: LoadContext,
): GroupTree {
  const tree: GroupTree = { groups: new Map(), hosts: new Map() };
  const all = ensureGroup(tree, 'all', source.locate([]));
  all.definedAt = source.locate([]);
  for (const [name, body] of Object.entries(root)) {
    const group = ensureGroup(tree, name, source.locateKey([name]));
    if (name !== 'all') link(tree, 'all', name);
    addBody(tree, group, body, [name], source, ctx);
  }
  checkUndefinedGroups(tree, ctx.diagnostics);
  checkCycles(tree, ctx.diagnostics);
  computeDepths(tree);
  for (const host of tree.hosts.keys()) {
    const g = tree.groups.get(host);
    if (g) ctx.diagnostics.warning(`"${host}" is the name of both a host and a group`, g.firstSeen);
  }
  return tree;
}

function ensureGroup(tree: GroupTree, name: string, loc: SourceLocation): Group {
  let g = tree.groups.get(name);
  if (!g) {
    g = {
      name,
      parents: new Set(),
      children: new Set(),
      hosts: new Set(),
      vars: [],
      definedAt: undefined,
      firstSeen: loc,
      depth: 0,
    };
    tree.groups.set(name, g);
  }
  return g;
}

function link(tree: GroupTree, parent: string, child: string): void {
  tree.groups.get(parent)?.children.add(child);
  tree.groups.get(child)?.parents.add(parent);
}

function addBody(
  tree: GroupTree,
  group: Group,
  body: GroupBody | null | undefined,
  path: string[],
  source: YamlSource,
  ctx: LoadContext,
): void {
  if (!body) return;
  group.definedAt ??= source.locateKey(path);
  if (body.vars)
    group.vars.push(
      ...varsFromMapping(
        body.vars,
        source,
        [...path, 'vars'],
        group.name === 'all' ? 'inventory all vars' : 'inventory group vars',
        ctx,
      ),
    );
  for (const [hostName, hostVars] of Object.entries(body.hosts ?? {})) {
    const loc = source.locateKey([...path, 'hosts', hostName]);
    if (/[[\]]/.test(hostName))
      ctx.diagnostics.error(`host ranges ("${hostName}") are not supported; list each host`, loc);
    let host = tree.hosts.get(hostName);
    if (!host) tree.hosts.set(hostName, (host = { name: hostName, groups: new Set(), listings: [] }));
    host.groups.add(group.name);
    group.hosts.add(hostName);
    const vars = hostVars
      ? varsFromMapping(hostVars, source, [...path, 'hosts', hostName], 'inventory host vars', ctx)
      : [];
    host.listings.push({ loc, vars });
  }
  for (const [childName, childBody] of Object.entries(body.children ?? {})) {
    const childPath = [...path, 'children', childName];
    const child = ensureGroup(tree, childName, source.locateKey(childPath));
    link(tree, group.name, childName);
    addBody(tree, child, childBody, childPath, source, ctx);
  }
}

/** A child group named but never given hosts, vars or children anywhere is almost always a typo. */
function checkUndefinedGroups(tree: GroupTree, diagnostics: Diagnostics): void {
  const defined = [...tree.groups.values()].filter((g) => g.definedAt).map((g) => g.name);
  for (const g of tree.groups.values()) {
    if (g.definedAt) continue;
    const parent = [...g.parents][0] ?? 'all';
    diagnostics.error(
      `unknown group "${g.name}" in children of "${parent}"${didYouMean(g.name, defined)} (a group must be defined with hosts, vars or children somewhere)`,
      g.firstSeen,
    );
  }
}

function checkCycles(tree: GroupTree, diagnostics: Diagnostics): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const g = tree.groups.get(name);
      diagnostics.error(`group cycle: ${[...trail.slice(trail.indexOf(name)), name].join(' → ')}`, g?.firstSeen);
      return;
    }
    state.set(name, 'visiting');
    for (const c of tree.groups.get(name)?.children ?? []) visit(c, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of tree.groups.keys()) visit(name, []);
}

/** Ansible's depth: the longest path from `all` (children sort after their parents). */
function computeDepths(tree: GroupTree): void {
  const depthOf = (name: string, seen: Set<string>): number => {
    const g = tree.groups.get(name);
    if (!g || name === 'all' || seen.has(name)) return 0;
    const next = new Set(seen).add(name);
    return Math.max(0, ...[...g.parents].map((p) => depthOf(p, next) + 1));
  };
  for (const g of tree.groups.values()) g.depth = depthOf(g.name, new Set());
}

/** Every group a host belongs to, directly or through parents, `all` included. */
export function groupsOfHost(tree: GroupTree, host: string): Set<string> {
  const out = new Set<string>(['all']);
  const stack = [...(tree.hosts.get(host)?.groups ?? [])];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (out.has(name) && name !== 'all') continue;
    out.add(name);
    stack.push(...(tree.groups.get(name)?.parents ?? []));
  }
  return out;
}
