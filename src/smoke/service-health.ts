// Judges a host's declared compose services against their containers' state (the services-healthy smoke check).
import type { ContainerState } from '../facts/containers/container-state.js';
import type { SmokeOutcome } from './define-smoke.js';
import type { SmokeService } from './smoke-context.js';

type Verdict = 'ok' | 'warn' | 'bad';

/** One service's verdict and its state in words (`running, unhealthy, 3 restarts`). */
export function serviceVerdict(
  service: SmokeService,
  c: ContainerState | undefined,
): { verdict: Verdict; state: string } {
  if (c === undefined) return { verdict: 'bad', state: 'no container' };
  const restarts = c.restartCount > 0 ? `, ${c.restartCount} restart${c.restartCount === 1 ? '' : 's'}` : '';
  if (service.oneShot) {
    if (c.status === 'exited')
      return { verdict: c.exitCode === 0 ? 'ok' : 'bad', state: `exited with code ${c.exitCode} (one-shot)` };
    return { verdict: c.running ? 'warn' : 'bad', state: `${c.status}, one-shot not finished${restarts}` };
  }
  if (!c.running)
    return {
      verdict: 'bad',
      state: `${c.status}${c.status === 'exited' || c.status === 'dead' ? ` with code ${c.exitCode}` : ''}${restarts}`,
    };
  return runningVerdict(service, c.health, restarts);
}

function runningVerdict(
  service: SmokeService,
  health: ContainerState['health'],
  restarts: string,
): { verdict: Verdict; state: string } {
  switch (health) {
    case 'healthy':
      return { verdict: 'ok', state: `running, healthy${restarts}` };
    case 'unhealthy':
      return { verdict: 'bad', state: `running, unhealthy${restarts}` };
    case 'starting':
      return { verdict: 'warn', state: `running, health starting${restarts}` };
    case undefined:
      // The role declares a healthcheck the container lacks: it runs an older definition (deploy pending?).
      return service.healthcheck
        ? { verdict: 'warn', state: `running without the healthcheck rig declares${restarts}` }
        : { verdict: 'ok', state: `running (no healthcheck)${restarts}` };
  }
}

/**
 * `fail` when any service has no container, is not running (one-shot: exited non-zero) or is unhealthy; `warn`
 * when one is still starting; else `pass`. Evidence: a headline naming the bad containers with their state, then
 * one line per service, bad ones first.
 */
export function judgeServices(services: readonly SmokeService[], containers: readonly ContainerState[]): SmokeOutcome {
  if (services.length === 0) return { status: 'skip', evidence: ['no compose service is declared for this host'] };
  const byName = new Map(containers.map((c) => [c.name, c]));
  const rank: Record<Verdict, number> = { bad: 0, warn: 1, ok: 2 };
  const judged = services
    .map((s) => ({ s, ...serviceVerdict(s, byName.get(s.container)) }))
    .sort((a, b) => rank[a.verdict] - rank[b.verdict]);
  const lines = judged.map((j) => `${j.s.container}: ${j.state}`);
  const bad = judged.filter((j) => j.verdict === 'bad');
  const warn = judged.filter((j) => j.verdict === 'warn');
  const named = (js: typeof judged): string => js.map((j) => `${j.s.container} (${j.state})`).join(', ');
  const n = services.length;
  if (bad.length > 0)
    return { status: 'fail', evidence: [`${bad.length} of ${n} services not healthy: ${named(bad)}`, ...lines] };
  if (warn.length > 0)
    return { status: 'warn', evidence: [`${warn.length} of ${n} services not healthy yet: ${named(warn)}`, ...lines] };
  return {
    status: 'pass',
    evidence: [`${n} service${n === 1 ? '' : 's'} up: ${judged.map((j) => j.s.name).join(', ')}`, ...lines],
  };
}
