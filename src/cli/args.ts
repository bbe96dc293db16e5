// Flag parsing for every command (node:util parseArgs, strict): unknown flags are usage errors with a suggestion.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors/errors.js';
import { didYouMean } from '../core/suggest.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags shared by the commands that load a project. */
export const PROJECT_OPTIONS = {
  env: { type: 'string', short: 'e' },
  root: { type: 'string' },
  'vault-password-file': { type: 'string' },
  'vault-id': { type: 'string', multiple: true },
  var: { type: 'string', multiple: true },
  'secret-var': { type: 'string', multiple: true },
  'vars-file': { type: 'string', multiple: true },
  playbook: { type: 'string' },
} as const satisfies OptionSpec;

export interface Parsed<T extends OptionSpec> {
  values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
}

/** Parses `args` for `command`; errors name the command and suggest the nearest flag. */
export function parseFlags<T extends OptionSpec>(command: string, args: readonly string[], options: T): Parsed<T> {
  try {
    const r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: r.values, positionals: r.positionals };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const flag = /'(--?[^' ]+)'/.exec(msg)?.[1];
    const hint = flag ? didYouMean(flag.replace(/^--?/, ''), Object.keys(options)).replace('"', '"--') : '';
    throw new UsageError(`rig ${command}: ${msg.split('. ')[0] ?? msg}${hint}`);
  }
}
