// `rig exec SERVICE [--host H] [-i] [-t] -- CMD…`: a command in the service's container (`docker exec`) over the
// deploy's connection, host-key checks and become. argv stays argv (each word one argument, quoted by the renderer).
import type { HostConfig, Project } from '../../../config/project.js';
import { exec, type Cmd } from '../../../core/cmd/cmd.js';
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError, UserError } from '../../../core/errors/errors.js';
import { containerName } from '../../../core/desired/service.js';
import { describeError } from '../../../core/errors/describe-error.js';
import {
  containerStatesCmd,
  parseContainerStates,
  type ContainerState,
} from '../../../facts/containers/container-state.js';
import { LineSplitter } from '../../../logs/log-line.js';
import { run } from '../../../transport/run.js';
import type { Transport } from '../../../transport/transport.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import { hostConnector } from '../../remote/host-query.js';
import { hostPainter } from '../../output/host-prefix.js';
import type { CliIo } from '../../io.js';
import { openProject } from '../../project-context.js';
import { runSession } from '../../remote/remote-session.js';
import { serviceArg } from '../../remote/service-target.js';

const EXEC_OPTIONS = {
  ...PROJECT_OPTIONS,
  host: { type: 'string', multiple: true },
  limit: { type: 'string', multiple: true },
  interactive: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  user: { type: 'string', short: 'u' },
  workdir: { type: 'string', short: 'w' },
  'accept-new-host-keys': { type: 'boolean' },
  'known-hosts': { type: 'string' },
} as const;

type ExecFlags = ReturnType<typeof parseFlags<typeof EXEC_OPTIONS>>['values'];

/** A host whose container of the service was found, with its open connection. */
interface Target {
  readonly host: HostConfig;
  readonly t: Transport;
  readonly container: ContainerState;
}

/**
 * Exit: the command's own code (one host); with several hosts 0 when all exited 0, else the first failing one's; 1 on
 * errors.
 */
export async function execCommand(args: string[], io: CliIo): Promise<number> {
  const dash = args.indexOf('--');
  const argv = dash < 0 ? [] : args.slice(dash + 1);
  const { values: flags, positionals } = parseFlags('exec', dash < 0 ? args : args.slice(0, dash), EXEC_OPTIONS);
  const service = serviceArg('exec', positionals);
  if (argv.length === 0)
    throw new UsageError(`rig exec: no command: rig exec ${service} [-it] -- CMD [ARG…] (e.g. -- sh)`);
  if (flags.tty === true && io.terminal === undefined)
    throw new UsageError('rig exec -t: stdin and stdout must be a terminal (drop -t to pipe)');
  const named = [...(flags.host ?? []), ...(flags.limit ?? [])];
  const project = await openProject(flags, io, named.length > 0 ? { limit: named } : {});
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const targets = await findTargets(project, service, flags, io);
  try {
    if (targets.length > 1 && (flags.tty === true || flags.interactive === true)) {
      throw new UsageError(
        `rig exec -${flags.tty === true ? 't' : 'i'}: service ${service} runs on ${targets.map((x) => x.host.name).join(', ')}: choose one with --host`,
      );
    }
    const cmd = dockerExec(targets[0]?.container.name ?? '', argv, flags);
    const [only] = targets;
    if (only !== undefined && targets.length === 1) {
      return await runSession(
        only.t,
        cmd,
        {
          tty: flags.tty === true,
          stdin: flags.interactive === true,
          become: only.host.connection.become,
          redactor: project.redactor,
        },
        io,
      );
    }
    return await onEach(targets, argv, flags, io);
  } finally {
    await Promise.all(targets.map((x) => x.t.close().catch(() => undefined)));
  }
}

/** `docker exec [-i] [-t] [-u U] [-w D] -- CONTAINER ARGV…`. */
export function dockerExec(
  container: string,
  argv: readonly string[],
  flags: Pick<ExecFlags, 'interactive' | 'tty' | 'user' | 'workdir'>,
): Cmd {
  const opts = [
    ...(flags.interactive === true ? ['-i'] : []),
    ...(flags.tty === true ? ['-t'] : []),
    ...(flags.user === undefined ? [] : ['--user', flags.user]),
    ...(flags.workdir === undefined ? [] : ['--workdir', flags.workdir]),
  ];
  return exec(['docker', 'exec', ...opts, '--', container, ...argv]);
}

/** Connects to every selected host and keeps those where the service's container runs (one exec each). */
async function findTargets(project: Project, service: string, flags: ExecFlags, io: CliIo): Promise<Target[]> {
  const connect = await hostConnector(project, flags, io);
  type Probe = Target | { host: HostConfig; absent: string } | { host: HostConfig; error: string };
  const found = await Promise.all(
    [...project.hosts.values()].map(async (host): Promise<Probe> => {
      const name = containerName(host.stack.project, service);
      let t: Transport | undefined;
      try {
        t = await connect(host.name, host.connection);
        const [container] = parseContainerStates(
          (await run(t, containerStatesCmd([name]), { become: host.connection.become })).stdout,
          [name],
        );
        if (container?.running === true) return { host, t, container };
        await t.close().catch(() => undefined);
        return container === undefined
          ? { host, absent: name }
          : {
              host,
              error: `${name} is not running (${container.status}${container.status === 'exited' ? ` ${container.exitCode}` : ''})`,
            };
      } catch (err) {
        await t?.close().catch(() => undefined);
        return { host, error: describeError(err) };
      }
    }),
  );
  const targets = found.flatMap((f) => ('container' in f ? [f] : []));
  const problems = found.flatMap((f) => ('error' in f ? [`${f.host.name}: ${f.error}`] : []));
  if (problems.length > 0 || targets.length === 0) {
    await Promise.all(targets.map((x) => x.t.close().catch(() => undefined)));
    if (problems.length > 0) throw new UserError(`rig exec ${service}:\n  ${problems.join('\n  ')}`);
    throw new UserError(
      `rig exec: service ${service} runs on none of ${found.map((f) => f.host.name).join(', ')} (no container; see rig status)`,
    );
  }
  return targets;
}

/** The command on every host at once, each output line prefixed with its host; a summary of the failing ones. */
async function onEach(
  targets: readonly Target[],
  argv: readonly string[],
  flags: ExecFlags,
  io: CliIo,
): Promise<number> {
  const paint = hostPainter(
    targets.map((x) => x.host.name),
    io,
  );
  const codes = await Promise.all(
    targets.map(async (x) => {
      const prefixed = (print: (t: string) => void) => {
        const lines = new LineSplitter();
        return {
          push: (b: Buffer) => lines.push(b).forEach((l) => print(`${paint(x.host.name)} | ${l}\n`)),
          end: () => lines.end().forEach((l) => print(`${paint(x.host.name)} | ${l}\n`)),
        };
      };
      const out = prefixed((l) => io.out(l));
      const err = prefixed((l) => io.err(l));
      const handle = await x.t.stream(dockerExec(x.container.name, argv, flags), {
        become: x.host.connection.become,
        onStdout: out.push,
        onStderr: err.push,
      });
      const code = (await handle.done) ?? 130;
      out.end();
      err.end();
      return code;
    }),
  );
  targets.forEach((x, i) => codes[i] !== 0 && io.err(`rig exec: ${x.host.name}: exit ${codes[i]}`));
  return codes.find((c) => c !== 0) ?? 0;
}
