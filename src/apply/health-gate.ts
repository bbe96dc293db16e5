// The health gate: after (re)creation each service must become healthy, stay running for its settle time, or (one-shot)
// exit 0.
import type { ContainerState } from '../facts/containers/container-state.js';
import { gateStateCmd, parseGateState } from '../facts/containers/gate-state.js';
import { undefinedOnTimeout } from '../core/errors/remote-errors.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import type { ServiceStep } from '../core/plan-data/plan-types.js';

/** The verdict on one service. */
export interface GateResult {
  readonly service: string;
  readonly container: string;
  readonly ok: boolean;
  /**
   * `healthy`, `running for 5s`, `exited 0`, or what went wrong: `unhealthy`, `exited 1`, `still starting after 120s`.
   */
  readonly detail: string;
  readonly seconds: number;
  /**
   * A healthy verdict: seconds from the end of the container's first passing check to the poll that saw it healthy,
   * both on the host's clock (the gate's own dead time; docker runs the first check one `interval` after start).
   */
  readonly afterCheckSec?: number;
  /** The image id the container ran when judged (recorded in the release). */
  readonly image?: string;
}

/** Where a service stands after one observation: decided, or still pending (with what it is waiting for). */
type Verdict =
  | { readonly done: true; readonly ok: boolean; readonly detail: string }
  | { readonly done: false; readonly waiting: string };

/** Judges one observation of a service against its gate; `first` is the state seen on the first poll. */
export function judge(
  step: Pick<ServiceStep, 'gate'>,
  c: ContainerState | undefined,
  first: ContainerState | undefined,
  elapsedSec: number,
): Verdict {
  const g = step.gate;
  if (c === undefined) return { done: true, ok: false, detail: 'container is gone' };
  if (g.oneShot) {
    if (c.status === 'exited' || c.status === 'dead')
      return { done: true, ok: c.exitCode === 0, detail: `exited ${c.exitCode}` };
    return { done: false, waiting: `to exit (${c.status})` };
  }
  if (c.status === 'exited' || c.status === 'dead') return { done: true, ok: false, detail: `exited ${c.exitCode}` };
  if (first !== undefined && (c.startedAt !== first.startedAt || c.restartCount > first.restartCount))
    return {
      done: true,
      ok: false,
      detail: c.restartCount > first.restartCount ? `restarted (${c.restartCount} restarts)` : 'restarted',
    };
  if (g.healthcheck) {
    if (c.health === 'healthy') return { done: true, ok: true, detail: 'healthy' };
    if (c.health === 'unhealthy') return { done: true, ok: false, detail: 'unhealthy' };
    return { done: false, waiting: c.health ?? c.status };
  }
  if (c.running && elapsedSec >= g.settleSec) return { done: true, ok: true, detail: `running for ${g.settleSec}s` };
  return { done: false, waiting: c.status };
}

export interface GateOptions {
  readonly become?: boolean;
  /** Milliseconds between polls (one exec per poll for all pending services). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/** How long a poll may take beyond the longest deadline of the services it polls, s. */
const POLL_MARGIN_SEC = 15;

/** Polls until every service is decided or past its own deadline; one exec per poll covers all of them. */
export async function waitForGate(
  t: Transport,
  steps: readonly ServiceStep[],
  opts: GateOptions = {},
): Promise<GateResult[]> {
  const started = Date.now();
  const first = new Map<string, ContainerState>();
  const results = new Map<string, GateResult>();
  for (;;) {
    const pending = steps.filter((s) => !results.has(s.service));
    if (pending.length === 0) break;
    opts.signal?.throwIfAborted();
    const names = pending.map((s) => s.container);
    // a poll past the pending services' own deadlines (and a margin) is docker not answering: the gate fails then,
    // where an exec without a deadline would hold the deploy for ever (a hung dockerd; keepalives still answered)
    const left = Math.max(...pending.map((s) => s.gate.timeoutSec)) - (Date.now() - started) / 1000;
    const timeoutSec = Math.ceil(Math.max(0, left)) + POLL_MARGIN_SEC;
    const out = await run(t, gateStateCmd(names), {
      become: opts.become === true,
      timeoutMs: timeoutSec * 1000,
    }).catch(undefinedOnTimeout);
    if (out === undefined) {
      const seconds = round((Date.now() - started) / 1000);
      for (const s of pending) {
        const detail = `docker did not answer within ${timeoutSec}s (a hung dockerd?)`;
        results.set(s.service, { service: s.service, container: s.container, ok: false, detail, seconds });
      }
      break;
    }
    const poll = parseGateState(out.stdout, names);
    const elapsed = (Date.now() - started) / 1000;
    for (const s of pending) {
      const g = poll.containers.find((x) => x.state.name === s.container);
      const c = g?.state;
      if (c && !first.has(s.service)) first.set(s.service, c);
      const v = judge(s, c, first.get(s.service), elapsed);
      const lag =
        v.done && v.ok && c?.health === 'healthy' && g?.firstPassAt !== undefined
          ? { afterCheckSec: round(Math.max(0, poll.now - g.firstPassAt)) }
          : {};
      if (v.done)
        results.set(s.service, {
          service: s.service,
          container: s.container,
          ok: v.ok,
          detail: v.detail,
          seconds: round(elapsed),
          ...lag,
          ...(c ? { image: c.image } : {}),
        });
      else if (elapsed >= s.gate.timeoutSec)
        results.set(s.service, {
          service: s.service,
          container: s.container,
          ok: false,
          detail: `still ${v.waiting} after ${s.gate.timeoutSec}s`,
          seconds: round(elapsed),
        });
    }
    if (steps.every((s) => results.has(s.service))) break;
    await sleep(opts.pollMs ?? 500, opts.signal);
  }
  return steps.map((s) => results.get(s.service) as GateResult);
}

function round(sec: number): number {
  return Math.round(sec * 10) / 10;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    // the listener goes when the timer fires: one poll must not leave one behind (MaxListenersExceededWarning)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
