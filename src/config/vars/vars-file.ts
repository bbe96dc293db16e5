// Loads a vars file (group_vars, host_vars, role defaults, --vars-file): YAML or whole-file vault, inline !vault
// values.
import { readFileSync } from 'node:fs';
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import { VaultError } from '../../core/errors/errors.js';
import type { Redactor } from '../../core/redact/redactor.js';
import { isVaultFile, type SecretSource } from './secret-source.js';
import { VAR_NAME, type Layer, type VarEntry } from './var-entry.js';
import { parseYamlSource, VaultText, type YamlSource } from '../yaml-source.js';

/** What loading needs besides the file: where secrets come from, where they are registered, where problems go. */
export interface LoadContext {
  readonly secrets: SecretSource | undefined;
  readonly redactor: Redactor;
  readonly diagnostics: Diagnostics;
}

export const NO_PASSWORD_HINT =
  'no vault password configured (use --vault-password-file, RIG_VAULT_PASSWORD_FILE or a .vault_password file at the repository root)';

/**
 * Reads and parses `file`, decrypting it when it is a vault file. Problems go to `ctx.diagnostics`; returns undefined
 * then.
 */
export function readYamlFile(
  file: string,
  ctx: LoadContext,
): { source: YamlSource; wholeFileSecret: boolean } | undefined {
  let text = readFileSync(file, 'utf8');
  const wholeFileSecret = isVaultFile(text);
  if (wholeFileSecret) {
    const plain = decryptOrReport(text, file, { file, line: 1, col: 1 }, ctx);
    if (plain === undefined) return undefined;
    text = plain;
  }
  const source = parseYamlSource(file, text);
  ctx.diagnostics.add(...source.diagnostics);
  if (source.diagnostics.some((d) => d.severity === 'error')) return undefined;
  return { source, wholeFileSecret };
}

/** Loads a vars file as variable entries of `layer`. Every problem (syntax, names, vault) is reported, none thrown. */
export function loadVarsFile(file: string, layer: Layer, ctx: LoadContext): VarEntry[] {
  const read = readYamlFile(file, ctx);
  if (!read) return [];
  const { source, wholeFileSecret } = read;
  const root = source.toJS();
  if (root === null || root === undefined) return [];
  if (typeof root !== 'object' || Array.isArray(root)) {
    ctx.diagnostics.error('a vars file must be a mapping of variable names to values', source.locate([]));
    return [];
  }
  return varsFromMapping(root as Record<string, unknown>, source, [], layer, ctx, wholeFileSecret);
}

/**
 * Turns a parsed mapping (a whole vars file, or a `vars:` block inside hosts.yml at `basePath`) into entries,
 * decrypting inline `!vault` values and checking variable names.
 */
export function varsFromMapping(
  mapping: Record<string, unknown>,
  source: YamlSource,
  basePath: readonly (string | number)[],
  layer: Layer,
  ctx: LoadContext,
  wholeFileSecret = false,
): VarEntry[] {
  const entries: VarEntry[] = [];
  for (const [name, raw] of Object.entries(mapping)) {
    const keyPath = [...basePath, name];
    if (!VAR_NAME.test(name)) {
      ctx.diagnostics.error(
        `invalid variable name "${name}" (letters, digits and _; not starting with a digit)`,
        source.locateKey(keyPath),
      );
      continue;
    }
    const state = { secret: wholeFileSecret, failed: false };
    const value = revealVault(raw, source.file, ctx, state);
    if (state.failed) continue; // reported; leaving the variable out avoids cascading "wrong type" errors
    if (state.secret) registerSecret(value, ctx.redactor);
    entries.push({
      name,
      value,
      layer,
      loc: source.locateKey(keyPath),
      secret: state.secret,
      locate: (path) => source.locate([...keyPath, ...path]),
    });
  }
  return entries;
}

function revealVault(
  value: unknown,
  file: string,
  ctx: LoadContext,
  state: { secret: boolean; failed: boolean },
): unknown {
  if (value instanceof VaultText) {
    state.secret = true;
    const plain = decryptOrReport(value.envelope, file, value.loc, ctx);
    if (plain === undefined) state.failed = true;
    return plain ?? '';
  }
  if (Array.isArray(value)) return value.map((v) => revealVault(v, file, ctx, state));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealVault(v, file, ctx, state)]));
  }
  return value;
}

function decryptOrReport(envelope: string, file: string, loc: VarEntry['loc'], ctx: LoadContext): string | undefined {
  if (!ctx.secrets) {
    ctx.diagnostics.error(`encrypted value, but ${NO_PASSWORD_HINT}`, loc);
    return undefined;
  }
  try {
    return ctx.secrets.decrypt(envelope, file);
  } catch (err) {
    if (err instanceof VaultError) {
      ctx.diagnostics.error(
        err.message.startsWith(`${file}: `) ? err.message.slice(file.length + 2) : err.message,
        loc,
      );
      return undefined;
    }
    throw err;
  }
}

/** Registers every scalar inside a secret value with the redactor, so no output can show it. */
export function registerSecret(value: unknown, redactor: Redactor): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) return value.forEach((v) => registerSecret(v, redactor));
  if (typeof value === 'object') return Object.values(value).forEach((v) => registerSecret(v, redactor));
  // Booleans are not registered: masking every "true" in the output would hide nothing and garble everything.
  if (typeof value === 'string' || typeof value === 'number') redactor.add(String(value));
}
