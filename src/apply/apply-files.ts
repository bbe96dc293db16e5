// Applies file and directory changes atomically: content on one exec's stdin into temps beside the targets, renamed in.
import { cmdBatch, type CmdBatch, type PartResult } from '../core/cmd/batch.js';
import type { Cmd, ExecNode } from '../core/cmd/cmd.js';
import { CommandTooLongError } from '../core/cmd/limit.js';
import { display } from '../core/cmd/render.js';
import { RemoteCommandError } from '../core/errors/remote-errors.js';
import { maskSecretsOf } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { ApplyFilesError, FileCheckError } from './apply-files-error.js';
import { applyStepsCmd, STEP_FAILED_EXIT, type ApplyStep } from './apply-files-script.js';
import { parseStepStatus, type StepReport } from './apply-files-status.js';
import { planApplyRounds, type ApplyRounds, type DirWrite, type FileWrite } from './apply-files-steps.js';
import { tempFromTemplate } from './apply-temp-name.js';

export type { DirWrite, FileWrite } from './apply-files-steps.js';

/** Options of `applyFiles`. */
export interface ApplyFilesOptions {
  /** Deadline of each exec. */
  readonly timeoutMs?: number;
  /** Apply as root through `sudo -n` when the login user is not root (the content goes through sudo's stdin). */
  readonly become?: boolean;
  /**
   * Commands for the same exec once every step succeeded (the run's finish, when the files are its last change):
   * sent only when the files take one exec (no checks) and the whole still fits a command line.
   */
  readonly tail?: ExecTail;
}

/** Commands that ride the files' exec, after them, gated on their success; their stdin follows the contents. */
export interface ExecTail {
  readonly cmds: readonly Cmd[];
  readonly stdin: string;
  /** Called as that exec is sent. */
  readonly sent?: () => void;
}

/** The tail's outcome: each command's exit code and output (fewer than sent when the exec ended early), its stderr. */
export interface TailOutcome {
  readonly parts: readonly PartResult[];
  readonly stderr: string;
}

/** What an apply changed. */
export interface ApplyFilesResult {
  /** Files whose content was replaced (created or renamed over). */
  readonly written: readonly string[];
  /** Files and directories whose attrs were set without a content change. */
  readonly attrsSet: readonly string[];
  readonly dirsCreated: readonly string[];
  /** Set when the tail ran (every step had succeeded). */
  readonly tail?: TailOutcome;
}

type ExecOpts = { readonly timeoutMs?: number; readonly become: boolean };

/**
 * Brings files and directories to their desired state on one host. Round trips: none when there is nothing to do;
 * else 1 exec, whose stdin carries the new contents (2 execs and the checks between them when a file has a
 * `validate`). No SFTP: each file is written by the apply script into `.<basename>.rig-tmp-<random>` beside its
 * target (mktemp: created exclusively, 0600, its name chosen on the host), chmod/chown'ed, fsynced and renamed over
 * the target, and the directory fsynced: readers see the old or the new file, never a partial one, also when the run
 * is killed. Every step runs as the identity path-guard chose for its directory (root, or the owner of a directory
 * a non-root uid controls, via setpriv), so a symlink swapped in by a less-privileged writer cannot redirect root.
 * The exec first sweeps temps a killed run left in those directories.
 *
 * Directory creation is `mkdir -p`: only the leaf gets the asked attrs. A replaced file keeps the old one's
 * mode/owner unless asked otherwise (a new file without a mode gets 0644; the plan asks 0600 for one holding a
 * secret); ACLs, xattrs and SELinux labels are not carried over.
 *
 * Throws ApplyFilesError naming the failed path and step (the paths after it are left unchanged and the temps of
 * the run removed), FileCheckError when a check fails (nothing committed), or a RemoteCommandError when the script
 * itself could not run to its end.
 */
export async function applyFiles(
  t: Transport,
  files: readonly FileWrite[],
  dirs: readonly DirWrite[],
  opts: ApplyFilesOptions = {},
): Promise<ApplyFilesResult> {
  const rounds = planApplyRounds(files, dirs);
  const execOpts: ExecOpts = {
    ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    become: opts.become === true,
  };
  let tail: TailOutcome | undefined;
  if (rounds.first.length > 0) {
    const later =
      rounds.checks.length > 0 ? files.filter((f) => f.contentChanged || hasAttrs(f)).map((f) => f.path) : [];
    const withTail = rounds.checks.length === 0 ? opts.tail : undefined;
    const ran = await runSteps(t, rounds.first, rounds.stdin, execOpts, later, withTail);
    tail = ran.tail;
    if (rounds.checks.length > 0) await checkThenCommit(t, rounds, ran.reports, execOpts);
  }
  return {
    ...(tail ? { tail } : {}),
    written: files.filter((f) => f.contentChanged).map((f) => f.path),
    attrsSet: [...files.filter((f) => !f.contentChanged), ...dirs.filter((d) => !d.create)]
      .filter(hasAttrs)
      .map((x) => x.path),
    dirsCreated: dirs.filter((d) => d.create).map((d) => d.path),
  };
}

/** The temps the first exec wrote (by step index), the checks on them, then the commit exec. */
async function checkThenCommit(
  t: Transport,
  rounds: ApplyRounds,
  reports: readonly StepReport[],
  opts: ExecOpts,
): Promise<void> {
  const temps = new Map<number, string>();
  const actedAs = new Map<number, string>();
  reports.forEach((r, i) => {
    if (r.step.kind !== 'write' || r.outcome.status !== 'ok') return;
    const [random = '', uid = '-'] = (r.outcome.detail ?? '').split(' ');
    temps.set(i, tempFromTemplate(r.step.template, random));
    actedAs.set(i, uid);
  });
  const removeAll = async (): Promise<void> => {
    const steps = [...temps.values()].map((p): ApplyStep => ({ kind: 'remove', path: p }));
    await t.exec(applyStepsCmd(steps), opts).catch(() => undefined);
  };
  for (const c of rounds.checks) {
    const temp = temps.get(c.write) ?? '';
    const uid = actedAs.get(c.write) ?? '-';
    if (uid !== '-') {
      await removeAll();
      throw new FileCheckError(
        t.host,
        c.path,
        '(not run)',
        1,
        `not checked: its directory belongs to uid ${uid}, and a check runs as root`,
      );
    }
    const cmd = c.cmd(temp);
    const r = await t.exec(cmd, opts);
    if (r.code === 0) continue;
    await removeAll();
    throw new FileCheckError(t.host, c.path, display(cmd), r.code, maskSecretsOf(cmd, r.stderr || r.stdout));
  }
  const second = rounds.second(temps);
  if (second.length > 0) await runSteps(t, second, Buffer.alloc(0), opts, [], undefined);
}

/**
 * Runs one exec of steps; throws ApplyFilesError for a failed step (`pending`: paths of a later exec, also not done).
 * With a tail, the steps are the first part of a gated batch and the tail's commands run after them when they all
 * succeeded (the tail's outcome is returned, not judged).
 */
async function runSteps(
  t: Transport,
  steps: readonly ApplyStep[],
  stdin: Buffer,
  opts: ExecOpts,
  pending: readonly string[],
  tail: ExecTail | undefined,
): Promise<{ reports: StepReport[]; tail?: TailOutcome }> {
  const cmd = applyStepsCmd(steps);
  const batch = tail === undefined ? undefined : tailBatch(cmd, tail);
  let r: { code: number; stdout: string; stderr: string };
  let ran: TailOutcome | undefined;
  if (batch === undefined || tail === undefined) r = await t.exec(cmd, { ...opts, stdin });
  else {
    tail.sent?.();
    const all = await t.exec(batch.cmd, { ...opts, stdin: Buffer.concat([stdin, Buffer.from(tail.stdin, 'utf8')]) });
    const [files, ...rest] = batch.split(all.stdoutBytes);
    // the batch's own exit status is the gating part's when it failed; a batch cut short left no status for it
    r = files ? { code: files.code, stdout: files.stdout.toString('utf8'), stderr: all.stderr } : all;
    if (files?.code === 0) ran = { parts: rest, stderr: all.stderr };
  }
  const reports = parseStepStatus(r.stdout, steps);
  if (r.code === 0 && reports.every((x) => x.outcome.status === 'ok'))
    return { reports, ...(ran ? { tail: ran } : {}) };
  const failed = reports.find((x) => x.outcome.status === 'fail');
  if (r.code !== STEP_FAILED_EXIT || failed === undefined || failed.outcome.status !== 'fail') {
    throw new RemoteCommandError(t.host, display(cmd), 'exit', r.code, r.stderr);
  }
  const targets = reports.filter((x) => x.step.kind === 'mkdir' || x.step.kind === 'attrs' || x.step.kind === 'commit');
  const done = targets.filter((x) => x.outcome.status === 'ok').map((x) => x.step.path);
  const notDone = [
    ...new Set([
      ...targets.filter((x) => x.outcome.status !== 'ok').map((x) => x.step.path),
      ...pending,
      ...unwritten(reports),
    ]),
  ];
  throw new ApplyFilesError(
    t.host,
    display(cmd),
    r.code,
    r.stderr,
    failed.step.path,
    failed.outcome.what,
    done,
    notDone,
    failed.outcome.detail,
  );
}

/** Paths whose write step did not complete (their commit, in the same exec, is then not done either). */
function unwritten(reports: readonly StepReport[]): string[] {
  return reports.filter((x) => x.step.kind === 'write' && x.outcome.status !== 'ok').map((x) => x.step.path);
}

/** The steps and the tail as one gated batch, or undefined when that would not fit a command line (sent apart). */
function tailBatch(steps: ExecNode, tail: ExecTail): CmdBatch | undefined {
  try {
    return cmdBatch([steps, ...tail.cmds], { gate: true });
  } catch (err) {
    if (err instanceof CommandTooLongError) return undefined;
    throw err;
  }
}

function hasAttrs(x: FileWrite | DirWrite): boolean {
  return x.mode !== undefined || x.owner !== undefined || x.group !== undefined;
}
