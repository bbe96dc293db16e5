// Runs a set of facts in ONE exec per host, each in its own section of the output, into a record keyed like the set.
import { display } from '../core/cmd/render.js';
import type { Cmd } from '../core/cmd/cmd.js';
import { cmdBatch, type PartResult } from '../core/cmd/batch.js';
import { RemoteCommandError } from '../core/errors/remote-errors.js';
import type { Transport } from '../transport/transport.js';
import type { Fact, FactSet, Gathered } from './fact.js';

/** One exec of a batch: each part's section (fewer when the batch stopped early), the exec's stderr and status. */
export interface BatchOutcome {
  readonly results: readonly PartResult[];
  readonly stderr: string;
  readonly code: number;
}

/** Where facts are read: the host's name, and how a batch of commands runs there (one exec; the lock may ride it). */
export interface FactHost {
  readonly host: string;
  readonly run: (parts: readonly Cmd[]) => Promise<BatchOutcome>;
}

/** A fact's output that is missing or that its parser refused: names the host and the fact. */
export class FactError extends Error {
  override readonly name = 'FactError';
  constructor(
    readonly host: string,
    readonly fact: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${host}: fact ${fact}: ${problem}`, options);
  }
}

/** How one fact of a settled read came out: its value, a failed command (or no section at all), or bad output. */
export type FactOutcome<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'failed'; readonly code: number | undefined }
  | { readonly kind: 'malformed'; readonly error: FactError; readonly cause: unknown };

/** Like `Gathered`, each fact settled on its own. */
export type Settled<F extends FactSet> = {
  readonly [K in keyof F]: F[K] extends Fact<infer T> ? FactOutcome<T> : undefined;
};

/**
 * A facts exec past its deadline (Transport.factsTimeoutMs, RIG_FACTS_TIMEOUT): `hung` is the index of the part that
 * had not finished among those the caller asked for, `fact` its name once `gather` knows it.
 */
export class FactsTimeoutError extends Error {
  override readonly name = 'FactsTimeoutError';
  constructor(
    readonly host: string,
    readonly seconds: number,
    readonly hung: number,
    readonly fact?: string,
  ) {
    const docker = fact === 'docker-state' || fact === 'project-containers';
    const what =
      fact === undefined
        ? ''
        : docker
          ? `: fact ${fact} was still running (docker does not answer: a hung dockerd? \`docker ps\` on the host would hang too)`
          : `: fact ${fact} was still running (a command of it hangs on the host)`;
    super(`${host}: reading the host's facts did not finish within ${seconds} s (RIG_FACTS_TIMEOUT)${what}`);
  }
}

/** The timeout of a facts exec as a FactsTimeoutError (which of its parts hung, `skip` leading parts not counted). */
export function factsTimeout(
  t: Transport,
  err: unknown,
  split: (stdout: Buffer) => readonly PartResult[],
  skip = 0,
): unknown {
  if (!(err instanceof RemoteCommandError && err.kind === 'timeout') || t.factsTimeoutMs === undefined) return err;
  const done = split(err.stdoutSoFar ?? Buffer.alloc(0)).length;
  // negative: it hung in one of the leading parts (the lock's), before any fact
  return new FactsTimeoutError(t.host, t.factsTimeoutMs / 1000, done - skip);
}

/** The deadline option of a facts exec on `t`. */
export function factsDeadline(t: Transport): { timeoutMs?: number } {
  return t.factsTimeoutMs === undefined ? {} : { timeoutMs: t.factsTimeoutMs };
}

/** A host whose batches run as one plain exec (none when there is nothing to run), within the facts deadline. */
export function execHost(t: Transport, become: boolean): FactHost {
  return {
    host: t.host,
    run: async (parts) => {
      if (parts.length === 0) return { results: [], stderr: '', code: 0 };
      const batch = cmdBatch(parts);
      const r = await t.exec(batch.cmd, { become, ...factsDeadline(t) }).catch((err: unknown) => {
        throw factsTimeout(t, err, batch.split);
      });
      return { results: batch.split(r.stdoutBytes), stderr: r.stderr, code: r.code };
    },
  };
}

/** The commands of the facts asked for, in the set's order (the order of the sections). */
export function factCommands(facts: FactSet): Cmd[] {
  return asked(facts).map(([, f]) => f.command);
}

/** Reads every fact of `facts` in one batch; a failed command is a RemoteCommandError, bad output a FactError. */
export async function gather<F extends FactSet>(host: FactHost, facts: F): Promise<Gathered<F>> {
  const outcome = await host.run(factCommands(facts)).catch((err: unknown) => {
    if (!(err instanceof FactsTimeoutError) || err.fact !== undefined) throw err;
    const name = err.hung < 0 ? undefined : asked(facts)[err.hung]?.[1].name;
    throw new FactsTimeoutError(err.host, err.seconds, err.hung, name);
  });
  return readFacts(host.host, facts, outcome);
}

/** Parses a batch's sections into the facts' values (pure; the sections come in `factCommands` order). */
export function readFacts<F extends FactSet>(host: string, facts: F, outcome: BatchOutcome): Gathered<F> {
  const values = Object.entries(readSettled(host, facts, outcome)).map(
    ([key, o]: [string, FactOutcome<unknown> | undefined]) => {
      if (o === undefined || o.kind === 'ok') return [key, o?.value] as const;
      if (o.kind === 'malformed') throw o.error;
      const fact = facts[key] as Fact<unknown>;
      if (o.code === undefined)
        throw new FactError(
          host,
          fact.name,
          `no output section: the batch stopped early (exit ${outcome.code})${tail(outcome.stderr)}`,
        );
      throw new RemoteCommandError(host, display(fact.command), 'exit', o.code, outcome.stderr);
    },
  );
  return Object.fromEntries(values) as Gathered<F>;
}

/** Each fact on its own: one failing or malformed part spoils no other. */
export function readSettled<F extends FactSet>(host: string, facts: F, outcome: BatchOutcome): Settled<F> {
  const sections = asked(facts).map(([key, fact], i) => [key, settle(host, fact, outcome.results[i])] as const);
  const got = new Map<string, FactOutcome<unknown>>(sections);
  return Object.fromEntries(Object.keys(facts).map((key) => [key, got.get(key)])) as Settled<F>;
}

function settle(host: string, fact: Fact<unknown>, section: PartResult | undefined): FactOutcome<unknown> {
  if (section === undefined || section.code !== 0) return { kind: 'failed', code: section?.code };
  try {
    return { kind: 'ok', value: fact.parse(section.stdout) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // parsers name their fact already ("file-state: no record for …"): said once
    const why = message.startsWith(`${fact.name}: `) ? message.slice(fact.name.length + 2) : message;
    return {
      kind: 'malformed',
      error: new FactError(host, fact.name, `unexpected output: ${why}`, { cause: err }),
      cause: err,
    };
  }
}

function asked(facts: FactSet): [string, Fact<unknown>][] {
  return Object.entries(facts).flatMap(([key, f]) => (f === undefined ? [] : [[key, f] as [string, Fact<unknown>]]));
}

function tail(stderr: string): string {
  const lines = stderr.trim().split('\n').slice(-3).join(' / ');
  return lines === '' ? '' : `: ${lines}`;
}
