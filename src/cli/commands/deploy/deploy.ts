// `rig deploy`: plan, show, confirm where the env asks for it, apply exactly that plan; a summary per host.
import path from 'node:path';
import type { Interface } from 'node:readline/promises';
import { checkSavedPlan } from '../../run/saved-plan.js';
import type { Project } from '../../../config/project.js';
import { UserError } from '../../../core/errors/errors.js';
import type { HostResult } from '../../../engine/host-run.js';
import { DeclinedError } from '../../../engine/fleet.js';
import type { CliIo } from '../../io.js';
import { planText } from '../../output/plan-output.js';
import { report, runEngine, type EngineFlags } from '../../run/engine-command.js';
import { afterApply, beforeApply, type AroundState } from '../../run/deploy-around.js';
import type { HeldLockReport } from '../../../engine/fleet.js';
import { describeLock } from '../../../lock/lock-message.js';

/**
 * Exit 0 when every host is ok or changed, 1 when any failed or was unreachable (or on any error), 130 when
 * interrupted.
 */
export function deployCommand(args: string[], io: CliIo): Promise<number> {
  return applyCommand('deploy', args, io);
}

/** `rig deploy` and `rig rollback`: plan under the deploy lock, confirm where asked, apply, report. */
export async function applyCommand(command: 'deploy' | 'rollback', args: string[], io: CliIo): Promise<number> {
  let around: AroundState | undefined;
  try {
    const { project, results, flags, interrupted, run } = await runEngine(
      command,
      args,
      io,
      async (project, planned, flags, run) => {
        if (!(await confirmPlan(project, planned, flags, io))) return false;
        around = await beforeApply(project, planned, run, io);
        return true;
      },
      (held, flags) => confirmBreak(held, flags, io),
    );
    report(command, project, results, flags, io);
    const after =
      around === undefined ? 0 : await afterApply(project, results, run, interrupted !== undefined, around, io);
    if (interrupted !== undefined) return 130;
    return results.every((r) => r.status === 'ok' || r.status === 'changed') && after === 0 ? 0 : 1;
  } catch (err) {
    if (!(err instanceof DeclinedError)) throw err;
    io.err(`rig: ${err.message}`);
    return 1;
  }
}

/**
 * `--break-lock` found locks whose holders still renew them: shows each holder, then asks on a terminal (type
 * "break"); `--yes` breaks without asking; without a terminal and without --yes, nothing is broken.
 */
export async function confirmBreak(held: readonly HeldLockReport[], flags: EngineFlags, io: CliIo): Promise<boolean> {
  for (const h of held) io.err(`rig: --break-lock: ${h.host}: ${describeLock(h.lockPath, h.state)}`);
  const what = `${held.length} deploy lock${held.length === 1 ? '' : 's'} (a deploy still running there is stopped at its next change)`;
  if (flags.yes === true) {
    io.err(`rig: --break-lock --yes: breaking ${what}`);
    return true;
  }
  if (!io.isTTY || !io.stdin.isTTY)
    throw new UserError(
      `--break-lock: breaking ${what} needs a confirmation: run on a terminal, or pass --yes; nothing was changed`,
    );
  const rl = await terminalPrompt(io);
  try {
    return (await rl.question(`Type "break" to break ${what}: `)).trim() === 'break';
  } finally {
    rl.close();
  }
}

/** Envs marked `confirm: true` ask on a TTY (type the env name); without a TTY they need --yes. */
export async function confirmPlan(
  project: Project,
  planned: readonly HostResult[],
  flags: EngineFlags,
  io: CliIo,
): Promise<boolean> {
  if (flags.plan !== undefined)
    checkSavedPlan(path.resolve(io.cwd, flags.plan), project.env, planned, (t) => project.redactor.redact(t));
  if (!planned.some((r) => r.changes > 0 && !r.error)) return true;
  if (!project.inventory.settings.confirm || flags.yes === true) return true;
  if (!io.isTTY || !io.stdin.isTTY)
    throw new UserError(
      `environment ${project.env} asks for confirmation: run on a terminal, or pass --yes; nothing was changed`,
    );
  io.out(planText(planned, 'plan'));
  const rl = await terminalPrompt(io);
  try {
    const answer = await rl.question(`Type "${project.env}" to apply these changes: `);
    return answer.trim() === project.env;
  } finally {
    rl.close();
  }
}

/** A prompt on the terminal; readline is loaded only when a run asks (a run that asks nothing never pays for it). */
async function terminalPrompt(io: CliIo): Promise<Interface> {
  const { createInterface } = await import('node:readline/promises');
  return createInterface({ input: io.stdin, output: process.stdout });
}
