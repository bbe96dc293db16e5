// Pure: one line of `docker logs --timestamps` split into its time (sortable across hosts) and its message.

/**
 * A log line of one host. `key` sorts by time (RFC 3339 with the fraction padded to nanoseconds); undefined: no time.
 */
export interface LogLine {
  readonly host: string;
  readonly key: string | undefined;
  /** The timestamp as docker printed it. */
  readonly time: string | undefined;
  readonly text: string;
}

// Docker prints RFC3339Nano in UTC: trailing zeros of the fraction are dropped, so `…:05.1Z` and `…:05.100000001Z`
// occur.
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z /;

/** Splits `2026-12-05T10:17:32.711587057Z message`; a line without the stamp (a docker error) has no key. */
export function parseLogLine(host: string, line: string): LogLine {
  const m = STAMP.exec(line);
  if (m === null) return { host, key: undefined, time: undefined, text: line };
  const [stamp = '', seconds = '', fraction = ''] = m;
  return { host, key: `${seconds}.${fraction.padEnd(9, '0')}`, time: stamp.trimEnd(), text: line.slice(stamp.length) };
}

/** Cuts a byte stream into lines: complete lines out, the unfinished tail kept; `\r\n` (a pty's) counts as `\n`. */
export class LineSplitter {
  private tail = '';
  private readonly decoder = new TextDecoder('utf-8');

  /** The complete lines in `chunk` (with what was kept before it). */
  push(chunk: Buffer): string[] {
    const text = this.tail + this.decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    this.tail = parts.pop() ?? '';
    return parts.map((l) => l.replace(/\r$/, ''));
  }

  /** The unfinished last line, if any (at the end of the stream). */
  end(): string[] {
    const rest = this.tail + this.decoder.decode();
    this.tail = '';
    return rest === '' ? [] : [rest.replace(/\r$/, '')];
  }
}
