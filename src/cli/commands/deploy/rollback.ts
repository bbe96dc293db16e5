// `rig rollback`: re-applies a release kept on each host (default: the one before the current) through the plan/apply
// path.
import { applyCommand } from './deploy.js';
import type { CliIo } from '../../io.js';

/** Exit 0 when every host is back on the release (or already was), 1 otherwise, 130 when interrupted. */
export function rollbackCommand(args: string[], io: CliIo): Promise<number> {
  return applyCommand('rollback', args, io);
}
