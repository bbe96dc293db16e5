// Runs a command and turns a non-zero exit into a RemoteCommandError, classified by exit code.
import type { Cmd } from '../core/cmd/cmd.js';
import { display, secretsOf } from '../core/cmd/render.js';
import { BECOME_FAILED_EXIT, BECOME_FAILED_MARKER } from '../core/cmd/remote.js';
import { Redactor } from '../core/redact/redactor.js';
import { RemoteCommandError, type RemoteFailureKind } from '../core/errors/remote-errors.js';
import type { ExecOptions, ExecResult, Transport } from './transport.js';

/**
 * Classifies a failed result. The become pre-check exits with BECOME_FAILED_EXIT *and* prints its own
 * marker line, so a command that happens to exit with that code is not mistaken for a sudo failure.
 */
export function classifyFailure(result: Pick<ExecResult, 'code' | 'stderr'>, become: boolean): RemoteFailureKind {
  if (become && result.code === BECOME_FAILED_EXIT && result.stderr.includes(BECOME_FAILED_MARKER)) return 'become';
  return 'exit';
}

/**
 * `transport.exec`, then throws a RemoteCommandError (host, masked command, code, stderr tail with the
 * command's secrets masked) unless it exited 0.
 */
export async function run(transport: Transport, cmd: Cmd, opts: ExecOptions = {}): Promise<ExecResult> {
  const result = await transport.exec(cmd, opts);
  if (result.code === 0) return result;
  const kind = classifyFailure(result, opts.become === true);
  throw new RemoteCommandError(transport.host, display(cmd), kind, result.code, maskSecretsOf(cmd, result.stderr));
}

/** Masks the command's own secrets in text coming back from the host (a tool may echo its input). */
export function maskSecretsOf(cmd: Cmd, text: string): string {
  return new Redactor(secretsOf(cmd).map((s) => s.secret)).redact(text);
}
