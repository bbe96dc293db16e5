// Env files (`KEY=value` lines) as Compose reads them: writing with safe quoting, and reading back for diffs.
import { parse as dotenvParse } from 'dotenv';
import { EnvValueError, quoteEnvValue } from './env-quote.js';

/** A value an env file can hold; numbers and booleans are written with `String()`. */
export type EnvScalar = string | number | boolean;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A key or value that cannot go into an env file; the message names the key, never the value. */
export class EnvFileError extends Error {
  override readonly name = 'EnvFileError';
}

/**
 * Renders `entries` as an env file, one `KEY=value` line per entry in insertion order, ending with a newline.
 * Every value reads back exactly with docker-compose v1, Compose v2 and npm dotenv (see env-quote.ts);
 * throws EnvFileError for an invalid key, a non-scalar value, or a value no quoting can carry.
 */
export function formatEnvFile(entries: Readonly<Record<string, EnvScalar>>): string {
  return Object.entries(entries)
    .map(([key, value]) => `${formatEnvLine(key, value)}\n`)
    .join('');
}

/** One `KEY=value` line, without its newline. */
export function formatEnvLine(key: string, value: unknown): string {
  if (!ENV_NAME.test(key)) {
    throw new EnvFileError(`invalid env variable name "${key}" (expected ${ENV_NAME.source})`);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value;
    throw new EnvFileError(`value of "${key}" must be a string, number or boolean, not ${kind}`);
  }
  try {
    return `${key}=${quoteEnvValue(String(value))}`;
  } catch (err) {
    if (!(err instanceof EnvValueError)) throw err;
    throw new EnvFileError(
      `value of "${key}" cannot be written to an env file that docker-compose v1, Compose v2 and dotenv all read back unchanged: ${err.message}`,
    );
  }
}

/**
 * Reads an env file into an ordered map, with npm dotenv's parser. For files written by `formatEnvFile` this
 * is exactly what Compose reads (property-tested); for hand-written files it can differ from Compose on
 * `${VAR}` expansion and escapes, which is fine for its purpose: diffing the files rig writes, key by key.
 */
export function parseEnvFile(text: string): Map<string, string> {
  return new Map(Object.entries(dotenvParse(text)));
}
