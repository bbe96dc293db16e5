// What a fact is: one command run on a host, and a pure parser of its output. `gather` runs a set of them in one exec.
import type { Cmd } from '../core/cmd/cmd.js';

/** A fact: `command` runs on the host (batched with the others by `gather`); `parse` turns its stdout into T. */
export interface Fact<T> {
  /** Names the fact in errors: `web1: fact file-state: …`. */
  readonly name: string;
  readonly command: Cmd;
  /** Pure; throws on output it does not recognise (gather adds the host and the fact's name). */
  readonly parse: (stdout: Buffer) => T;
}

/** Facts keyed by the caller's names; an undefined entry is a fact not asked for (no command, an undefined value). */
export type FactSet = Readonly<Record<string, Fact<unknown> | undefined>>;

/** What a fact set yields: the same keys, each with its fact's parsed value (undefined for one not asked for). */
export type Gathered<F extends FactSet> = { readonly [K in keyof F]: ValueOf<F[K]> };

type ValueOf<V> = V extends Fact<infer T> ? T : undefined;

/** A fact whose parser reads text. */
export function textFact<T>(name: string, command: Cmd, parse: (stdout: string) => T): Fact<T> {
  return { name, command, parse: (stdout) => parse(stdout.toString('utf8')) };
}
