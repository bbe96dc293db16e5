// What runs around a deploy or rollback: the pre_deploy hook once the plan is confirmed (it can still stop the run),
// then the Telegram notification and the post_deploy hook with the results.
import type { Project } from '../../config/project.js';
import { loadSettings } from '../../config/settings.js';
import type { AlertTarget } from '../../cron/alert-config.js';
import type { HostResult } from '../../engine/host-run.js';
import type { RunContext } from '../../engine/run-context.js';
import { HookError, runHook } from '../../hooks/run-hook.js';
import { deployNotifyTarget, notifyDeploy } from '../../notify/notify-deploy.js';
import { runSummary } from '../../notify/run-summary.js';
import type { CliIo } from '../io.js';

/** What `beforeApply` learnt for `afterApply`. */
export interface AroundState {
  readonly notify: AlertTarget | undefined;
  /** The confirmed plan: a host that failed in apply reports no plan, the summary still says what was attempted. */
  readonly planned: readonly HostResult[];
}

/**
 * Before anything changes: checks the notification settings and runs the pre_deploy hook with the planned summary.
 * Throws (a UserError: nothing was changed) when the settings are wrong or the hook fails.
 */
export async function beforeApply(
  project: Project,
  planned: readonly HostResult[],
  run: RunContext,
  io: CliIo,
): Promise<AroundState> {
  const notify = deployNotifyTarget(project, io.cwd);
  const hooks = project.inventory.settings.hooks;
  if (hooks?.pre_deploy !== undefined) {
    try {
      await runHook(runSummary('pre_deploy', run, planned, false), {
        command: hooks.pre_deploy,
        cwd: project.root,
        timeoutSec: hooks.timeout,
        env: io.env,
        redactor: project.redactor,
        log: (l) => io.err(l),
      });
    } catch (err) {
      if (err instanceof HookError)
        throw new HookError(`${err.message}: the ${run.mode} stops here; nothing was changed`);
      throw err;
    }
  }
  return { notify, planned };
}

/**
 * After the run: the notification (a failure to send is reported, not fatal), then post_deploy. Returns 1 if it failed.
 */
export async function afterApply(
  project: Project,
  results: readonly HostResult[],
  run: RunContext,
  interrupted: boolean,
  state: AroundState,
  io: CliIo,
): Promise<0 | 1> {
  const attempted = results.map((r) => (r.plan !== undefined ? r : { ...r, ...planOf(state.planned, r.host) }));
  const summary = runSummary('post_deploy', run, attempted, interrupted);
  if (state.notify !== undefined) {
    const base = loadSettings(project.root, io.env).RIG_TELEGRAM_API_BASE;
    const failed = await notifyDeploy(base, state.notify, summary, project.redactor);
    io.err(
      failed === undefined
        ? `rig: ${run.mode} announced in Telegram chat ${String(state.notify.chatId)}`
        : `rig: warning: the ${run.mode} was not announced in Telegram: ${failed}`,
    );
  }
  const hook = project.inventory.settings.hooks;
  if (hook?.post_deploy === undefined) return 0;
  try {
    await runHook(summary, {
      command: hook.post_deploy,
      cwd: project.root,
      timeoutSec: hook.timeout,
      env: io.env,
      redactor: project.redactor,
      log: (l) => io.err(l),
    });
    return 0;
  } catch (err) {
    if (!(err instanceof HookError)) throw err;
    io.err(`rig: ${err.message} (the ${run.mode} itself is as reported above)`);
    return 1;
  }
}

function planOf(planned: readonly HostResult[], host: string): Pick<HostResult, 'plan'> {
  const plan = planned.find((p) => p.host === host)?.plan;
  return plan === undefined ? {} : { plan };
}
