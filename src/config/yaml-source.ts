// Parses one YAML file keeping positions, so every later error can point at file:line:col.
import { isNode, isPair, isScalar, LineCounter, parseDocument, type Document, type ScalarTag } from 'yaml';
import type { Diagnostic, SourceLocation } from '../core/errors/diagnostic.js';

/** An inline `!vault |` value as found in the file: the envelope text, not yet decrypted. */
export class VaultText {
  constructor(
    readonly envelope: string,
    readonly loc: SourceLocation,
  ) {}
}

export type YamlPath = readonly (string | number)[];

/** A parsed YAML file: its document, its diagnostics and a way to locate any path in it. */
export interface YamlSource {
  readonly file: string;
  readonly doc: Document;
  readonly diagnostics: readonly Diagnostic[];
  /** Location of the value at `path`; falls back to the nearest existing ancestor, then to 1:1. */
  locate(path: YamlPath): SourceLocation;
  /** Location of the key of the entry at `path` (for "unknown key" errors); the value's location if keyless. */
  locateKey(path: YamlPath): SourceLocation;
  /** The document as plain JS; `!vault` scalars become VaultText. */
  toJS(): unknown;
}

/** Parses `text` (the content of `file`), collecting syntax errors and duplicate keys instead of throwing. */
export function parseYamlSource(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const at = (offset: number): SourceLocation => ({ file, ...lineCounter.linePos(offset) });
  const vaultTag: ScalarTag = {
    tag: '!vault',
    resolve: (str: string) => str,
  };
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    customTags: [vaultTag],
    strict: true,
  });
  const diagnostics: Diagnostic[] = [
    ...doc.errors.map((e) => ({
      severity: 'error' as const,
      message: yamlMessage(e.code, e.message),
      loc: at(e.pos[0]),
    })),
    ...doc.warnings.map((e) => ({ severity: 'warning' as const, message: e.message, loc: at(e.pos[0]) })),
  ];
  const locate = (path: YamlPath): SourceLocation => {
    for (let n = path.length; n >= 0; n--) {
      const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return at(node.range[0]);
    }
    return { file, line: 1, col: 1 };
  };
  const locateKey = (path: YamlPath): SourceLocation => {
    const key = findPairKey(doc, path);
    return key?.range ? at(key.range[0]) : locate(path);
  };
  const toJS = (): unknown => doc.toJS({ maxAliasCount: 100 }) as unknown;
  return { file, doc, diagnostics, locate, locateKey, toJS: () => reviveVault(doc, toJS(), at) };
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'duplicate key (YAML map keys must be unique)';
  return message.replace(/\s+/g, ' ').trim();
}

function findPairKey(
  doc: Document,
  path: YamlPath,
): { range?: [number, number, number] | null | undefined } | undefined {
  if (path.length === 0) return undefined;
  const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (!isNode(parent) || !('items' in parent) || !Array.isArray(parent.items)) return undefined;
  for (const item of parent.items as unknown[]) {
    if (isPair(item) && isScalar(item.key) && item.key.value === last) return item.key;
  }
  return undefined;
}

/** Replaces every `!vault`-tagged scalar's JS value by a VaultText carrying its location. */
function reviveVault(doc: Document, js: unknown, at: (offset: number) => SourceLocation): unknown {
  const tagged = new Map<string, VaultText[]>();
  collectVaultScalars(doc.contents, [], (path, text, offset) => {
    tagged.set(JSON.stringify(path), [new VaultText(text, at(offset))]);
  });
  if (tagged.size === 0) return js;
  const walk = (value: unknown, path: (string | number)[]): unknown => {
    const hit = tagged.get(JSON.stringify(path));
    if (hit?.[0]) return hit[0];
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, [...path, k])]));
    }
    return value;
  };
  return walk(js, []);
}

function collectVaultScalars(
  node: unknown,
  path: (string | number)[],
  found: (path: (string | number)[], text: string, offset: number) => void,
): void {
  if (isScalar(node)) {
    if (node.tag === '!vault' && typeof node.value === 'string') found(path, node.value, node.range?.[0] ?? 0);
    return;
  }
  if (!isNode(node) || !('items' in node) || !Array.isArray(node.items)) return;
  (node.items as unknown[]).forEach((item, i) => {
    if (isPair(item)) {
      const key = isScalar(item.key) ? item.key.value : undefined;
      if (typeof key === 'string' || typeof key === 'number') collectVaultScalars(item.value, [...path, key], found);
    } else {
      collectVaultScalars(item, [...path, i], found);
    }
  });
}
