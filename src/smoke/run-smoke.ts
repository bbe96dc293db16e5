// Runs the smoke checks of every host: hosts in parallel (up to `forks`), one connection per host, its checks in
// parallel on it.
import type { Settings } from '../config/settings.js';
import type { Redactor } from '../core/redact/redactor.js';
import { describeError } from '../core/errors/describe-error.js';
import { mapPool } from '../core/pool.js';
import type { Transport } from '../transport/transport.js';
import type { SmokeCheck } from './define-smoke.js';
import { runCheck } from './run-check.js';
import type { SmokeHost, SmokeOccasion } from './smoke-context.js';
import type { SmokeResult } from './smoke-report.js';

/** One host and the checks that target it. */
export interface HostChecks {
  readonly host: SmokeHost;
  readonly checks: readonly SmokeCheck[];
}

export interface SmokeRunInput {
  readonly plan: readonly HostChecks[];
  /** Opens the host's connection (ssh in the CLI); a rejection makes every check of the host `fail`. */
  readonly connect: (host: string) => Promise<Transport>;
  /** Hosts handled at once (`RIG_FORKS`). */
  readonly forks: number;
  readonly redactor: Redactor;
  readonly settings: Settings;
  /** `smoke` (default) or `checklist`: opt-in checks look at it. */
  readonly occasion?: SmokeOccasion;
  /** The checks named by `--only` (an opt-in check runs when named). */
  readonly named?: readonly string[];
  /**
   * Called once per host when its checks are done, before its connection closes (`transport` is undefined when the
   * host was unreachable): where the results are journaled. It must not throw.
   */
  readonly afterHost?: (
    host: SmokeHost,
    results: readonly SmokeResult[],
    transport: Transport | undefined,
  ) => Promise<void>;
}

/** Every result, hosts in plan order and each host's checks in plan order. Host failures are results, never throws. */
export async function runSmoke(input: SmokeRunInput): Promise<SmokeResult[]> {
  const perHost = await mapPool(input.plan, input.forks, async ({ host, checks }) => {
    const started = performance.now();
    let t: Transport;
    try {
      t = await input.connect(host.host);
    } catch (err) {
      const evidence = [input.redactor.redact(describeError(err))];
      const results = checks.map((c): SmokeResult => ({
        check: c.id,
        host: host.host,
        description: c.description,
        blocking: c.blocking,
        deadlineSec: c.deadlineSec,
        status: 'fail',
        evidence,
        durationMs: performance.now() - started,
      }));
      await input.afterHost?.(host, results, undefined);
      return results;
    }
    try {
      const results = await Promise.all(
        checks.map((c) =>
          runCheck(c, {
            host,
            transport: t,
            redactor: input.redactor,
            settings: input.settings,
            ...(input.occasion ? { occasion: input.occasion } : {}),
            ...(input.named ? { named: input.named } : {}),
          }),
        ),
      );
      await input.afterHost?.(host, results, t);
      return results;
    } finally {
      await t.close().catch(() => undefined);
    }
  });
  return perHost.flat();
}
