// Loads a repository for one environment: inventory, playbook, roles, every host's variables — all errors at once.
import path from 'node:path';
import { Diagnostics, type Diagnostic, type SourceLocation } from '../core/errors/diagnostic.js';
import type { Redactor } from '../core/redact/redactor.js';
import { resolveConnection, type Connection } from './inventory/connection.js';
import { checkHostListings } from './inventory/host-listings.js';
import { loadInventory, type Inventory } from './inventory/inventory.js';
import { loadPlaybook, type Playbook } from './playbook.js';
import { layersForHost, sortedGroupsOfHost } from './vars/precedence.js';
import { interpolateVars, mergeLayers, type Interpolate, type ResolvedVar } from './vars/resolve-vars.js';
import { loadRoles, type LoadedRole } from './roles/role-loader.js';
import { checkUnknownRoleVars, roleVarsForHost } from './roles/role-vars.js';
import type { SecretSource } from './vars/secret-source.js';
import type { Settings } from './settings.js';
import { builtinVars, parseExtraVars } from './vars/extra-vars.js';
import type { VarEntry } from './vars/var-entry.js';
import { loadVarsFile, registerSecret, type LoadContext } from './vars/vars-file.js';
import { selectHosts } from './inventory/host-selection.js';
import { stackConfig, type StackConfig } from './vars/stack-vars.js';

export interface ProjectOptions {
  readonly root: string;
  readonly env: string;
  readonly settings: Settings;
  readonly secrets: SecretSource | undefined;
  readonly redactor: Redactor;
  readonly interpolate: Interpolate;
  /** `--var k=v` (value parsed as YAML), highest precedence. */
  readonly extraVars?: readonly string[];
  /** `--secret-var NAME` (values read from stdin by the CLI): extra vars that are secret, strings as given. */
  readonly secretVars?: readonly { readonly name: string; readonly value: string }[];
  readonly varsFiles?: readonly string[];
  /** Playbook path relative to the root; default playbooks/site.yml. */
  readonly playbook?: string;
  /** `--limit`: host or group names. */
  readonly limit?: readonly string[];
  /** `--role`: only these roles. */
  readonly roles?: readonly string[];
  /** Include hosts that no play targets (for listing the inventory). */
  readonly allHosts?: boolean;
}

/** One host, ready for planning: its groups, variables, connection and the typed vars of each role it runs. */
export interface HostConfig {
  readonly name: string;
  readonly groups: readonly string[];
  readonly vars: ReadonlyMap<string, ResolvedVar>;
  readonly connection: Connection;
  /** The compose project and rig's state locations on the host. */
  readonly stack: StackConfig;
  /** Roles in playbook order, each with its validated variables; `selected` is false for roles `--role` left out. */
  readonly roles: readonly {
    readonly name: string;
    readonly vars: Record<string, unknown>;
    readonly selected: boolean;
  }[];
}

export interface Project {
  readonly root: string;
  readonly env: string;
  readonly inventory: Inventory;
  readonly playbook: Playbook;
  readonly roles: ReadonlyMap<string, LoadedRole>;
  readonly hosts: ReadonlyMap<string, HostConfig>;
  readonly redactor: Redactor;
  readonly warnings: readonly Diagnostic[];
}

/** Loads everything for `opts.env`; throws a DiagnosticsError listing every error found (never just the first). */
export async function loadProject(opts: ProjectOptions): Promise<Project> {
  const diagnostics = new Diagnostics();
  const ctx: LoadContext = { secrets: opts.secrets, redactor: opts.redactor, diagnostics };
  const inventory = loadInventory(opts.root, opts.env, ctx);
  checkHostListings(inventory, diagnostics);
  const playbook = loadPlaybook(path.resolve(opts.root, opts.playbook ?? 'playbooks/site.yml'), ctx);
  const roleRefs = new Map<string, SourceLocation>();
  for (const play of playbook.plays) for (const r of play.roles) if (!roleRefs.has(r.name)) roleRefs.set(r.name, r.loc);
  const roles = await loadRoles(opts.root, roleRefs, ctx);
  const errorsBefore = diagnostics.errorCount;
  const varsFiles = (opts.varsFiles ?? []).flatMap((f) => loadVarsFile(path.resolve(opts.root, f), 'vars file', ctx));
  const extraVars = parseExtraVars(opts.extraVars ?? [], diagnostics, opts.secretVars ?? []);
  // a --vars-file or --var that failed leaves every host's variables unknown (see Inventory.unreadVars)
  const everyHostUnread = diagnostics.errorCount > errorsBefore;
  // A file that failed to load leaves variables undefined: "missing required" would only repeat that error.
  const reportMissing = !diagnostics.hasErrors();
  checkUnknownRoleVars(allEntries(inventory, roles, varsFiles, extraVars), roles.values(), diagnostics);
  const selected = selectHosts(inventory, playbook, opts.limit, opts.roles, diagnostics, opts.allHosts === true);
  // `--role R` acts on R only, but a host's compose files hold every service of the host: its other roles are
  // rendered too (for their services and networks), and marked not selected.
  const everyRole =
    opts.roles && opts.roles.length > 0
      ? selectHosts(inventory, playbook, opts.limit, undefined, new Diagnostics(), opts.allHosts === true)
      : selected;
  const hosts = new Map<string, HostConfig>();
  for (const [name, selectedRoles] of selected) {
    const roleNames = (everyRole.get(name) ?? selectedRoles).map((n) => ({
      name: n,
      selected: selectedRoles.includes(n),
    }));
    const host = resolveHost(name, roleNames, {
      inventory,
      roles,
      varsFiles,
      extraVars,
      opts,
      diagnostics,
      reportMissing,
      everyHostUnread,
    });
    if (host) hosts.set(name, host);
  }
  diagnostics.throwIfErrors();
  return {
    root: opts.root,
    env: opts.env,
    inventory,
    playbook,
    roles,
    hosts,
    redactor: opts.redactor,
    warnings: diagnostics.warnings,
  };
}

interface ResolveInputs {
  inventory: Inventory;
  roles: ReadonlyMap<string, LoadedRole>;
  varsFiles: VarEntry[];
  extraVars: VarEntry[];
  opts: ProjectOptions;
  diagnostics: Diagnostics;
  reportMissing: boolean;
  everyHostUnread: boolean;
}

function resolveHost(
  name: string,
  roleNames: readonly { name: string; selected: boolean }[],
  r: ResolveInputs,
): HostConfig | undefined {
  const groups = sortedGroupsOfHost(r.inventory, name).map((g) => g.name);
  const unread = r.inventory.unreadVars;
  // a vars file of this host failed to load, and its error is reported: the host's checks would judge its variables
  // without what that file sets (a role default it overrides, say), so the host is left out of this failed load
  if (r.everyHostUnread || unread.hosts.has(name) || groups.some((g) => unread.groups.has(g))) return undefined;
  const hostRoles = roleNames.flatMap((n) => {
    const loaded = r.roles.get(n.name);
    return loaded ? [{ loaded, selected: n.selected }] : [];
  });
  const layers = layersForHost(r.inventory, name, {
    builtin: builtinVars(name, groups, r.opts.env, r.opts.root),
    roleDefaults: hostRoles.flatMap((l) => l.loaded.defaults),
    varsFiles: r.varsFiles,
    extraVars: r.extraVars,
  });
  const vars = mergeLayers(layers);
  interpolateVars(vars, r.opts.interpolate, r.diagnostics, name);
  for (const v of vars.values()) if (v.secret) registerSecretValue(v, r.opts.redactor);
  const connection = resolveConnection(name, vars, r.diagnostics, {
    fallbackKey: r.opts.settings.RIG_SSH_KEY,
    root: r.opts.root,
  });
  const typed = hostRoles.map(({ loaded, selected }) => ({
    name: loaded.role.name,
    selected,
    vars: roleVarsForHost(name, loaded, vars, r.diagnostics, { reportMissing: r.reportMissing }),
  }));
  const stack = stackConfig(name, vars, r.diagnostics);
  if (typed.some((t) => t.vars === undefined) || !stack) return undefined;
  return { name, groups, vars, connection, stack, roles: typed as HostConfig['roles'] };
}

/**
 * A secret string is masked whole; of a mapping or list built from secrets, the parts that came out secret (its
 * vault parts were registered when their file was read): the names and ports beside a password stay readable.
 */
function registerSecretValue(v: ResolvedVar, redactor: Redactor): void {
  if (typeof v.value === 'string' || typeof v.value === 'number') redactor.add(String(v.value));
  // a secret overridden on the command line: everything typed there
  if (v.layer === 'extra var') registerSecret(v.value, redactor);
  for (const part of v.secretParts ?? []) registerSecret(part, redactor);
}

function* allEntries(
  inv: Inventory,
  roles: ReadonlyMap<string, LoadedRole>,
  varsFiles: VarEntry[],
  extraVars: VarEntry[],
): Iterable<VarEntry> {
  for (const g of inv.tree.groups.values()) yield* g.vars;
  for (const h of inv.tree.hosts.values()) for (const l of h.listings) yield* l.vars;
  for (const list of inv.groupVars.values()) yield* list;
  for (const list of inv.hostVars.values()) yield* list;
  for (const r of roles.values()) yield* r.defaults;
  yield* varsFiles;
  yield* extraVars;
}
