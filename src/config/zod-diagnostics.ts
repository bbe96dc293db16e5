// Maps zod validation issues onto YAML locations, so schema errors read `file:line:col: message`.
import type { z } from 'zod';
import type { Diagnostic, SourceLocation } from '../core/errors/diagnostic.js';
import { didYouMean } from '../core/suggest.js';

/** Where issue paths land: a value's position, and a key's position for unknown keys. */
export interface Locator {
  locate(path: readonly (string | number)[]): SourceLocation;
  locateKey(path: readonly (string | number)[]): SourceLocation;
}

/** One diagnostic per issue (one per key for unrecognized keys), each located in the file. */
export function zodIssuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  where: Locator,
  basePath: readonly (string | number)[] = [],
  opts: { hosts?: readonly string[]; keysAt?: (path: readonly (string | number)[]) => Iterable<string> } = {},
): Diagnostic[] {
  const { hosts } = opts;
  return issues.flatMap((issue) => {
    const path = [...basePath, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      const known = opts.keysAt?.(path) ?? [];
      return issue.keys.map((key) => ({
        severity: 'error' as const,
        message: `unknown key "${key}"${didYouMean(key, known)}`,
        loc: where.locateKey([...path, key]),
        hosts,
      }));
    }
    if (issue.code === 'invalid_key') {
      // a mapping key that fails its own schema (a host name): said at the key, with the key's rule and no key text
      const rule = issue.issues[0]?.message ?? issue.message;
      const parent = path.slice(0, -1);
      const message = `${parent.join('.')}: invalid key: ${rule}`;
      return [{ severity: 'error' as const, message, loc: where.locateKey(path), hosts }];
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      if (best.length > 0) return zodIssuesToDiagnostics(best, where, path, opts);
    }
    const label = path.length > 0 ? `${path.join('.')}: ` : '';
    return [{ severity: 'error' as const, message: `${label}${issueMessage(issue)}`, loc: where.locate(path), hosts }];
  });
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const got = issue.input === undefined ? 'nothing' : describe(issue.input);
    return `expected ${issue.expected}, got ${got}`;
  }
  return issue.message;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // quoted whole or not at all: a whole secret is masked on output, its first characters would not be
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : `string "${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${v}`;
  return typeof v;
}
