// The remote half of `rig logs`: `docker logs --timestamps` of one container, refusing clearly when it is not there.
import { sh, type ExecNode } from '../core/cmd/cmd.js';
import { UsageError } from '../core/errors/errors.js';

/** Exit status of the logs script when the host has no such container (with NO_CONTAINER_MARKER on stderr). */
export const NO_CONTAINER_EXIT = 96;
export const NO_CONTAINER_MARKER = 'rig: no such container:';

/** What to read of one container's log. */
export interface LogsQuery {
  readonly container: string;
  readonly follow: boolean;
  /** As docker takes it (`10m`, `1h30m`, an RFC 3339 time or epoch seconds); see `parseSince`. */
  readonly since?: string;
  readonly tail?: number;
}

/*
 * Args: the container, then docker logs flags. A missing container is told from a dead daemon: only when docker
 * answers does the script print the marker and exit NO_CONTAINER_EXIT. `exec` makes docker logs the session's own
 * process, so a pty hang-up (the channel closed) reaches it directly.
 */
const SCRIPT = `c=$1; shift
if ! docker container inspect --format '{{.Id}}' -- "$c" >/dev/null 2>&1; then
  docker version --format '{{.Server.Version}}' >/dev/null || exit
  printf '%s %s\\n' '${NO_CONTAINER_MARKER}' "$c" >&2
  exit ${NO_CONTAINER_EXIT}
fi
exec docker logs "$@" -- "$c"`;

/** The command printing (or following) the container's log, each line stamped with its time. */
export function logsCmd(q: LogsQuery): ExecNode {
  const flags = [
    '--timestamps',
    ...(q.follow ? ['--follow'] : []),
    ...(q.since === undefined ? [] : ['--since', q.since]),
    ...(q.tail === undefined ? [] : ['--tail', String(q.tail)]),
  ];
  return sh(SCRIPT, q.container, ...flags);
}

const DURATION = /^(\d+(\.\d+)?(h|m|s|ms))+$/;
const DAYS = /^(\d+)d$/;
const DATE = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?)?$/;
const EPOCH = /^\d{9,}(\.\d+)?$/;

/**
 * `--since`: a duration (`10m`, `1h30m`; `2d` becomes `48h`, docker knows no days), a date or time, or epoch seconds.
 */
export function parseSince(text: string): string {
  const days = DAYS.exec(text);
  if (days !== null) return `${Number(days[1]) * 24}h`;
  if (DURATION.test(text) || DATE.test(text) || EPOCH.test(text)) return text;
  throw new UsageError(
    `rig logs --since: "${text}" is not a duration (10m, 1h30m, 2d), a time (2026-12-01T07:00:00Z) or epoch seconds`,
  );
}

/** `--tail`: a whole number of lines per host, or `all`. */
export function parseTail(text: string): number | undefined {
  if (text === 'all') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(`rig logs --tail: "${text}" is not a number of lines (or all)`);
}
