// The SERVICE argument of `rig logs` and `rig exec`: exactly one compose service name.
import { UsageError } from '../../core/errors/errors.js';

const SERVICE_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The one positional of `command`, checked as a compose service name. */
export function serviceArg(command: string, positionals: readonly string[]): string {
  const [service, extra] = positionals;
  if (service === undefined)
    throw new UsageError(
      `rig ${command}: which service? usage: rig ${command} SERVICE [flags] (rig status lists them)`,
    );
  if (extra !== undefined) throw new UsageError(`rig ${command}: one service only, got "${service}" and "${extra}"`);
  if (!SERVICE_NAME.test(service)) throw new UsageError(`rig ${command}: "${service}" is not a service name`);
  return service;
}
