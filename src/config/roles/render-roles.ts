// Renders every role of every host into desired-state ops before any connection: template errors surface here, all at
// once.
import path from 'node:path';
import { Diagnostics, DiagnosticsError, type Diagnostic, type SourceLocation } from '../../core/errors/diagnostic.js';
import type { DirOp, FileOp, NetworkOp, Op, PathAttrs, ServiceOp } from '../../core/desired/op.js';
import { healthGateSchema, serviceSpecSchema } from '../../core/desired/service.js';
import { zodIssuesToDiagnostics } from '../zod-diagnostics.js';
import { destinationProblem, roleFileProblem } from './role-paths.js';
import { imageRefSchema } from '../../registry/image-ref-schema.js';
import type { RoleContext } from '../../core/desired/role.js';
import { exec, type Cmd } from '../../core/cmd/cmd.js';
import { secretsInClear } from '../../core/cmd/secrets.js';
import { compileTemplate, renderTemplate } from '../../template/index.js';
import { RoleFiles } from './role-files.js';
import { PROJECT_MODULES_LOADED_BY_NODE } from '../module-loader.js';
import type { HostConfig, Project } from '../project.js';
import type { LoadedRole } from './role-loader.js';

/** The ops one role declares for one host. */
export interface RoleOps {
  readonly role: string;
  readonly ops: readonly Op[];
  /** False for a role `--role` left out: only its services and networks count (the host's compose files hold them). */
  readonly selected: boolean;
}

/** The file ops of the roles a run selected: what the plan diffs and the apply writes. */
export function fileOps(roleOps: readonly RoleOps[]): FileOp[] {
  return roleOps.filter((r) => r.selected).flatMap((r) => r.ops.filter((o): o is FileOp => o.kind === 'file'));
}

/**
 * host → its roles' ops, in playbook order. Throws a DiagnosticsError with every template/role error of every host;
 * the roles' warnings go to `warnings` (once per message and location, naming every host concerned).
 */
export function renderProject(project: Project, warnings?: Diagnostic[]): Map<string, RoleOps[]> {
  const diagnostics = new Diagnostics();
  const out = new Map<string, RoleOps[]>();
  const files = new RoleFiles();
  for (const host of project.hosts.values()) {
    out.set(
      host.name,
      host.roles.flatMap((r) => {
        const loaded = project.roles.get(r.name);
        if (!loaded) return [];
        const ops = diagnostics.collect(() =>
          loaded.role.tasks(roleContext(project, host, loaded, r.vars, diagnostics, files)),
        );
        return ops ? [{ role: r.name, ops, selected: r.selected }] : [];
      }),
    );
  }
  diagnostics.throwIfErrors();
  warnings?.push(...diagnostics.all.filter((d) => d.severity === 'warning'));
  return out;
}

function roleContext(
  project: Project,
  host: HostConfig,
  loaded: LoadedRole,
  vars: Record<string, unknown>,
  diagnostics: Diagnostics,
  files: RoleFiles,
): RoleContext<Record<string, unknown>> {
  const hostVars = Object.fromEntries([...host.vars].map(([k, v]) => [k, v.value]));
  const origin = (): SourceLocation | undefined => callSite(loaded.file);
  const clear = (step: string, cmds: readonly (Cmd | undefined)[], at: SourceLocation | undefined): void =>
    refuseClearSecrets(project, diagnostics, { role: loaded.role.name, host: host.name, step, at }, cmds);
  // a check runs on the new content's temp path: judged with a stand-in path, as it will run
  const checked = (op: FileOp): FileOp => {
    if (op.validate) clear(`validate of ${op.path}`, [op.validate(`${op.path}.rig-tmp`)], op.origin);
    return op;
  };
  return {
    host: host.name,
    vars,
    hostVars,
    template: (name, dest, opts = {}) => {
      const at = origin();
      const file = roleFile(loaded.dir, 'templates', name, at);
      let text = '';
      let sensitive = false;
      const rendered = diagnostics.collect(() => {
        const tpl = compileTemplate(files.template(file));
        return renderTemplate(tpl, { ...hostVars, ...vars, ...(opts.extra ?? {}) }, { redactor: project.redactor });
      });
      if (rendered) ({ text, sensitive } = rendered);
      return checked(fileOp(dest, text, sensitive, { file, line: 1, col: 1 }, at, opts));
    },
    copy: (name, dest, opts = {}) => {
      const at = origin();
      const file = roleFile(loaded.dir, 'files', name, at);
      const bytes = diagnostics.collect(() => files.bytes(file, at));
      return checked(fileOp(dest, bytes ?? new Uint8Array(), false, { file, line: 1, col: 1 }, at, opts));
    },
    content: (dest, text, opts = {}) => {
      return checked(fileOp(dest, text, project.redactor.touches(text), undefined, origin(), opts));
    },
    dir: (dest, opts = {}): DirOp => {
      const at = origin();
      checkAbsolute(dest, at);
      return { kind: 'dir', path: dest, origin: at, ...attrs(opts) };
    },
    command: (name, cmd, when, opts = {}) => {
      const at = origin();
      if ('creates' in when) checkAbsolute(when.creates, at);
      clear(`command "${name}"`, [cmd, 'unless' in when ? when.unless : undefined], at);
      return { kind: 'command', name, cmd, when, notify: opts.notify ?? [], origin: at };
    },
    handler: (name, cmd) => {
      const at = origin();
      clear(`handler "${name}"`, [cmd], at);
      return { kind: 'handler', name, cmd, origin: at };
    },
    yamlMerge: (dest, set, opts = {}) => {
      const at = origin();
      checkAbsolute(dest, at);
      const sensitive = project.redactor.touches(JSON.stringify(set));
      return {
        kind: 'yamlMerge',
        path: dest,
        set,
        sensitive,
        notify: opts.notify ?? [],
        origin: at,
        ...(opts.initial !== undefined ? { initial: opts.initial } : {}),
        ...attrs(opts),
      };
    },
    service: (name, spec, opts = {}) => {
      const at = origin();
      if (opts.reload) clear(`service "${name}" reload`, [exec(opts.reload.command)], at);
      return serviceOp(name, spec, opts, at, diagnostics, host.name);
    },
    locate: (name, path = []) => {
      const v = host.vars.get(name);
      return v === undefined ? undefined : path.length === 0 ? v.loc : v.locate(path);
    },
    report: ({ severity, message, at }) =>
      diagnostics.add({ severity, message, loc: at ?? origin(), hosts: [host.name] }),
    network: (name, opts = {}): NetworkOp => {
      const at = origin();
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
        diagnostics.error(`network name "${name}": lowercase letters, digits, "_" and "-"`, at, [host.name]);
      return { kind: 'network', name, internal: opts.internal === true, external: opts.external === true, origin: at };
    },
  };
}

/** Where a role step is, for messages. */
interface StepPlace {
  readonly role: string;
  readonly host: string;
  readonly step: string;
  readonly at: SourceLocation | undefined;
}

/**
 * M4: a command whose argv or plain environment holds a known secret (clear or encoded) is an error at the role's
 * call site, naming the role, the step and the place; the secret itself is never quoted.
 */
function refuseClearSecrets(
  project: Project,
  diagnostics: Diagnostics,
  where: StepPlace,
  cmds: readonly (Cmd | undefined)[],
): void {
  const places = cmds.flatMap((c) => (c ? secretsInClear(c, (t) => project.redactor.touches(t)) : []));
  for (const place of places) {
    const how = "pass it as a secret() environment value or on stdin (argv shows in ps and in sudo's log)";
    const message = `role ${where.role}, ${where.step}: a secret in ${place}; ${how}`;
    diagnostics.error(message, where.at, [where.host]);
  }
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Validates a service definition at the role's call site (every problem reported, all hosts). */
function serviceOp(
  name: string,
  spec: unknown,
  opts: Parameters<RoleContext<unknown>['service']>[2] & object,
  at: SourceLocation | undefined,
  diagnostics: Diagnostics,
  host: string,
): ServiceOp {
  const loc = at ?? { file: '<role>', line: 1, col: 1 };
  const where = { locate: () => loc, locateKey: () => loc };
  if (!SERVICE_NAME.test(name))
    diagnostics.error(`service name "${name}": lowercase letters, digits, "_" and "-"`, at, [host]);
  // A one-shot service must stay exited once done: unless the role says otherwise it is not restarted.
  const oneShot = (opts.gate as { oneShot?: boolean } | undefined)?.oneShot === true;
  const withRestart =
    oneShot && typeof spec === 'object' && spec !== null && !('restart' in spec) ? { ...spec, restart: 'no' } : spec;
  const parsed = serviceSpecSchema.safeParse(withRestart);
  const gate = healthGateSchema.safeParse(opts.gate ?? {});
  if (!parsed.success)
    diagnostics.add(...zodIssuesToDiagnostics(parsed.error.issues, where, [`service ${name}`], { hosts: [host] }));
  const badImage = parsed.success ? imageRefSchema.safeParse(parsed.data.image).error : undefined;
  if (badImage)
    diagnostics.error(`service ${name}: ${badImage.issues[0]?.message ?? 'invalid image reference'}`, at, [host]);
  if (
    parsed.success &&
    gate.success &&
    gate.data.oneShot &&
    (parsed.data.restart === 'always' || parsed.data.restart === 'unless-stopped')
  ) {
    diagnostics.error(
      `service ${name}: a one-shot service must not be restarted when it exits (restart: "${parsed.data.restart}"); use "no" (the default for one-shot) or "on-failure"`,
      at,
      [host],
    );
  }
  if (!gate.success)
    diagnostics.add(...zodIssuesToDiagnostics(gate.error.issues, where, [`service ${name} gate`], { hosts: [host] }));
  return {
    kind: 'service',
    name,
    phase: opts.phase ?? 'apps',
    spec: parsed.success ? parsed.data : serviceSpecSchema.parse({ image: 'invalid' }),
    gate: gate.success ? gate.data : healthGateSchema.parse({}),
    ...(opts.reload ? { reload: opts.reload } : {}),
    ...(opts.websocket === true ? { websocket: true as const } : {}),
    origin: at,
  };
}

function fileOp(
  dest: string,
  content: string | Uint8Array,
  sensitive: boolean,
  from: SourceLocation | undefined,
  origin: SourceLocation | undefined,
  opts: PathAttrs & { notify?: string[]; validate?: FileOp['validate'] },
): FileOp {
  checkAbsolute(dest, origin);
  return {
    kind: 'file',
    path: dest,
    content,
    sensitive,
    from,
    origin,
    notify: opts.notify ?? [],
    ...attrs(opts),
    ...(opts.validate ? { validate: opts.validate } : {}),
  };
}

function attrs(opts: PathAttrs): PathAttrs {
  return {
    ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
    ...(opts.owner !== undefined ? { owner: opts.owner } : {}),
    ...(opts.group !== undefined ? { group: opts.group } : {}),
  };
}

function checkAbsolute(dest: string, origin: SourceLocation | undefined): void {
  const problem = destinationProblem(dest);
  if (problem !== undefined) throw new DiagnosticsError([{ severity: 'error', message: problem, loc: origin }]);
}

/** `<role>/<folder>/<name>`, once `name` is known to stay inside the folder. */
function roleFile(dir: string, folder: string, name: string, at: SourceLocation | undefined): string {
  const problem = roleFileProblem(name);
  if (problem !== undefined) throw new DiagnosticsError([{ severity: 'error', message: problem, loc: at }]);
  return path.join(dir, folder, name);
}

/**
 * The line of the role module that called an op builder, from the stack (the role's call site, for messages). Every
 * op of every host asks (2,200 at 100 hosts of the bench role): where Node loaded the role (rig built), V8's
 * structured frames say it, at a fraction of the cost of formatting the stack as text and matching its lines. From
 * source (vitest), the formatted stack, mapped to the role's own lines, is read.
 */
function callSite(roleFile: string): SourceLocation | undefined {
  const needle = `${path.sep}${path.basename(path.dirname(roleFile))}${path.sep}role.`;
  if (PROJECT_MODULES_LOADED_BY_NODE) {
    const holder: { stack?: unknown } = {};
    const stacks = Error as { prepareStackTrace?: ((err: Error, frames: NodeJS.CallSite[]) => unknown) | undefined };
    const format = stacks.prepareStackTrace;
    let frames: NodeJS.CallSite[];
    stacks.prepareStackTrace = (_err, structured) => structured;
    try {
      Error.captureStackTrace(holder, callSite);
      frames = holder.stack as NodeJS.CallSite[]; // handed over when first read: read here, before the restore
    } finally {
      stacks.prepareStackTrace = format;
    }
    for (const f of frames) {
      const line = f.getLineNumber();
      const col = f.getColumnNumber();
      if (f.getFileName()?.includes(needle) && line !== null && col !== null) return { file: roleFile, line, col };
    }
    return undefined;
  }
  const stack = new Error().stack ?? '';
  for (const line of stack.split('\n')) {
    const m = /\(?(?:file:\/\/)?([^()\s]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (m?.[1] && m[1].includes(needle)) return { file: roleFile, line: Number(m[2]), col: Number(m[3]) };
  }
  return undefined;
}
