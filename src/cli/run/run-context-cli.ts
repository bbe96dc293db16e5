// Builds a run's shared context from the CLI: who runs it (user, workstation, git commit), the lock, and SIGINT/SIGTERM
// handling.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { newLockInfo } from '../../lock/lock.js';
import { workstationId } from '../../lock/lock-holder.js';
import type { RunContext } from '../../engine/run-context.js';
import { testPauses } from '../../engine/test-pause.js';
import { untilInterrupted } from '../remote/interrupts.js';
import type { CliIo } from '../io.js';
import { recordedCommand } from './secret-vars.js';
import { runIdentity } from '../../config/run-identity.js';

// node:child_process rather than execa here: this runs on every deploy, and execa's module graph costs ~40 ms of
// start-up (see bench/); one argv-only call needs none of what it adds.
const run = promisify(execFile);

/** The repository's commit and whether the work tree has changes; null outside git (or without git). */
export async function gitState(root: string): Promise<RunContext['git']> {
  try {
    // one process for both: `# branch.oid <commit>` and a line per changed tracked file (porcelain v2)
    const { stdout } = await run('git', ['status', '--porcelain=v2', '--branch', '--untracked-files=no'], {
      cwd: root,
    });
    return parseGitStatus(stdout);
  } catch {
    return null;
  }
}

/** `git status --porcelain=v2 --branch` output → commit and dirtiness; null before the first commit. */
function parseGitStatus(stdout: string): RunContext['git'] {
  const lines = stdout.split('\n').filter((l) => l !== '');
  const commit = /^# branch\.oid ([0-9a-f]{40,64})$/m.exec(stdout)?.[1];
  if (commit === undefined) return null;
  return { commit, dirty: lines.some((l) => !l.startsWith('# ')) };
}

/** A context for `mode`; `argv` is the command line shown in the lock and the journal. */
export async function runContext(
  mode: RunContext['mode'],
  opts: {
    env: string;
    root: string;
    argv: readonly string[];
    breakLock: boolean;
    autoRollback: boolean;
    removeUndeclared: boolean;
    rollbackTo?: string;
    signal?: AbortSignal;
    git: Promise<RunContext['git']>;
  },
  io: CliIo,
): Promise<RunContext> {
  const { runId, user, workstation } = runIdentity(io.env);
  const pause = testPauses(io.env);
  const ws = workstationId(io.env);
  // the lease here is a placeholder: each host's holder line carries that host's rig_lock_lease
  const lock =
    mode === 'plan'
      ? undefined
      : newLockInfo(
          recordedCommand(['rig', mode, ...opts.argv]),
          90,
          { ...process.env, USER: user },
          { workstationId: ws, deployId: runId },
        );
  return {
    mode,
    env: opts.env,
    root: opts.root,
    runId,
    user,
    workstation,
    workstationId: ws,
    git: mode === 'plan' ? null : await opts.git,
    ...(lock ? { lock } : {}),
    breakLock: opts.breakLock,
    autoRollback: opts.autoRollback,
    removeUndeclared: opts.removeUndeclared,
    ...(opts.rollbackTo !== undefined ? { rollbackTo: opts.rollbackTo } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(pause ? { pause } : {}),
    log: (line) => io.err(line),
    ...(pause ? { pause } : {}),
  };
}

/**
 * While `fn` runs, the first SIGINT/SIGTERM aborts the run (hosts stop after their current step, journal
 * "interrupted", release their locks); a second one exits at once with 130. A step running on a host as a detached
 * job (compose up, removals) completes there either way, and the next deploy finishes what this one began.
 */
export async function withInterrupts<T>(
  io: CliIo,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interrupted: string | undefined }> {
  return untilInterrupted(
    io,
    'stopping after the current step, then releasing the deploy locks (again to quit at once)',
    fn,
  );
}
