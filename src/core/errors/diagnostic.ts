// Diagnostics: every user-facing problem carries a location (file:line:col) and they are collected, not thrown one by
// one.
import path from 'node:path';

/** A position in a file of the repository; line and col are 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type Severity = 'error' | 'warning';

/** One problem found in the user's input, with where it is and (when host-specific) which hosts it concerns. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly loc?: SourceLocation | undefined;
  readonly hosts?: readonly string[] | undefined;
}

/** Renders a location relative to the working directory, the way compilers do (`inventory/prod/hosts.yml:3:5`). */
export function formatLocation(loc: SourceLocation, cwd: string = process.cwd()): string {
  const rel = path.isAbsolute(loc.file) ? path.relative(cwd, loc.file) : loc.file;
  const file = rel.startsWith('..') ? loc.file : rel;
  return `${file}:${loc.line}:${loc.col}`;
}

/** `file:line:col: message [host a, b]`, or `message` when there is no file. Warnings say so. */
export function formatDiagnostic(d: Diagnostic, cwd?: string): string {
  const where = d.loc ? `${formatLocation(d.loc, cwd)}: ` : '';
  const level = d.severity === 'warning' ? 'warning: ' : '';
  const hosts = d.hosts && d.hosts.length > 0 ? ` [host${d.hosts.length > 1 ? 's' : ''} ${d.hosts.join(', ')}]` : '';
  return `${where}${level}${d.message}${hosts}`;
}

/** Thrown when input is invalid: carries every diagnostic found, so the user fixes them all in one go. */
export class DiagnosticsError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
    this.name = 'DiagnosticsError';
    this.diagnostics = diagnostics;
  }
}

/** Collects diagnostics during a phase; `throwIfErrors` ends the phase when any error was found. */
export class Diagnostics {
  private readonly items: Diagnostic[] = [];

  error(message: string, loc?: SourceLocation, hosts?: readonly string[]): void {
    this.items.push({ severity: 'error', message, loc, hosts });
  }

  warning(message: string, loc?: SourceLocation, hosts?: readonly string[]): void {
    this.items.push({ severity: 'warning', message, loc, hosts });
  }

  add(...ds: readonly Diagnostic[]): void {
    this.items.push(...ds);
  }

  /** Runs `fn`; a DiagnosticsError it throws is absorbed into this collection instead of propagating. */
  collect<T>(fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      if (err instanceof DiagnosticsError) {
        this.add(...err.diagnostics);
        return undefined;
      }
      throw err;
    }
  }

  get all(): readonly Diagnostic[] {
    return mergeByLocation(this.items);
  }

  get errors(): readonly Diagnostic[] {
    return this.all.filter((d) => d.severity === 'error');
  }

  get warnings(): readonly Diagnostic[] {
    return this.all.filter((d) => d.severity === 'warning');
  }

  hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }

  /** How many errors were added so far (before merging): compare two counts to tell whether a step added any. */
  get errorCount(): number {
    return this.items.reduce((n, d) => n + (d.severity === 'error' ? 1 : 0), 0);
  }

  throwIfErrors(): void {
    if (this.hasErrors()) throw new DiagnosticsError(this.errors);
  }
}

/**
 * The same problem at the same place for several hosts is reported once, listing the hosts; order is stable (file,
 * line, col).
 */
function mergeByLocation(items: readonly Diagnostic[]): Diagnostic[] {
  const byKey = new Map<string, Diagnostic>();
  for (const d of items) {
    const key = `${d.severity}\0${d.loc ? formatLocation(d.loc, '/') : ''}\0${d.message}`;
    const prev = byKey.get(key);
    const hosts = [...(prev?.hosts ?? []), ...(d.hosts ?? [])];
    byKey.set(key, { ...d, hosts: hosts.length > 0 ? [...new Set(hosts)] : undefined });
  }
  return [...byKey.values()].sort(compareDiagnostics);
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.loc?.file ?? '';
  const fb = b.loc?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0);
}
