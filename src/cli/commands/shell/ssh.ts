// `rig ssh HOST [-t] [-- CMD…]`: a login shell (or one command) on an inventory host with the deploy's connection
// settings, host-key checks and become (a root shell through `sudo -n`). The exit code is the remote one.
import { exec, sh, type Cmd } from '../../../core/cmd/cmd.js';
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError } from '../../../core/errors/errors.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import { hostConnector } from '../../remote/host-query.js';
import type { CliIo } from '../../io.js';
import { openProject } from '../../project-context.js';
import { runSession } from '../../remote/remote-session.js';

const SSH_OPTIONS = {
  ...PROJECT_OPTIONS,
  tty: { type: 'boolean', short: 't' },
  'no-become': { type: 'boolean' },
  'accept-new-host-keys': { type: 'boolean' },
  'known-hosts': { type: 'string' },
} as const;

/** The login shell of the user we end up as (root under become), started in its home like `sudo -i` / ssh do. */
const LOGIN_SHELL = sh('cd 2>/dev/null; exec "${SHELL:-/bin/sh}" -l');

/**
 * With no command: a login shell, on a pty when rig runs on a terminal (else it reads commands from stdin, as ssh
 * does). With `-- CMD…`: that argv, quoted word by word; a pty only with -t; stdin forwarded unless it is a terminal.
 */
export async function sshCommand(args: string[], io: CliIo): Promise<number> {
  const dash = args.indexOf('--');
  const argv = dash < 0 ? [] : args.slice(dash + 1);
  const { values: flags, positionals } = parseFlags('ssh', dash < 0 ? args : args.slice(0, dash), SSH_OPTIONS);
  const [name, extra] = positionals;
  if (name === undefined) throw new UsageError('rig ssh: which host? usage: rig ssh HOST [-t] [-- CMD…]');
  if (extra !== undefined)
    throw new UsageError(
      `rig ssh: one host, then the command after --: rig ssh ${name} -- ${positionals.slice(1).join(' ')}`,
    );
  const tty = flags.tty === true || (argv.length === 0 && io.terminal !== undefined);
  if (tty && io.terminal === undefined) throw new UsageError('rig ssh -t: stdin and stdout must be a terminal');
  const project = await openProject(flags, io, { limit: [name], allHosts: true });
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const hosts = [...project.hosts.values()];
  const [host] = hosts;
  if (host === undefined || hosts.length > 1)
    throw new UsageError(
      `rig ssh: "${name}" is ${hosts.length === 0 ? 'no host' : `a group of ${hosts.length} hosts (${hosts.map((h) => h.name).join(', ')})`}: name one host`,
    );
  const t = await (await hostConnector(project, flags, io))(host.name, host.connection);
  try {
    const cmd: Cmd = argv.length === 0 ? LOGIN_SHELL : exec(argv);
    const become = host.connection.become && flags['no-become'] !== true;
    return await runSession(
      t,
      cmd,
      { tty, stdin: tty || io.stdin.isTTY !== true, become, redactor: project.redactor },
      io,
    );
  } finally {
    await t.close().catch(() => undefined);
  }
}
