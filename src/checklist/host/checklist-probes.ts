// Check healthcheck-probes on one host: every service the upgrade (re)creates finds its healthcheck program in its
// target image (the deploy's own pre-check, run ahead: a missing one would stop that deploy before anything changed).
import type { HostConfig } from '../../config/project.js';
import { checkProbes } from '../../apply/apply-probes.js';
import type { HostPlan } from '../../core/plan-data/plan-types.js';
import type { ProbeCache } from '../../apply/probe-cache.js';
import type { Transport } from '../../transport/transport.js';
import type { CheckStatus } from '../checklist-check.js';

/**
 * One exec for the lookups the cache cannot answer; a target image the host lacks is pulled, as the upgrade would.
 * Blocking when a program is missing or could not be looked for.
 */
export async function probesOnHost(
  t: Transport,
  h: HostConfig,
  plan: HostPlan,
  cache: ProbeCache,
): Promise<{ status: CheckStatus; evidence: string[] }> {
  const r = await checkProbes(t, plan.steps, { become: h.connection.become, cache, pull: true });
  if (r.checked === 0) return { status: 'pass', evidence: ['no service with a healthcheck is (re)created'] };
  if (r.failures.length > 0)
    return { status: 'fail', evidence: [r.failures[0]?.message ?? '', ...r.failures.slice(1).map((f) => f.message)] };
  const cached = r.checked - r.asked;
  const n = `${r.checked} (re)created service${r.checked === 1 ? '' : 's'}`;
  return {
    status: 'pass',
    evidence: [
      `the healthcheck programs of ${n} are in their target images${cached > 0 ? ` (${cached} known from the cache)` : ''}`,
    ],
  };
}
