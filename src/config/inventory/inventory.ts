// Loads one environment's inventory: hosts.yml, env.yml, group_vars/ and host_vars/ (files or directories).
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../core/errors/errors.js';
import { didYouMean } from '../../core/suggest.js';
import { buildGroupTree, type GroupTree } from './group-tree.js';
import { EnvSettingsSchema, GROUP_KEYS, HostsFileSchema, type EnvSettings } from './inventory-schema.js';
import type { Layer, VarEntry } from '../vars/var-entry.js';
import { loadVarsFile, readYamlFile, type LoadContext } from '../vars/vars-file.js';
import { zodIssuesToDiagnostics } from '../zod-diagnostics.js';

export interface Inventory {
  readonly root: string;
  readonly env: string;
  readonly dir: string;
  readonly settings: EnvSettings;
  readonly tree: GroupTree;
  /** group_vars/<group>, per group, files in load order. */
  readonly groupVars: Map<string, VarEntry[]>;
  /** host_vars/<host>, per host, files in load order. */
  readonly hostVars: Map<string, VarEntry[]>;
  /**
   * The groups and hosts whose group_vars/host_vars (versions.yml: group `all`) reported an error as they loaded (a
   * syntax error, a bad name, a vault that would not open): what those files set is unknown, so their hosts' variables
   * are not checked (a check would judge a role default that the file may override: an error of the file's error).
   */
  readonly unreadVars: { readonly groups: ReadonlySet<string>; readonly hosts: ReadonlySet<string> };
}

const VARS_EXTENSIONS = ['.yml', '.yaml', '.json'];

/** The environments of a repository: directories of `inventory/` holding a hosts.yml. */
export function listEnvironments(root: string): string[] {
  const dir = path.join(root, 'inventory');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((e) => existsSync(path.join(dir, e, 'hosts.yml')))
    .sort();
}

/** Loads `inventory/<env>/`. Input problems go to ctx.diagnostics; an unknown env is a UserError. */
export function loadInventory(root: string, env: string, ctx: LoadContext): Inventory {
  const dir = path.join(root, 'inventory', env);
  const hostsFile = path.join(dir, 'hosts.yml');
  if (!existsSync(hostsFile)) {
    const envs = listEnvironments(root);
    throw new UserError(
      `unknown environment "${env}"${didYouMean(env, envs)}: no ${path.relative(root, hostsFile)} (environments: ${envs.join(', ') || 'none'})`,
    );
  }
  const tree = loadHostsFile(hostsFile, ctx);
  const settings = loadEnvSettings(path.join(dir, 'env.yml'), ctx);
  const groups = loadVarsDir(path.join(dir, 'group_vars'), 'group_vars', ctx, new Set(tree.groups.keys()), 'group');
  const groupVars = groups.vars;
  // versions.yml (image references, pinned by `rig pin`) is part of group_vars/all, loaded first: the env's group_vars
  // files may still override a version for a group or host.
  const versions = ['versions.yml', 'versions.yaml'].map((f) => path.join(dir, f)).filter((f) => existsSync(f));
  if (versions.length > 0) {
    const errors = ctx.diagnostics.errorCount;
    groupVars.set('all', [
      ...versions.flatMap((f) => loadVarsFile(f, 'group_vars/all', ctx)),
      ...(groupVars.get('all') ?? []),
    ]);
    if (ctx.diagnostics.errorCount > errors) groups.unread.add('all');
  }
  const hosts = loadVarsDir(path.join(dir, 'host_vars'), 'host_vars', ctx, new Set(tree.hosts.keys()), 'host');
  const unreadVars = { groups: groups.unread, hosts: hosts.unread };
  return { root, env, dir, settings, tree, groupVars, hostVars: hosts.vars, unreadVars };
}

function loadHostsFile(file: string, ctx: LoadContext): GroupTree {
  const empty: GroupTree = { groups: new Map(), hosts: new Map() };
  const read = readYamlFile(file, ctx);
  if (!read) return empty;
  const js = read.source.toJS() ?? {};
  const parsed = HostsFileSchema.safeParse(js, { reportInput: true });
  if (!parsed.success) {
    ctx.diagnostics.add(...zodIssuesToDiagnostics(parsed.error.issues, read.source, [], { keysAt: () => GROUP_KEYS }));
    return empty;
  }
  return buildGroupTree(parsed.data, read.source, ctx);
}

function loadEnvSettings(file: string, ctx: LoadContext): EnvSettings {
  const defaults = EnvSettingsSchema.parse({});
  if (!existsSync(file)) return defaults;
  const read = readYamlFile(file, ctx);
  if (!read) return defaults;
  const parsed = EnvSettingsSchema.safeParse(read.source.toJS() ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  ctx.diagnostics.add(
    ...zodIssuesToDiagnostics(parsed.error.issues, read.source, [], {
      keysAt: () => Object.keys(EnvSettingsSchema.shape),
    }),
  );
  return defaults;
}

/**
 * group_vars/ or host_vars/: `<name>.yml|.yaml|.json`, or a directory `<name>/` whose files load in name order
 * (later files override earlier ones, as in Ansible). Files for unknown groups/hosts are reported as warnings.
 * `unread`: the names whose files reported an error as they loaded.
 */
function loadVarsDir(
  dir: string,
  layer: Layer,
  ctx: LoadContext,
  known: Set<string>,
  kind: string,
): { vars: Map<string, VarEntry[]>; unread: Set<string> } {
  const out = new Map<string, VarEntry[]>();
  const unread = new Set<string>();
  if (!existsSync(dir)) return { vars: out, unread };
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    const isDir = statSync(full).isDirectory();
    const ext = path.extname(entry);
    if (!isDir && !VARS_EXTENSIONS.includes(ext)) continue;
    const name = isDir ? entry : entry.slice(0, -ext.length);
    if (!known.has(name)) {
      ctx.diagnostics.warning(
        `no ${kind} named "${name}" in this inventory${didYouMean(name, known)}; these vars apply to nothing`,
        { file: full, line: 1, col: 1 },
      );
    }
    const files = isDir ? varsFilesIn(full) : [full];
    const entryLayer: Layer = layer === 'group_vars' && name === 'all' ? 'group_vars/all' : layer;
    const errors = ctx.diagnostics.errorCount;
    const entries = files.flatMap((f) => loadVarsFile(f, entryLayer, ctx));
    if (ctx.diagnostics.errorCount > errors) unread.add(name);
    out.set(name, [...(out.get(name) ?? []), ...entries]);
  }
  return { vars: out, unread };
}

function varsFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .filter((f) => VARS_EXTENSIONS.includes(path.extname(f)))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}
