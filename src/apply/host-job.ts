// Host jobs, workstation side: start a detached step on a host (with the exec's other writes), follow it to its end,
// and wait for one a previous rig left running before planning over it.
import { cmdBatch } from '../core/cmd/batch.js';
import type { Cmd, ExecNode } from '../core/cmd/cmd.js';
import { display, render, secretsOf } from '../core/cmd/render.js';
import { RemoteCommandError } from '../core/errors/remote-errors.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { followJobCmd, launchJobCmd, parseFollow, type JobMeta, type RunningJob } from '../jobs/host-job-script.js';
import { formatDuration, printable } from '../lock/lock-message.js';

/** One exec part riding along with a launch (the deploy marker, the journal): its command and its stdin share. */
export interface ExecPart {
  readonly cmd: ExecNode;
  readonly stdin: string;
}

/** A step to run detached on a host. */
export interface JobSpec {
  readonly id: string;
  readonly cmd: Cmd;
  readonly meta: JobMeta;
  /** Journal lines (each ending in a newline) the host appends when the job succeeds, or fails. */
  readonly okLines: string;
  readonly failedLines: string;
}

/** A job's end as rig saw it. */
export interface JobEnd {
  readonly code: number;
  readonly log: string;
}

/** How long one follow exec waits before it reports `running` and rig asks again (a dead link shows within it). */
const FOLLOW_SLICE_SEC = 20;

/**
 * Starts `job` in ONE exec with `parts` before it (their stdin in order), then calls `started` (the run may be held
 * or interrupted there: the job goes on), then follows it to its end (`markerOnSuccess` replaces the deploy marker
 * when it ends with status 0). Throws when the runner vanished without a status.
 */
export async function runHostJob(
  t: Transport,
  stateDir: string,
  job: JobSpec,
  opts: { become: boolean; parts?: readonly ExecPart[]; started?: () => Promise<void>; markerOnSuccess?: string },
): Promise<JobEnd> {
  if (secretsOf(job.cmd).length > 0)
    throw new Error(`host job ${job.id}: a detached command cannot carry secrets (they would sit in its file)`);
  const launch = launchJobCmd(stateDir, job.id, {
    script: render(job.cmd),
    meta: job.meta,
    okLines: job.okLines,
    failedLines: job.failedLines,
  });
  await runParts(t, [...(opts.parts ?? []), { cmd: launch, stdin: '' }], opts.become);
  await opts.started?.();
  return followJob(t, stateDir, job.id, {
    become: opts.become,
    ...(opts.markerOnSuccess ? { markerOnSuccess: opts.markerOnSuccess } : {}),
  });
}

/** Runs `parts` in ONE exec, their stdin shares in order; throws naming the first part that failed. */
export async function runParts(t: Transport, parts: readonly ExecPart[], become: boolean): Promise<void> {
  if (parts.length === 0) return;
  const batch = cmdBatch(parts.map((p) => p.cmd));
  const r = await t.exec(batch.cmd, { become, stdin: parts.map((p) => p.stdin).join('') });
  const results = batch.split(r.stdoutBytes);
  const bad = results.length < parts.length ? results.length : results.findIndex((p) => p.code !== 0);
  if (bad < 0) return;
  const part = parts[bad] as ExecPart;
  throw new RemoteCommandError(t.host, display(part.cmd), 'exit', results[bad]?.code ?? r.code, r.stderr);
}

/** Follows job `id` until it ends: one exec per FOLLOW_SLICE_SEC while it runs. */
export async function followJob(
  t: Transport,
  stateDir: string,
  id: string,
  opts: { become: boolean; markerOnSuccess?: string },
): Promise<JobEnd> {
  for (;;) {
    const out = parseFollow(
      (await run(t, followJobCmd(stateDir, id, FOLLOW_SLICE_SEC, opts.markerOnSuccess ?? ''), { become: opts.become }))
        .stdout,
    );
    if (out.state === 'done') return { code: out.code, log: out.log };
    if (out.state === 'lost')
      throw new Error(
        `${t.host}: host job ${id} ended without a status (killed, or the host rebooted); its output:\n${out.log}`,
      );
  }
}

/**
 * Waits for jobs an earlier run left running (its rig died or lost the link while `compose up` ran): planning over a
 * half-done `up` would read containers in flux. Says what it waits for; their outcome is in the host's journal.
 */
export async function waitForJobs(
  t: Transport,
  stateDir: string,
  jobs: readonly RunningJob[],
  opts: { become: boolean; log: (line: string) => void },
): Promise<void> {
  for (const j of jobs) {
    const m = j.meta;
    const what = m
      ? `${printable(m.what)} of deploy ${printable(m.deployId)} by ${printable(m.user)}@${printable(m.workstation)}`
      : `host job ${j.id}`;
    opts.log(`${t.host}: waiting for ${what}, running on the host for ${formatDuration(j.ageSec)}, to finish`);
    const end = await followJob(t, stateDir, j.id, { become: opts.become });
    opts.log(`${t.host}: ${what} finished with exit status ${end.code}`);
  }
}
