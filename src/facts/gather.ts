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

/** A host whose batches run as one plain exec (none when there is nothing to run). */
export function execHost(t: Transport, become: boolean): FactHost {
  return {
    host: t.host,
    run: async (parts) => {
      if (parts.length === 0) return { results: [], stderr: '', code: 0 };
      const batch = cmdBatch(parts);
      const r = await t.exec(batch.cmd, { become });
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
  return readFacts(host.host, facts, await host.run(factCommands(facts)));
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
