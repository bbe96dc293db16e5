// `rig status`: what runs where — per host and service: state, health, uptime, image and digest against the lock,
// the release and who deployed it, the deploy lock. One exec per host, read-only, no lock.
import { lockFilePath, readLockFile } from '../../../pin/lockfile.js';
import { statusFactsOf } from '../../../status/status-host.js';
import { hostStatus } from '../../../status/status-model.js';
import { statusExitCode, statusJson, statusText } from '../../../status/status-format.js';
import type { StatusAnswer } from '../../../status/status-types.js';
import { queryHosts } from '../../remote/host-query.js';
import type { CliIo } from '../../io.js';

/**
 * Exit 0 every service healthy, 2 something is not (a service not running or not healthy, a host with no release, a
 * stale deploy lock), 1 a host could not be read. Takes no lock and writes nothing, so it may run beside a deploy.
 */
export async function statusCommand(args: string[], io: CliIo): Promise<number> {
  const {
    project,
    answers: raw,
    flags,
  } = await queryHosts('status', args, io, (t, h) =>
    statusFactsOf(t, { host: h.name, stack: h.stack, become: h.connection.become }),
  );
  const lockFile = readLockFile(lockFilePath(project.root, project.env));
  const answers: StatusAnswer[] = raw.map((a) =>
    'error' in a ? a : { host: a.host, value: hostStatus(a.value, lockFile) },
  );
  io.out(
    flags.json === true ? JSON.stringify(statusJson(project.env, answers), null, 2) : statusText(project.env, answers),
  );
  return statusExitCode(answers);
}
