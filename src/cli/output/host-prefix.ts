// The `host |` prefix of merged multi-host output: names padded to one width, each host its colour on a terminal.
import type { CliIo } from '../io.js';

const COLOURS = [36, 33, 35, 32, 34, 31, 96, 93, 95, 92, 94, 91];

/** A function painting a host name for a line prefix; plain when not on a terminal or with NO_COLOR set. */
export function hostPainter(hosts: readonly string[], io: CliIo): (host: string) => string {
  const width = Math.max(0, ...hosts.map((h) => h.length));
  const colour = io.isTTY && (io.env['NO_COLOR'] ?? '') === '';
  return (host) => {
    const padded = host.padEnd(width);
    if (!colour) return padded;
    const i = Math.max(0, hosts.indexOf(host));
    return `\x1b[${COLOURS[i % COLOURS.length] ?? 36}m${padded}\x1b[0m`;
  };
}
