// The role module API: `defineRole` ties a zod schema of prefixed variables to the code that declares desired state.
import type { z } from 'zod';
import type { Cmd } from '../cmd/cmd.js';
import type { SourceLocation } from '../errors/diagnostic.js';
import type { CommandOp, DirOp, FileOp, HandlerOp, NetworkOp, Op, PathAttrs, ServiceOp, YamlMergeOp } from './op.js';
import type { HealthGateInput, Phase, ServiceSpecInput } from './service.js';

/** What a role's `tasks` receives for one host: its typed, validated variables and builders for ops. */
export interface RoleContext<V> {
  /** The host's inventory name. */
  readonly host: string;
  /** The role's variables, validated against its schema (defaults applied). */
  readonly vars: V;
  /** Every variable of the host (for cross-role values such as `project_dir`); prefer `vars`. */
  readonly hostVars: Readonly<Record<string, unknown>>;
  /** Renders `roles/<role>/templates/<name>` with the host's variables (plus `extra`) into a file op. */
  readonly template: (
    name: string,
    dest: string,
    opts?: PathAttrs & { notify?: string[]; extra?: Record<string, unknown>; validate?: FileOp['validate'] },
  ) => FileOp;
  /** A file copied byte for byte from `roles/<role>/files/<name>`. */
  readonly copy: (name: string, dest: string, opts?: PathAttrs & { notify?: string[] }) => FileOp;
  /** A file with inline content. */
  readonly content: (
    dest: string,
    text: string,
    opts?: PathAttrs & { notify?: string[]; validate?: FileOp['validate'] },
  ) => FileOp;
  /** A directory. */
  readonly dir: (dest: string, opts?: PathAttrs) => DirOp;
  /** A command and the rule saying when it must run (see CommandOp). */
  readonly command: (name: string, cmd: Cmd, when: CommandOp['when'], opts?: { notify?: string[] }) => CommandOp;
  /**
   * rig's keys in a YAML file someone else owns too (`{ 'dns.override_local_dns': true }`): set in the host's
   * current file, whose other keys and comments are kept; unchanged when every key already holds its value.
   */
  readonly yamlMerge: (
    dest: string,
    set: Readonly<Record<string, unknown>>,
    opts?: PathAttrs & { notify?: string[]; initial?: string },
  ) => YamlMergeOp;
  /** A handler: runs once after the role when something notified `name`. */
  readonly handler: (name: string, cmd: Cmd) => HandlerOp;
  /**
   * A compose service of the host's project (`project_name`), container `<project>_<name>`, in phase `infra` or
   * `apps` (default). Recreated exactly when its definition, env files, rig-managed bind-mounted files or pinned
   * image digest change; then it must pass the health gate (healthy / running for `settleSec` / one-shot exit 0).
   */
  readonly service: (
    name: string,
    spec: ServiceSpecInput,
    opts?: { phase?: Phase; gate?: HealthGateInput; reload?: ServiceOp['reload']; websocket?: boolean },
  ) => ServiceOp;
  /** A docker network `<project>_<name>` that services reference by `name`; created when missing unless `external`. */
  readonly network: (name: string, opts?: { internal?: boolean; external?: boolean }) => NetworkOp;
  /**
   * Where a variable of the host (or a part of its value: `locate('litellm_router_settings',
   * ['health_check_interval'])`) is written, for messages; undefined when the variable is not set anywhere.
   */
  readonly locate: (name: string, path?: readonly (string | number)[]) => SourceLocation | undefined;
  /**
   * A problem the role found in its input: an error stops the run before any host is contacted (all of them are
   * reported together), a warning is printed and the run goes on. `at` defaults to the role's call site.
   */
  readonly report: (problem: {
    severity: 'error' | 'warning';
    message: string;
    at?: SourceLocation | undefined;
  }) => void;
}

/** A role module: `roles/<name>/role.ts` default-exports `defineRole({...})`. */
export interface Role<S extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly description: string;
  /** Schema of the role's variables; every key starts with the role's prefix (`<name>_`, dashes as underscores). */
  readonly vars: S;
  /** Desired state of one host. Pure: no I/O besides what the context offers. */
  readonly tasks: (ctx: RoleContext<z.infer<S>>) => readonly Op[];
}

/** The variable prefix of a role: `docker-stack` → `docker_stack_`. */
export function rolePrefix(name: string): string {
  return `${name.replace(/-/g, '_')}_`;
}

/**
 * Declares a role. Checks at definition time that every variable carries the role's prefix,
 * so that a prefixed variable the schema does not know can be reported as a typo.
 */
export function defineRole<S extends z.ZodObject>(def: {
  name: string;
  description: string;
  vars: S;
  tasks: (ctx: RoleContext<z.infer<S>>) => readonly Op[];
}): Role<S> {
  const prefix = rolePrefix(def.name);
  const bad = Object.keys(def.vars.shape).filter((k) => !k.startsWith(prefix));
  if (bad.length > 0) throw new Error(`role ${def.name}: variables must start with "${prefix}": ${bad.join(', ')}`);
  return { ...def };
}
