// Merges a host's variable layers by precedence and resolves `{{ var }}` references between variables (Ansible style).
import type { Diagnostics, SourceLocation } from '../../core/errors/diagnostic.js';
import type { VarEntry } from './var-entry.js';
import { hasExpression, referencedNames } from './var-references.js';

/** A variable's final value for one host, with the entries it overrode (lowest first). */
export interface ResolvedVar extends VarEntry {
  readonly overridden: readonly VarEntry[];
  /**
   * The parts of a value built from secrets that came out secret (`{ url: "…{{ vault_pw }}…", name: "app" }`: the url).
   */
  readonly secretParts?: readonly unknown[];
}

/** Renders one `{{ }}` string against resolved values (the template layer's renderString). */
export type Interpolate = (
  text: string,
  context: Record<string, unknown>,
  loc: SourceLocation,
) => { value: unknown; sensitive: boolean };

/**
 * Last writer wins, layers given lowest first; dictionaries are replaced, not merged (Ansible's default). A value
 * that overrides a secret stays secret (`--var vault_token=…` is masked like the vault value it replaces).
 */
export function mergeLayers(entries: readonly VarEntry[]): Map<string, ResolvedVar> {
  const out = new Map<string, ResolvedVar>();
  for (const e of entries) {
    const prev = out.get(e.name);
    const secret = e.secret || prev?.secret === true;
    out.set(e.name, { ...e, secret, overridden: prev ? [...prev.overridden, withoutHistory(prev)] : [] });
  }
  return out;
}

function withoutHistory(v: ResolvedVar): VarEntry {
  const { overridden: _o, ...entry } = v;
  return entry;
}

/**
 * Replaces values that contain `{{ … }}` by their rendering against the other variables, resolving references
 * first (depth-first, cycles reported). A variable that references a secret becomes secret.
 */
export function interpolateVars(
  vars: Map<string, ResolvedVar>,
  interpolate: Interpolate,
  diagnostics: Diagnostics,
  host: string,
): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const resolve = (name: string, trail: string[]): void => {
    const v = vars.get(name);
    if (!v || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      diagnostics.error(`variable cycle: ${[...trail.slice(trail.indexOf(name)), name].join(' → ')}`, v.loc, [host]);
      return;
    }
    if (!hasExpression(v.value)) return void state.set(name, 'done');
    state.set(name, 'visiting');
    const refs = new Set<string>();
    collectRefs(v.value, refs);
    for (const r of refs) if (vars.has(r)) resolve(r, [...trail, name]);
    const secret = v.secret || [...refs].some((r) => vars.get(r)?.secret === true);
    const context = Object.fromEntries([...vars].map(([k, rv]) => [k, rv.value]));
    const parts: unknown[] = [];
    const value = renderDeep(v.value, [], { v, context, interpolate, diagnostics, parts });
    vars.set(name, { ...v, value, secret, ...(parts.length > 0 ? { secretParts: parts } : {}) });
    state.set(name, 'done');
  };
  for (const name of [...vars.keys()]) resolve(name, []);
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (typeof value === 'string')
    return void (value.includes('{{') && referencedNames(value).forEach((n) => into.add(n)));
  if (Array.isArray(value)) return value.forEach((v) => collectRefs(v, into));
  if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => collectRefs(v, into));
}

interface RenderCtx {
  readonly v: VarEntry;
  readonly context: Record<string, unknown>;
  readonly interpolate: Interpolate;
  readonly diagnostics: Diagnostics;
  /** Collects each rendered part that came out sensitive. */
  readonly parts: unknown[];
}

function renderDeep(value: unknown, path: (string | number)[], c: RenderCtx): unknown {
  if (typeof value === 'string' && value.includes('{{')) {
    const loc = c.v.locate(path);
    const result = c.diagnostics.collect(() => c.interpolate(value, c.context, loc));
    if (result?.sensitive === true) c.parts.push(result.value);
    return result === undefined ? value : result.value;
  }
  if (Array.isArray(value)) return value.map((x, i) => renderDeep(x, [...path, i], c));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, renderDeep(x, [...path, k], c)]));
  }
  return value;
}
