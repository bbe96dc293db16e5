// How an error reads in a host's result and in a command's summary: diagnostics with their locations, a remote
// failure as its command and stderr tail, anything else as its message.
import { DiagnosticsError, formatDiagnostic } from './diagnostic.js';
import { HostUnreachableError, RemoteCommandError } from './remote-errors.js';

export function describeError(err: unknown): string {
  if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
  // the stderr once, after the command (the message holds it too, indented)
  if (err instanceof RemoteCommandError)
    return `${compactCommand(err.headline)}${err.stderrTail.trim() ? `\n${err.stderrTail.trimEnd()}` : ''}`;
  if (err instanceof HostUnreachableError) return compactCommand(err.message);
  return err instanceof Error ? err.message : String(err);
}

/** rig's own multi-line scripts are noise in a summary: keep the headline's first two lines. */
function compactCommand(headline: string): string {
  const lines = headline.split('\n');
  if (lines.length <= 4) return headline;
  return `${lines.slice(0, 2).join('\n')} … (${lines.length - 2} more lines of rig's script)`;
}
