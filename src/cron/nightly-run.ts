// `rig cron run`: one night — smoke, pin --check and drift in turn, the log lines, one alert per new failure, the exit
// code.
import type { Redactor } from '../core/redact/redactor.js';
import type { AlertConfig } from './alert-config.js';
import { sendAlerts, type AlertOutcome } from './alert-send.js';
import { pendingAlerts, readAlertState, recordAlerts, utcDate, writeAlertState } from './alert-state.js';
import {
  checkArgv,
  checkLogLines,
  failuresOf,
  NIGHTLY_CHECKS,
  type CheckFlags,
  type CheckRun,
  type NightlyFailure,
} from './nightly-checks.js';
import type { CronPaths } from './nightly-script.js';

/** Runs rig with `argv` (in-process), collecting what it prints. */
export type RigRunner = (argv: readonly string[]) => Promise<{ code: number; out: string; err: string }>;

export interface NightlyRunInput {
  readonly env: string;
  readonly paths: CronPaths;
  readonly flags: CheckFlags;
  readonly rig: RigRunner;
  readonly alerts: AlertConfig;
  readonly telegramBase: string;
  readonly redactor: Redactor;
  readonly now: () => Date;
  /** Where the night's report goes (the log, through the script's redirection). */
  readonly log: (line: string) => void;
}

/**
 * Exit 0 when every check passed; 1 when one failed or errored (smoke's blocking failures, unreachable hosts) or an
 * alert could not be sent; else 2 (only drift or moved pins: changes, not breakage). The checks run one after the
 * other: each loads the project and may compile the roles, which must not race.
 */
export async function nightlyRun(input: NightlyRunInput): Promise<number> {
  const started = input.now();
  input.log(`== rig cron run --env ${input.env}: ${started.toISOString()}`);
  const runs: CheckRun[] = [];
  for (const check of NIGHTLY_CHECKS) {
    const t0 = performance.now();
    const done: CheckRun = {
      check,
      ...(await input.rig(checkArgv(check, input.flags))),
      durationMs: performance.now() - t0,
    };
    runs.push(done);
    for (const line of checkLogLines(done)) input.log(line);
  }
  const failures = runs.flatMap(failuresOf);
  const alerts = await alert(input, failures, started);
  const code = exitCode(runs, alerts);
  const verdicts = runs.map((r) => `${r.check}=${r.code === 0 ? 'pass' : r.code === 2 ? 'changed' : 'fail'}`).join(' ');
  input.log(`nightly ${input.env}: ${verdicts}; ${failures.length} failing; ${alerts.summary}; exit ${code}`);
  return code;
}

function exitCode(runs: readonly CheckRun[], alerts: { failed: number }): number {
  if (alerts.failed > 0 || runs.some((r) => r.code !== 0 && r.code !== 2)) return 1;
  return runs.some((r) => r.code === 2) ? 2 : 0;
}

/** Sends what today's state has not seen yet, records what went out; logs each decision. */
async function alert(
  input: NightlyRunInput,
  failures: readonly NightlyFailure[],
  now: Date,
): Promise<{ summary: string; failed: number }> {
  if (failures.length === 0) return { summary: 'no alert', failed: 0 };
  if (!input.alerts.on) {
    input.log(`-- alerts: off: ${input.alerts.reason}`);
    return { summary: 'alerts off', failed: 0 };
  }
  const state = readAlertState(input.paths.alerts);
  const date = utcDate(now);
  const pending = pendingAlerts(state, failures, date);
  const outcome: AlertOutcome = await sendAlerts(input.telegramBase, input.alerts.target, input.env, pending, {
    now,
    log: input.paths.log,
    redactor: input.redactor,
  });
  await writeAlertState(input.paths.alerts, recordAlerts(state, outcome.sent, now));
  const already = failures.length - pending.length;
  for (const f of outcome.sent)
    input.log(`-- alert sent: ${f.check} on ${f.host} (chat ${String(input.alerts.target.chatId)})`);
  for (const f of failures.filter((x) => !pending.includes(x)))
    input.log(`-- alert already sent today (${date} UTC): ${f.check} on ${f.host}`);
  for (const f of outcome.failed) input.log(`-- alert NOT sent: ${f.failure.check} on ${f.failure.host}: ${f.error}`);
  return {
    summary: `${outcome.sent.length} alert${outcome.sent.length === 1 ? '' : 's'} sent, ${already} already sent today, ${outcome.failed.length} not sent`,
    failed: outcome.failed.length,
  };
}
