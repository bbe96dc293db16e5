// Reads and writes a crontab with the `crontab` binary (Debian package cron), as commands run by a Transport.
import { exec, type ExecNode } from '../core/cmd/cmd.js';
import { display } from '../core/cmd/render.js';
import { UserError } from '../core/errors/errors.js';
import type { ExecResult, Transport } from '../transport/transport.js';

/** Whose crontab: the current user's, or (root only: `crontab -u`) another account's. */
export interface CrontabOwner {
  readonly user?: string | undefined;
}

/** `crontab [-u USER] -l` / `crontab [-u USER] -` (stdin). */
export function crontabCmd(owner: CrontabOwner, action: '-l' | '-'): ExecNode {
  return exec(['crontab', ...(owner.user === undefined ? [] : ['-u', owner.user]), action]);
}

/**
 * The one classifier of crontab's failures. `crontab -l` exits 1 both for "no crontab for USER" (an empty crontab to
 * us) and for real failures, so that one case is told by its message; 127 is a missing binary.
 */
export function crontabFailure(r: Pick<ExecResult, 'code' | 'stderr'>): 'ok' | 'none' | 'not-installed' | 'failed' {
  if (r.code === 0) return 'ok';
  if (r.code === 127) return 'not-installed';
  return r.code === 1 && /^no crontab for \S+\s*$/.test(r.stderr.trim()) ? 'none' : 'failed';
}

/** The crontab's text ('' when the user has none). */
export async function readCrontab(t: Transport, owner: CrontabOwner): Promise<string> {
  const cmd = crontabCmd(owner, '-l');
  const r = await t.exec(cmd);
  return checked(t, cmd, r) === 'none' ? '' : r.stdout;
}

/** Installs `text` as the whole crontab (over stdin: never a temp file others could read). */
export async function writeCrontab(t: Transport, owner: CrontabOwner, text: string): Promise<void> {
  const cmd = crontabCmd(owner, '-');
  checked(t, cmd, await t.exec(cmd, { stdin: text }));
}

function checked(t: Transport, cmd: ExecNode, r: ExecResult): 'ok' | 'none' {
  const kind = crontabFailure(r);
  switch (kind) {
    case 'ok':
    case 'none':
      return kind;
    case 'not-installed':
      throw new UserError(
        `${display(cmd)}: crontab not found: install the Debian package cron (scripts/ensure-deps.sh does)`,
      );
    case 'failed':
      throw new UserError(
        `${t.host}: ${display(cmd)} failed with exit code ${r.code}${r.stderr.trim() === '' ? '' : `: ${r.stderr.trim()}`}`,
      );
  }
}
