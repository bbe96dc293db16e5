// How an error reads in a host's result and in a command's summary: diagnostics with their locations, a remote
// failure as its command and stderr tail, anything else as its message.
import { DiagnosticsError, formatDiagnostic } from './diagnostic.js';
import { HostUnreachableError, RemoteCommandError } from './remote-errors.js';

export function describeError(err: unknown): string {
  if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
  if (err instanceof RemoteCommandError)
    return `${compactCommand(withoutStderr(err.message))}${err.stderrTail.trim() ? `\n${err.stderrTail.trimEnd()}` : ''}`;
  if (err instanceof HostUnreachableError) return compactCommand(err.message);
  return err instanceof Error ? err.message : String(err);
}

/** A RemoteCommandError's message without the stderr it ends with (indented `  | `): the summary shows it once, after. */
function withoutStderr(message: string): string {
  const lines = message.split('\n');
  let end = lines.length;
  while (end > 1 && lines[end - 1]?.startsWith('  | ')) end--;
  return lines.slice(0, end).join('\n');
}

/** rig's own multi-line scripts are noise in a summary: keep the message's first two lines. */
function compactCommand(message: string): string {
  const lines = message.split('\n');
  if (lines.length <= 4) return message;
  return `${lines.slice(0, 2).join('\n')} … (${lines.length - 2} more lines of rig's script)`;
}
