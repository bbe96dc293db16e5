// Runs plan or deploy over every selected host in parallel (up to `forks`), one SSH connection per host.
import type { Connection } from '../config/connection.js';
import type { RoleOps } from '../config/render-roles.js';
import type { Project } from '../config/project.js';
import { defaultSshOptions } from '../transport/ssh-defaults.js';
import { SshTransport, type SshTransportOptions } from '../transport/ssh-transport.js';
import type { Transport } from '../transport/transport.js';
import { finishSession, openAndPlan, type HostResult } from './host-run.js';
import { mapPool } from './pool.js';

export interface RunHostsOptions {
  readonly apply: boolean;
  readonly forks: number;
  readonly connectTimeoutSec: number;
  readonly acceptNewHostKeys: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Repository known_hosts (checked besides ~/.ssh/known_hosts; new keys are written there). */
  readonly repoKnownHosts?: string;
  /** Called as each host finishes (progress lines). */
  readonly onHost?: (r: HostResult) => void;
  /** Between planning and applying (deploy only): false (or a throw) aborts before any change. */
  readonly confirm?: (planned: readonly HostResult[]) => Promise<boolean>;
}

/** The user declined the plan: nothing was changed. */
export class DeclinedError extends Error {
  override readonly name = 'DeclinedError';
}

/** Plans (and applies, when asked) every host of `rendered`; host failures are results, never exceptions. */
export async function runHosts(project: Project, rendered: ReadonlyMap<string, readonly RoleOps[]>, opts: RunHostsOptions): Promise<HostResult[]> {
  const ssh = await defaultSshOptions({
    acceptNewHostKeys: opts.acceptNewHostKeys,
    env: opts.env,
    readyTimeoutMs: opts.connectTimeoutSec * 1000,
    ...(opts.repoKnownHosts ? { repoKnownHosts: opts.repoKnownHosts } : {}),
  });
  const hosts = [...project.hosts.values()];
  const sessions = await mapPool(hosts, opts.forks, (h) =>
    openAndPlan({ host: h.name, connection: h.connection, roleOps: rendered.get(h.name) ?? [], redactor: project.redactor, connect: (name, c) => connectSsh(name, c, ssh) }),
  );
  const planned = sessions.map((s) => s.result);
  if (opts.apply && opts.confirm && !(await opts.confirm(planned))) {
    await Promise.all(sessions.flatMap((s) => (s.transport ? [s.transport.close().catch(() => undefined)] : [])));
    throw new DeclinedError('declined: nothing was changed');
  }
  return mapPool(sessions, opts.forks, async (s) => {
    const r = await finishSession(s, opts.apply);
    opts.onHost?.(r);
    return r;
  });
}

function connectSsh(name: string, c: Connection, ssh: SshTransportOptions): Promise<Transport> {
  return SshTransport.connect(
    {
      name,
      host: c.host,
      ...(c.port !== undefined ? { port: c.port } : {}),
      ...(c.user !== undefined ? { user: c.user } : {}),
      ...(c.sshKey !== undefined ? { identityFiles: [c.sshKey] } : {}),
    },
    ssh,
  );
}

