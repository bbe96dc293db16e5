// Applies file and directory changes atomically: upload to temps beside the targets, then one exec renames them in.
import { display } from '../core/cmd-render.js';
import { sh } from '../core/cmd.js';
import { RemoteCommandError } from '../transport/errors.js';
import { maskSecretsOf, run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { ApplyFilesError } from './apply-files-error.js';
import { applyStepsCmd, STEP_FAILED_EXIT, type ApplyStep } from './apply-files-script.js';
import { parseStepStatus } from './apply-files-status.js';
import { planApplyRounds, type ApplyRounds, type DirWrite, type FileWrite } from './apply-files-steps.js';
import { FileCheckError } from './apply-files-error.js';
import { newRunId } from './apply-temp-name.js';

export type { DirWrite, FileWrite } from './apply-files-steps.js';

/** Options of `applyFiles`. */
export interface ApplyFilesOptions {
  /** Deadline of each exec (the upload has none: its duration depends on the bytes). */
  readonly timeoutMs?: number;
  /**
   * Apply as root through `sudo -n` when the login user is not root: uploads are staged in a private directory
   * of the login user (`/tmp/.rig-stage-<run>`, mode 0700, created with mkdir so an existing one is refused), then
   * the sudo'ed exec copies each next to its target, commits it as usual, and removes the staging directory.
   */
  readonly become?: boolean;
}

/** What an apply changed. */
export interface ApplyFilesResult {
  /** Files whose content was replaced (created or renamed over). */
  readonly written: readonly string[];
  /** Files and directories whose attrs were set without a content change. */
  readonly attrsSet: readonly string[];
  readonly dirsCreated: readonly string[];
}

/**
 * Brings files and directories to their desired state on one host. Round trips: none when there is
 * nothing to do; 1 exec for attrs-only changes; 1 SFTP + 1 exec for content changes (plus 1 exec first
 * when a directory must be created before the upload). Each changed file is uploaded to
 * `.<basename>.rig-tmp-<run>` in its own directory (mode 0600), then chmod/chown'ed, fsynced and renamed
 * over the target, and the directory fsynced: readers see the old or the new file, never a partial one,
 * also when the run is killed. The final exec first sweeps temps a killed run left in those directories.
 *
 * Without `become` the SSH user must be able to write the target directories; with it (and a non-root
 * user) uploads are staged first, see ApplyFilesOptions.become. Directory creation is `mkdir -p`: only the leaf
 * gets the asked attrs. A replaced file keeps the old one's mode/owner unless asked otherwise (a new file
 * without a mode gets 0644); ACLs, xattrs and SELinux labels are not carried over.
 *
 * Throws ApplyFilesError naming the failed path and step (the paths after it are left unchanged and their
 * temps removed), RemoteFileError when the upload fails (this run's temps are then removed), or a
 * RemoteCommandError when the script itself could not run to its end.
 */
export async function applyFiles(t: Transport, files: readonly FileWrite[], dirs: readonly DirWrite[], opts: ApplyFilesOptions = {}): Promise<ApplyFilesResult> {
  const runId = newRunId();
  const stage = opts.become === true && t.user !== 'root' ? `/tmp/.rig-stage-${runId}` : undefined;
  const rounds = planApplyRounds(files, dirs, runId, stage);
  const uploadedPaths = files.filter((f) => f.contentChanged).map((f) => f.path);
  const timeout = opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs };
  const execOpts = { ...timeout, become: opts.become === true };
  if (stage !== undefined && rounds.uploads.length > 0) await run(t, sh('mkdir -m 0700 -- "$1"', stage), timeout);
  if (rounds.pre.length > 0) await runSteps(t, runId, rounds.pre, execOpts, uploadedPaths);
  if (rounds.uploads.length > 0) await upload(t, rounds.uploads, timeout);
  if (rounds.checks.length > 0) await runChecks(t, rounds, execOpts);
  if (rounds.main.length > 0) await runSteps(t, runId, rounds.main, execOpts, []);
  return {
    written: uploadedPaths,
    attrsSet: [...files.filter((f) => !f.contentChanged), ...dirs.filter((d) => !d.create)].filter(hasAttrs).map((x) => x.path),
    dirsCreated: dirs.filter((d) => d.create).map((d) => d.path),
  };
}

async function upload(t: Transport, uploads: Parameters<Transport['putFiles']>[0], opts: ApplyFilesOptions): Promise<void> {
  try {
    await t.putFiles(uploads);
  } catch (err) {
    // Best effort: a failure here must not hide the upload's own error; a later sweep removes what is left.
    await t.exec(sh('rm -f -- "$@"', ...uploads.map((u) => u.path)), opts).catch(() => undefined);
    throw err;
  }
}

/** Each file's check on its uploaded copy; a failure removes every upload of the run and throws FileCheckError. */
async function runChecks(t: Transport, rounds: ApplyRounds, opts: { timeoutMs?: number; become: boolean }): Promise<void> {
  for (const c of rounds.checks) {
    const r = await t.exec(c.cmd, opts);
    if (r.code === 0) continue;
    await t.exec(sh('rm -f -- "$@"', ...rounds.uploads.map((u) => u.path)), opts).catch(() => undefined);
    throw new FileCheckError(t.host, c.path, display(c.cmd), r.code, maskSecretsOf(c.cmd, r.stderr || r.stdout));
  }
}

/** Runs one exec of steps; throws ApplyFilesError for a failed step (`pending`: paths of later rounds, also not done). */
async function runSteps(t: Transport, runId: string, steps: readonly ApplyStep[], opts: { timeoutMs?: number; become: boolean }, pending: readonly string[]): Promise<void> {
  const cmd = applyStepsCmd(runId, steps);
  const r = await t.exec(cmd, opts);
  const reports = parseStepStatus(r.stdout, steps);
  if (r.code === 0 && reports.every((x) => x.outcome.status === 'ok')) return;
  const failed = reports.find((x) => x.outcome.status === 'fail');
  if (r.code !== STEP_FAILED_EXIT || failed === undefined || failed.outcome.status !== 'fail') {
    throw new RemoteCommandError(t.host, display(cmd), 'exit', r.code, r.stderr);
  }
  const targets = reports.filter((x) => x.step.kind === 'mkdir' || x.step.kind === 'attrs' || x.step.kind === 'commit');
  const done = targets.filter((x) => x.outcome.status === 'ok').map((x) => x.step.path);
  const notDone = [...targets.filter((x) => x.outcome.status !== 'ok').map((x) => x.step.path), ...pending];
  throw new ApplyFilesError(t.host, display(cmd), r.code, r.stderr, failed.step.path, failed.outcome.what, done, notDone);
}

function hasAttrs(x: FileWrite | DirWrite): boolean {
  return x.mode !== undefined || x.owner !== undefined || x.group !== undefined;
}
