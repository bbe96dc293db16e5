// The smoke-test module API: `smoke-tests/<id>.ts` default-exports `defineSmoke({...})`, checked by the loader.
import type { SmokeContext } from './smoke-context.js';

/** The outcomes of a check, in the order a summary lists them. */
export const SMOKE_STATUSES = ['pass', 'warn', 'fail', 'skip'] as const;

/**
 * `pass`: works. `warn`: works with a caveat (fails the run only under `--strict`). `fail`: broken (fails the run when
 * the check is blocking, or under `--strict`). `skip`: nothing to check on this host (say why in the evidence).
 */
export type SmokeStatus = (typeof SMOKE_STATUSES)[number];

/** What `run` resolves to. The runner adds the host, the check's id and the measured duration. */
export interface SmokeOutcome {
  readonly status: SmokeStatus;
  /**
   * What the check saw, one fact per line; the first line is the headline the one-line summary shows, so make it
   * say what is wrong ("2 of 5 services not healthy: …"). Known vault secrets are masked by the runner, but do not
   * put secrets here in the first place. Lines holding line breaks are split; at most 100 lines are kept.
   */
  readonly evidence: readonly string[];
}

/**
 * Which hosts a check runs on. Every key given must match (a key lists alternatives): `{ roles: ['litellm'] }` runs
 * on the hosts whose plays give them the litellm role, `{ services: 'any' }` on every host with at least one compose
 * service, `{ roles: ['openclaw'], services: ['openclaw'] }` where both hold, `{ groups: ['all'] }` on every host.
 * A host the target does not match gets no result for the check at all (not even `skip`).
 */
export interface SmokeTarget {
  /** Role names (checked against `roles/`: a typo is an error at its `file:line:col`). */
  readonly roles?: readonly string[];
  /** Compose service names a role declares for the host, or `'any'`: the host declares at least one. */
  readonly services?: readonly string[] | 'any';
  /** Inventory group names (`all` holds every host). */
  readonly groups?: readonly string[];
}

/** A smoke check, as `smoke-tests/<id>.ts` default-exports it. */
export interface SmokeCheck {
  /** Lowercase words joined by `-`, equal to the file name without `.ts` (`--only` takes it). */
  readonly id: string;
  /** One line for people: what works when this passes. */
  readonly description: string;
  readonly target: SmokeTarget;
  /**
   * Seconds the check may take on one host, measured from its start. Past it the check is `fail` with the evidence
   * `deadline Ns exceeded`, its `ctx.signal` aborts, and the commands it is running over `ctx.exec` are killed.
   */
  readonly deadlineSec: number;
  /**
   * A failing blocking check makes `rig smoke` exit 1; a non-blocking one is advisory (exit 1 only under `--strict`).
   */
  readonly blocking: boolean;
  /**
   * Checks one host. Read-only: look, never change (the runner takes no deploy lock). A throw is a `fail` with the
   * error's message as evidence. Pass `ctx.signal` on to anything that waits and does not go through `ctx.exec`.
   */
  readonly run: (ctx: SmokeContext) => Promise<SmokeOutcome>;
}

/**
 * Declares a smoke check (the loader validates it and reports problems at their `file:line:col`):
 *
 * ```ts
 * import { defineSmoke, exec } from 'rig';
 *
 * export default defineSmoke({
 *   id: 'disk-space',
 *   description: 'the root filesystem has room left',
 *   target: { groups: ['all'] },
 *   deadlineSec: 10,
 *   blocking: false,
 *   async run(ctx) {
 *     const r = await ctx.exec(exec(['df', '--output=pcent', '/']));
 *     const used = Number(/(\d+)%/.exec(r.stdout)?.[1]);
 *     return { status: used > 90 ? 'warn' : 'pass', evidence: [`/ is ${used}% full`] };
 *   },
 * });
 * ```
 */
export function defineSmoke(def: SmokeCheck): SmokeCheck {
  return { ...def };
}
