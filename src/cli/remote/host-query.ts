// Read-only commands that ask each selected host something over SSH (releases, history): connect, run, collect per
// host.
import type { Connection } from '../../config/inventory/connection.js';
import type { HostConfig, Project } from '../../config/project.js';
import { loadSettings } from '../../config/settings.js';
import { formatDiagnostic } from '../../core/errors/diagnostic.js';
import { UsageError } from '../../core/errors/errors.js';
import { describeError } from '../../core/errors/describe-error.js';
import { mapPool } from '../../core/pool.js';
import type { Transport } from '../../transport/transport.js';
import { PROJECT_OPTIONS, parseFlags } from '../args.js';
import type { CliIo } from '../io.js';
import { connectorOf } from './host-connector.js';
import { openProject } from '../project-context.js';

export const QUERY_OPTIONS = {
  ...PROJECT_OPTIONS,
  host: { type: 'string', multiple: true },
  limit: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  'known-hosts': { type: 'string' },
} as const;

export type QueryFlags = ReturnType<typeof parseFlags<typeof QUERY_OPTIONS>>['values'];

/** One host's answer, or why there is none. */
export type HostAnswer<T> =
  { readonly host: string; readonly value: T } | { readonly host: string; readonly error: string };

/**
 * Loads the project (every host the playbook targets, narrowed by --host/--limit) and runs `fn` on each host in
 * parallel.
 */
export async function queryHosts<T>(
  command: string,
  args: string[],
  io: CliIo,
  fn: (t: Transport, host: HostConfig) => Promise<T>,
): Promise<{ project: Project; answers: HostAnswer<T>[]; flags: QueryFlags }> {
  const { values: flags, positionals } = parseFlags(command, args, QUERY_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`rig ${command}: unexpected argument "${positionals[0]}"`);
  const limit = [...(flags.host ?? []), ...(flags.limit ?? [])];
  const project = await openProject(flags, io, { ...(limit.length > 0 ? { limit } : {}) });
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const settings = loadSettings(project.root, io.env);
  const connect = await hostConnector(project, flags, io);
  const answers = await mapPool([...project.hosts.values()], settings.RIG_FORKS, async (h): Promise<HostAnswer<T>> => {
    let t: Transport | undefined;
    try {
      t = await connect(h.name, h.connection);
      return { host: h.name, value: await fn(t, h) };
    } catch (err) {
      return { host: h.name, error: describeError(err) };
    } finally {
      await t?.close().catch(() => undefined);
    }
  });
  return { project, answers, flags };
}

/**
 * How the day-2 commands reach a host: the deploy's ssh settings, `--known-hosts F` or `inventory/<env>/known_hosts`.
 */
export async function hostConnector(
  project: Project,
  flags: { 'known-hosts'?: string | undefined; 'accept-new-host-keys'?: boolean | undefined },
  io: CliIo,
): Promise<(name: string, c: Connection) => Promise<Transport>> {
  return connectorOf(project.inventory, flags, io, loadSettings(project.root, io.env));
}
