// What a smoke check gets for one host (no globals): its variables, services, an exec over the host's SSH connection,
// the deadline.
import type { Settings } from '../config/settings.js';
import { exec, type Cmd } from '../core/cmd/cmd.js';
import { secretsInClear } from '../core/cmd/secrets.js';
import { display, render, secretsOf, SECRET_VAR_PREFIX } from '../core/cmd/render.js';
import { networkName, type Phase } from '../core/desired/service.js';
import type { ExecResult, Transport } from '../transport/transport.js';

/** A compose service rig declares for the host (from its roles, as `rig deploy` would render them). */
export interface SmokeService {
  /** The name the role gave it (`litellm`). */
  readonly name: string;
  /** The role that declares it. */
  readonly role: string;
  /** Its container, `<project>_<service>` (`-` as `_`). */
  readonly container: string;
  readonly phase: Phase;
  /** A one-shot service (init, migration) is fine when it exited 0. */
  readonly oneShot: boolean;
  /** Whether the service has a compose healthcheck (then "running" means "healthy"). */
  readonly healthcheck: boolean;
  /** The image as the role asks for it (before pinning). */
  readonly image: string;
  /** Short names of its networks (`ctx.network(name)` gives the docker name). */
  readonly networks: readonly string[];
}

/** Options of `ctx.exec`. */
export interface SmokeExecOptions {
  /** Bytes for the command's stdin: the way to hand a command a secret (never put one in argv). */
  readonly stdin?: string | Buffer;
}

/** What runs a check: `rig smoke` (the nightly is one) or `rig checklist`'s smoke check. */
export type SmokeOccasion = 'smoke' | 'checklist';

/** What `run(ctx)` gets: one host, read-only (the fields of {@link SmokeHost}, and these). */
export interface SmokeContext extends Omit<SmokeHost, 'become'> {
  /**
   * The container name of a service of this project (`<project>_<service>`); throws for a service the host does not
   * declare.
   */
  container(service: string): string;
  /** The docker name of a network of this project (`<project>_<network>`), to reach services from inside it. */
  network(name: string): string;
  /**
   * Runs a command on the host over the run's SSH connection (one per host, shared by its checks) and resolves with
   * its exit code and output whatever the code; rejects when the command cannot run. Build `cmd` with rig's builders
   * (`exec`, `sh`, `cmd`…): a secret goes in `opts.stdin` or as a `secret()` env value, both sent over stdin. Runs as
   * root when the host's connection says `become`. Killed at the check's deadline.
   */
  exec(cmd: Cmd, opts?: SmokeExecOptions): Promise<ExecResult>;
  /** Aborts at the check's deadline: pass it to `fetch`, timers and anything else that waits. */
  readonly signal: AbortSignal;
  /** The check's deadline, seconds from its start. */
  readonly deadlineSec: number;
  /** Masks every known vault secret in `text` as `***` (for text that leaves rig by another way than evidence). */
  redact(text: string): string;
  /** The workstation's settings (`RIG_TELEGRAM_API_BASE` …). */
  readonly settings: Settings;
  /** Who runs the check: an opt-in check (a billed call) decides with it whether to run or to skip. */
  readonly occasion: SmokeOccasion;
  /** True when `rig smoke --only` named this check: asked for by name, an opt-in check runs. */
  readonly named: boolean;
}

/** One host as the runner sees it: the per-host part of its checks' contexts. */
export interface SmokeHost {
  /** The host's inventory name. */
  readonly host: string;
  /** The environment (`--env`). */
  readonly env: string;
  /** The host's inventory groups, `all` included. */
  readonly groups: readonly string[];
  /** The roles the playbook gives the host, in play order. */
  readonly roles: readonly string[];
  /**
   * Every variable of the host (after precedence and `{{ }}` references), with the validated variables of its roles
   * over them (defaults applied, typed as the role's schema says). Vault values are here in clear: keep them out of
   * evidence and argv (the runner masks known ones in evidence anyway).
   */
  readonly vars: Readonly<Record<string, unknown>>;
  /** The compose project name on the host (`project_name`). */
  readonly project: string;
  /** The compose services rig declares for the host, in role order. */
  readonly services: readonly SmokeService[];
  /** Commands run as root (the host's connection says `become`). */
  readonly become: boolean;
}

/** A check's context, and the commands it has running (shown when the deadline kills them). */
export interface CheckContext {
  readonly ctx: SmokeContext;
  readonly running: ReadonlySet<string>;
}

/** Builds the context of one check run; `deadlineAt` is a `performance.now()` time. */
export function checkContext(
  view: SmokeHost,
  t: Transport,
  opts: {
    signal: AbortSignal;
    deadlineSec: number;
    deadlineAt: number;
    redact: (text: string) => string;
    settings: Settings;
    occasion?: SmokeOccasion;
    named?: boolean;
  },
): CheckContext {
  const running = new Set<string>();
  const byService = new Map(view.services.map((s) => [s.name, s.container]));
  const { become, ...hostPart } = view;
  const ctx: SmokeContext = {
    ...hostPart,
    container(service) {
      const name = byService.get(service);
      if (name === undefined)
        throw new Error(
          `${view.host} declares no service "${service}" (services: ${[...byService.keys()].join(', ') || 'none'})`,
        );
      return name;
    },
    network: (name) => networkName(view.project, name),
    async exec(cmd, execOpts = {}) {
      const left = opts.deadlineAt - performance.now();
      if (opts.signal.aborted || left <= 0)
        throw new Error(`deadline ${opts.deadlineSec}s exceeded before ${firstLine(display(cmd))}`);
      const inClear = secretsInClear(cmd, (text) => opts.redact(text) !== text);
      if (inClear.length > 0) {
        const shown = firstLine(opts.redact(display(cmd)));
        throw new Error(
          `refused to run ${shown}: a secret in ${inClear.join(', ')}; pass it in opts.stdin or as a secret() env value`,
        );
      }
      const shown = firstLine(display(cmd));
      running.add(shown);
      try {
        return await t.exec(bounded(cmd, Math.ceil(left / 1000)), {
          become,
          timeoutMs: Math.ceil(left),
          ...(execOpts.stdin !== undefined ? { stdin: execOpts.stdin } : {}),
        });
      } finally {
        // Killed by the deadline: it stays listed, the result names it.
        if (performance.now() < opts.deadlineAt) running.delete(shown);
      }
    },
    signal: opts.signal,
    deadlineSec: opts.deadlineSec,
    redact: opts.redact,
    settings: opts.settings,
    occasion: opts.occasion ?? 'smoke',
    named: opts.named === true,
  };
  return { ctx, running };
}

/*
 * Why the host enforces the deadline too: the transport's timeout kills the session's first process only (sshd
 * signals that one alone), so the command's children would outlive the check, night after night under cron.
 * `timeout` (coreutils and busybox) runs the command in a process group of its own and kills the whole group; a host
 * without it runs the command as it is. $1: seconds, $2: the command's rendered text. Its secrets still ride stdin:
 * the outer script reads them, and hands them to the inner shell as the variables its text refers to.
 */
const BOUNDED = `if command -v timeout >/dev/null 2>&1; then exec timeout -s KILL "$1" /bin/sh -c "$2"; fi
exec /bin/sh -c "$2"`;

/** `cmd` killed on the host, with every process it started, after `seconds`. */
export function bounded(cmd: Cmd, seconds: number): Cmd {
  const env = Object.fromEntries(secretsOf(cmd).map((s, i) => [`${SECRET_VAR_PREFIX}${i}`, s]));
  return exec(['/bin/sh', '-c', BOUNDED, 'sh', String(seconds), render(cmd)], env);
}

/** A command as one short line (rig's scripts span lines). */
function firstLine(text: string): string {
  const [first = ''] = text.split('\n');
  const line = first.length < text.length ? `${first} …` : first;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}
