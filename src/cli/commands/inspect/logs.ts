// `rig logs SERVICE`: the service's container logs from every host that runs it, each line prefixed with its host,
// merged by time; `-f` follows until Ctrl-C over the one SSH connection per host. Secrets masked by main's redactor.
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError } from '../../../core/errors/errors.js';
import { containerName } from '../../../core/desired/service.js';
import type { LogLine } from '../../../logs/log-line.js';
import { LogMerger } from '../../../logs/log-merge.js';
import { parseSince, parseTail, type LogsQuery } from '../../../logs/logs-cmd.js';
import { streamHostLogs, type HostLogOutcome } from '../../../logs/logs-host.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import { hostConnector } from '../../remote/host-query.js';
import { untilInterrupted } from '../../remote/interrupts.js';
import type { CliIo } from '../../io.js';
import { openProject } from '../../project-context.js';
import { hostPainter } from '../../output/host-prefix.js';
import { serviceArg } from '../../remote/service-target.js';

const LOGS_OPTIONS = {
  ...PROJECT_OPTIONS,
  host: { type: 'string', multiple: true },
  limit: { type: 'string', multiple: true },
  follow: { type: 'boolean', short: 'f' },
  since: { type: 'string' },
  tail: { type: 'string', short: 'n' },
  grep: { type: 'string' },
  timestamps: { type: 'boolean', short: 't' },
  'accept-new-host-keys': { type: 'boolean' },
  'known-hosts': { type: 'string' },
} as const;

/** Lines per host when neither --tail nor --since is given (a busy service's whole log is rarely what one wants). */
const DEFAULT_TAIL = 100;
/** How long a followed line waits for earlier-stamped lines of other hosts before it is printed. */
const FOLLOW_HOLD_MS = 300;

/** Exit 0 when every host that runs the service was read, 1 when one failed or none runs it, 130 after Ctrl-C (-f). */
export async function logsCommand(args: string[], io: CliIo): Promise<number> {
  const { values: flags, positionals } = parseFlags('logs', args, LOGS_OPTIONS);
  const service = serviceArg('logs', positionals);
  const grep = grepOf(flags.grep);
  const tail =
    flags.tail === undefined ? (flags.since === undefined ? DEFAULT_TAIL : undefined) : parseTail(flags.tail);
  const since = flags.since === undefined ? undefined : parseSince(flags.since);
  const named = [...(flags.host ?? []), ...(flags.limit ?? [])];
  const project = await openProject(flags, io, named.length > 0 ? { limit: named } : {});
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const connect = await hostConnector(project, flags, io);
  const hosts = [...project.hosts.values()];
  const paint = hostPainter(
    hosts.map((h) => h.name),
    io,
  );
  const merger = new LogMerger(flags.follow === true ? FOLLOW_HOLD_MS : Infinity);
  const print = (lines: readonly LogLine[]): void => {
    if (lines.length > 0)
      io.out(
        lines
          .map((l) => `${paint(l.host)} | ${flags.timestamps === true && l.time ? `${l.time} ` : ''}${l.text}\n`)
          .join(''),
      );
  };
  const onLine = (l: LogLine): void => {
    if (l.key === undefined) io.err(`${l.host}: ${l.text}\n`);
    else if (grep === undefined || grep.test(l.text)) merger.push({ ...l, key: l.key }, Date.now());
  };
  let waiting = hosts.length;
  const run = async (signal: AbortSignal | undefined): Promise<HostLogOutcome[]> => {
    const ticker = flags.follow === true ? setInterval(() => print(merger.flush(Date.now())), 100) : undefined;
    try {
      return await Promise.all(
        hosts.map((h) => {
          const query: LogsQuery = {
            container: containerName(h.stack.project, service),
            follow: flags.follow === true,
            ...(since ? { since } : {}),
            ...(tail !== undefined ? { tail } : {}),
          };
          return streamHostLogs({
            host: h.name,
            connection: h.connection,
            query,
            connect,
            signal,
            onLine,
            onStarted: () => --waiting === 0 && merger.open(),
          });
        }),
      );
    } finally {
      clearInterval(ticker);
      print(merger.end());
    }
  };
  const { value: outcomes, interrupted } =
    flags.follow === true
      ? await untilInterrupted(io, undefined, run)
      : { value: await run(undefined), interrupted: undefined };
  return verdict(service, outcomes, named.length > 0, io) || (interrupted ? 130 : 0);
}

/**
 * Reports hosts that failed (and, when named with --host, that do not run the service); 1 if any, or if none runs it.
 */
function verdict(service: string, outcomes: readonly HostLogOutcome[], named: boolean, io: CliIo): number {
  for (const o of outcomes) {
    if (o.status === 'failed') io.err(`rig logs: ${o.host}: ${o.error}`);
    if (o.status === 'absent' && named)
      io.err(`rig logs: ${o.host}: service ${service} does not run there (no container)`);
  }
  if (outcomes.every((o) => o.status === 'absent')) {
    io.err(
      `rig logs: service ${service} runs on none of ${outcomes.map((o) => o.host).join(', ')} (no container; see rig status)`,
    );
    return 1;
  }
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

function grepOf(pattern: string | undefined): RegExp | undefined {
  if (pattern === undefined) return undefined;
  try {
    return new RegExp(pattern);
  } catch (err) {
    throw new UsageError(`rig logs --grep: ${err instanceof Error ? err.message : String(err)}`);
  }
}
