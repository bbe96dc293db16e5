// Fencing: every command a run sends to a host while it holds the deploy lock first checks, in the same exec, that the
// lock still carries the run's token and a live lease. A holder that slept past its lease (a laptop lid, SIGSTOP) and
// whose lock was taken over is stopped before its next change, however its own timers behave.
import { and, exec, sh, shScriptOf, type Cmd, type ExecNode } from '../core/cmd/cmd.js';
import { display } from '../core/cmd/render.js';
import { UserError } from '../core/errors/errors.js';
import { HostUnreachableError } from '../core/errors/remote-errors.js';
import type { ExecOptions, ExecResult, FileToPut, Transport, TransportCounters } from '../transport/transport.js';
import { tokenNeedle } from './lock-info.js';

/** Exit status of a fenced command whose lock is no longer the run's (EX_NOPERM: the run may change nothing more). */
export const FENCED_EXIT = 77;
const MARKER = 'rig-fence:';

/*
 * Args: stateDir, the token needle, the lease in seconds. Silent and status 0 while the lock is ours and renewed
 * within its lease; else one `rig-fence: <why>` line on stderr and exit FENCED_EXIT, so the command after it never
 * runs. It runs before every change a run makes, so its usual path costs one process: the lock is one line, read by
 * the shell; GNU find says whether it was renewed within the lease. When find says no (or cannot say), stat and date
 * measure the age exactly, and name it. It never exits 0 and its variables are its own (`rig_f*`, unset at its end):
 * `fenced` puts it at the head of the script it guards.
 */
const FENCE = `rig_fl=$1/lock rig_fc=
{ IFS= read -r rig_fc || :; } 2>/dev/null <"$rig_fl" || { echo "${MARKER} the deploy lock is gone (broken by someone?)" >&2; exit ${FENCED_EXIT}; }
case $rig_fc in *"$2"*) ;; *) echo "${MARKER} the deploy lock was taken over by another run" >&2; exit ${FENCED_EXIT} ;; esac
if [ -z "$(find -- "$rig_fl" -prune -newermt "$3 seconds ago" 2>/dev/null)" ]; then
  rig_fm=$(stat -c %Y -- "$rig_fl" 2>/dev/null) || { echo "${MARKER} the deploy lock is gone (broken by someone?)" >&2; exit ${FENCED_EXIT}; }
  rig_fa=$(( $(date +%s) - rig_fm ))
  [ "$rig_fa" -le "$3" ] || { echo "${MARKER} the deploy lock's lease expired (not renewed for \${rig_fa}s, lease $3s)" >&2; exit ${FENCED_EXIT}; }
fi
unset rig_fl rig_fc rig_fm rig_fa`;

/** The lock a run's changes are fenced by. */
export interface Fence {
  readonly stateDir: string;
  readonly token: string;
  readonly leaseSec: number;
}

/** The check alone, to put in front of a command. */
export function fenceCmd(f: Fence): ExecNode {
  return sh(FENCE, f.stateDir, tokenNeedle(f.token), String(f.leaseSec));
}

/**
 * `cmd`, run only while the lock is the run's. An `sh` script gets the check at its head (its arguments shifted in
 * after the fence's three): one shell for both, where `fence && cmd` cost two and a wrapper.
 */
export function fenced(f: Fence, cmd: Cmd): Cmd {
  const check = fenceCmd(f);
  const inner = shScriptOf(cmd);
  if (!inner) return and(check, cmd);
  return exec([
    '/bin/sh',
    '-c',
    `${FENCE}\nshift 3\n${inner.script}`,
    inner.name,
    ...check.argv.slice(4),
    ...inner.args,
  ]);
}

/** The run lost its deploy lock on `host`: it stops there, changing nothing more. */
export class LockLostError extends UserError {
  constructor(
    readonly host: string,
    readonly reason: string,
  ) {
    super(
      `${host}: ${reason}: this run stops here and changes nothing more on the host (another run may be deploying it)`,
    );
  }
}

/** True when an exec's result is the fence refusing (not the command failing with the same code). */
export function isFenced(r: Pick<ExecResult, 'code' | 'stderr'>): boolean {
  return r.code === FENCED_EXIT && r.stderr.includes(MARKER);
}

/** The fence's own words from a refused exec's stderr. */
export function fenceReason(stderr: string): string {
  const line = stderr.split('\n').find((l) => l.includes(MARKER)) ?? '';
  return line.slice(line.indexOf(MARKER) + MARKER.length).trim() || "the deploy lock is no longer this run's";
}

/**
 * `t` with every exec fenced: a refused one throws LockLostError instead of returning. File uploads pass as they are
 * (they write temp files only; the exec that renames them into place is fenced). With `become`, the run's lock is
 * root's: an exec without become runs as the login user, who can neither read it nor change what the run deploys
 * (it prepares staging dirs for uploads), so it passes unfenced.
 */
export function fencedTransport(t: Transport, f: Fence, become: boolean): Transport {
  return {
    host: t.host,
    ...(t.user !== undefined ? { user: t.user } : {}),
    factsTimeoutMs: t.factsTimeoutMs,
    async exec(cmd: Cmd, opts?: ExecOptions): Promise<ExecResult> {
      if (become && opts?.become !== true) return t.exec(cmd, opts);
      const wrapped = fenced(f, cmd);
      const r = await t.exec(wrapped, opts).catch((err: unknown) => {
        // errors name the command: the caller's, not the fence around it
        if (err instanceof HostUnreachableError)
          throw new HostUnreachableError(err.host, err.reason.replace(display(wrapped), display(cmd)), { cause: err });
        throw err;
      });
      if (isFenced(r)) throw new LockLostError(t.host, fenceReason(r.stderr));
      return r;
    },
    // streamed commands are the day-2 commands' (logs, exec), never a deploy step: nothing to fence
    stream: (cmd, opts) => t.stream(cmd, opts),
    putFiles: (files: readonly FileToPut[]) => t.putFiles(files),
    get counters(): TransportCounters {
      return t.counters;
    },
    close: () => t.close(),
  };
}
