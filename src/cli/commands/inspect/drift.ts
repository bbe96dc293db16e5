// `rig drift`: is each host still what its last release says (managed files, containers, images)? Read-only, lock-free.
import { Redactor } from '../../../core/redact/redactor.js';
import { driftOnHost } from '../../../drift/drift-host.js';
import { driftExitCode, driftJson, driftText } from '../../../drift/drift-format.js';
import type { CliIo } from '../../io.js';
import { queryHosts } from '../../remote/host-query.js';

/**
 * Exit 0 every host in sync, 2 some drifted, 1 some host could not be compared (unreachable, never deployed by rig).
 * Takes no deploy lock and writes nothing on the hosts (not even a journal line), so cron may run it beside a deploy
 * (which may then show as drift for a moment: a host in the middle of a deploy is between two releases).
 */
export async function driftCommand(args: string[], io: CliIo): Promise<number> {
  // The project's redactor is io's (openWorkspace takes it): it knows the vault's secrets once the project loaded.
  const redactor = io.redactor ?? new Redactor();
  const { project, answers, flags } = await queryHosts('drift', args, io, (t, h) =>
    driftOnHost(t, { host: h.name, stack: h.stack, become: h.connection.become, redactor }),
  );
  io.out(
    flags.json === true
      ? JSON.stringify(project.redactor.redactValue(driftJson(project.env, answers)), null, 2)
      : driftText(project.env, answers),
  );
  return driftExitCode(answers);
}
