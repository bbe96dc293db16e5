// Check smoke on one host: the repository's smoke suite through rig smoke's runner, on the checklist's connection.
import type { Settings } from '../../config/settings.js';
import type { Redactor } from '../../core/redact/redactor.js';
import type { SmokeCheck } from '../../smoke/define-smoke.js';
import { seconds } from '../../smoke/report-text.js';
import { runSmoke } from '../../smoke/run-smoke.js';
import type { SmokeHost } from '../../smoke/smoke-context.js';
import { targets } from '../../smoke/smoke-host.js';
import type { SmokeResult } from '../../smoke/smoke-report.js';
import { failsRun } from '../../smoke/smoke-verdict.js';
import type { Transport } from '../../transport/transport.js';
import type { CheckStatus } from '../checklist-check.js';

/**
 * Runs the checks targeting `host` (in parallel, with their deadlines, as `rig smoke` does). A blocking failure is
 * blocking here too; a warning or a non-blocking failure is advisory. Its results are not journaled as a smoke run:
 * the checklist's own journal event carries them.
 */
export async function smokeOnHost(
  t: Transport,
  host: SmokeHost,
  checks: readonly SmokeCheck[],
  opts: { redactor: Redactor; settings: Settings },
): Promise<{ status: CheckStatus; evidence: string[] }> {
  const mine = checks.filter((c) => targets(c.target, host));
  if (mine.length === 0) return { status: 'skip', evidence: ['no smoke check targets this host'] };
  const results = await runSmoke({
    plan: [{ host, checks: mine }],
    connect: () => Promise.resolve(borrowed(t)),
    forks: 1,
    redactor: opts.redactor,
    settings: opts.settings,
    occasion: 'checklist',
  });
  return judgeSmoke(results);
}

/** Pure: the smoke results of one host as a checklist finding. */
export function judgeSmoke(results: readonly SmokeResult[]): { status: CheckStatus; evidence: string[] } {
  const blocking = results.filter((r) => failsRun(r, false));
  const advisory = results.filter((r) => !failsRun(r, false) && failsRun(r, true));
  const status: CheckStatus = blocking.length > 0 ? 'fail' : advisory.length > 0 ? 'warn' : 'pass';
  const named = (rs: readonly SmokeResult[]): string => rs.map((r) => r.check).join(', ');
  const headline =
    blocking.length > 0
      ? `smoke failed: ${named(blocking)}`
      : advisory.length > 0
        ? `smoke passed with advisory findings: ${named(advisory)}`
        : `${results.filter((r) => r.status === 'pass').length} smoke checks pass${skips(results)}`;
  const lines = results.flatMap((r) => {
    const [first = '', ...more] = r.evidence;
    const own = `${r.status.toUpperCase()} ${r.check} ${seconds(r.durationMs)}${r.status === 'fail' && !r.blocking ? ' (non-blocking)' : ''}: ${first}`;
    return r.status === 'pass' || r.status === 'skip' ? [own] : [own, ...more.map((m) => `  ${m}`)];
  });
  return { status, evidence: [headline, ...lines] };
}

function skips(results: readonly SmokeResult[]): string {
  const n = results.filter((r) => r.status === 'skip').length;
  return n === 0 ? '' : ` (${n} skipped)`;
}

/**
 * The checklist's connection lent to the smoke runner, which closes what it is given: the checklist closes it later.
 */
function borrowed(t: Transport): Transport {
  return {
    host: t.host,
    ...(t.user !== undefined ? { user: t.user } : {}),
    exec: (cmd, opts) => t.exec(cmd, opts),
    stream: (cmd, opts) => t.stream(cmd, opts),
    putFiles: (files) => t.putFiles(files),
    get counters() {
      return t.counters;
    },
    close: () => Promise.resolve(),
  };
}
