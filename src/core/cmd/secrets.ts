// Where a command tree carries a known secret in the clear: argv, plain env values, redirection paths (never allowed).
import type { Cmd, ExecNode } from './cmd.js';

/**
 * The places of `cmd` that hold a secret (`touches`: the redactor's test, clear or encoded), described for a message:
 * `argument 2 of /bin/sh`, `plain environment value TOKEN of curl`, `a redirection path`. Empty when the command is
 * clean. A secret belongs in a `secret()` env value or on stdin: argv shows in `/proc/<pid>/cmdline`, `ps`, and with
 * sudo in the auth log.
 */
export function secretsInClear(cmd: Cmd, touches: (text: string) => boolean): string[] {
  switch (cmd.kind) {
    case 'exec':
      return execPlaces(cmd, touches);
    case 'not':
      return secretsInClear(cmd.cmd, touches);
    case 'redirect': {
      const paths = cmd.redirections.filter((r) => 'path' in r && touches(r.path));
      return [...secretsInClear(cmd.cmd, touches), ...paths.map(() => 'a redirection path')];
    }
    case 'and':
    case 'or':
    case 'seq':
    case 'pipe':
      return cmd.parts.flatMap((p) => secretsInClear(p, touches));
  }
}

function execPlaces(cmd: ExecNode, touches: (text: string) => boolean): string[] {
  const name = cmd.argv[0] ?? '';
  const args = cmd.argv.flatMap((a, i) =>
    !touches(a) ? [] : [i === 0 ? 'the program name' : `argument ${i} of ${name}`],
  );
  const env = Object.entries(cmd.env ?? {}).filter(([, v]) => typeof v === 'string' && touches(v));
  return [...args, ...env.map(([k]) => `plain environment value ${k} of ${name}`)];
}
