// Finds the image references the repository writes down (vars files, role templates) and reports floating tags at
// file:line:col.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { z } from 'zod';
import { listEnvironments } from '../config/inventory/inventory.js';
import { isVaultFile } from '../config/vars/secret-source.js';
import { parseYamlSource, type YamlPath, type YamlSource } from '../config/yaml-source.js';
import { zodIssuesToDiagnostics } from '../config/zod-diagnostics.js';
import type { Diagnostic, SourceLocation } from '../core/errors/diagnostic.js';
import { ImageRefError, parseImageRef, type ImageRef } from '../registry/image-ref.js';
import { classifyImageRef, repositoryName } from './floating-tag.js';

/** One image reference as written (or as resolved from a variable), with where it was written. */
export interface ImageValue {
  readonly ref: string;
  readonly loc: SourceLocation;
}

/** An accepted floating image: `image` is a full reference (that tag only) or a repository (any of its tags). */
export interface AllowEntry {
  readonly image: string;
  readonly reason: string;
  readonly loc: SourceLocation;
}

/**
 * The allow-list, at the repository root: one list for the whole repository, because templates and roles are
 * shared by every environment and an exception is best reviewed in one place.
 */
export const ALLOW_LIST_FILE = 'lint.yml';

const VARS_EXTENSIONS = ['.yml', '.yaml', '.json'];
const TEMPLATE_EXTENSIONS = ['.hbs', '.yml', '.yaml'];
const TEMPLATE_IMAGE_LINE = /^(\s*(?:-\s+)?image:[ \t]*)(.*)$/;
const EXPRESSION = /\{\{|\$\{/;

/**
 * Lints every image reference written in the repository: `inventory/<env>/versions.yml` and every vars file under
 * `inventory/<env>/group_vars|host_vars` (all environments when `env` is omitted), role `defaults.yml`, and the
 * `image:` lines of every role's `*.hbs`/`*.yml`/`*.yaml` (every role, whether a playbook lists it or not). In vars
 * files the values of keys `image`, `*_image` and of an `images` mapping or list count. A value holding a `{{ }}` or
 * `${}` expression is resolved elsewhere: the engine lints the resolved value with `lintImageValues`.
 * Floating references are errors unless allowed in the root `lint.yml`; `checked` counts every reference classified.
 */
export function lintImages(opts: { root: string; env?: string }): { diagnostics: Diagnostic[]; checked: number } {
  const diagnostics: Diagnostic[] = [];
  const allow = loadImageAllowList(opts.root);
  diagnostics.push(...allow.diagnostics);
  const values: ImageValue[] = [];
  for (const file of varsFiles(opts.root, opts.env, diagnostics)) values.push(...varsFileImages(file, diagnostics));
  for (const file of templateFiles(opts.root)) values.push(...templateImages(file, readFileSync(file, 'utf8')));
  diagnostics.push(...lintImageValues(values, allow.entries));
  return { diagnostics, checked: values.length };
}

/** One error per floating reference not covered by `allow`: `floating image tag "<ref>": <reason>; pin …`. */
export function lintImageValues(values: readonly ImageValue[], allow: readonly AllowEntry[] = []): Diagnostic[] {
  return values.flatMap(({ ref, loc }) => {
    const { verdict, reason } = classifyImageRef(ref);
    if (verdict !== 'floating' || allow.some((a) => allows(a.image, ref))) return [];
    const message = `floating image tag "${ref}": ${reason ?? 'floating'}; pin an exact version (and run make pin)`;
    return [{ severity: 'error' as const, message, loc }];
  });
}

const allowFileSchema = z.strictObject({ images: z.array(z.unknown()).default([]) });
const allowEntrySchema = z.strictObject({
  image: z.string().trim().min(1, 'an image reference or repository'),
  reason: z.string().optional(),
});

/**
 * Reads `<root>/lint.yml` (`images: [{ image, reason }]`). An entry without a non-empty reason is an error at the
 * entry and allows nothing: an exception nobody can explain is not one.
 */
export function loadImageAllowList(root: string): { entries: AllowEntry[]; diagnostics: Diagnostic[] } {
  const file = path.join(root, ALLOW_LIST_FILE);
  if (!existsSync(file)) return { entries: [], diagnostics: [] };
  const source = parseYamlSource(file, readFileSync(file, 'utf8'));
  const diagnostics = source.diagnostics.filter((d) => d.severity === 'error');
  if (diagnostics.length > 0) return { entries: [], diagnostics };
  const parsed = allowFileSchema.safeParse(source.toJS() ?? {});
  if (!parsed.success) {
    return {
      entries: [],
      diagnostics: zodIssuesToDiagnostics(parsed.error.issues, source, [], { keysAt: () => ['images'] }),
    };
  }
  const entries: AllowEntry[] = [];
  parsed.data.images.forEach((raw, i) => {
    const at: YamlPath = ['images', i];
    const entry = allowEntrySchema.safeParse(raw);
    if (!entry.success) {
      diagnostics.push(
        ...zodIssuesToDiagnostics(entry.error.issues, source, at, { keysAt: () => ['image', 'reason'] }),
      );
      return;
    }
    const image = imageRefOf(entry.data.image);
    if ('problem' in image) {
      const message = `allow-list entry "${entry.data.image}" is not an image reference: ${image.problem}`;
      diagnostics.push({ severity: 'error', message, loc: source.locate([...at, 'image']) });
    } else if (!entry.data.reason?.trim()) {
      const message = `allow-list entry "${entry.data.image}" has no reason: say why this image may float`;
      diagnostics.push({ severity: 'error', message, loc: source.locate([...at, 'reason']) });
    } else {
      entries.push({ image: entry.data.image, reason: entry.data.reason.trim(), loc: source.locate(at) });
    }
  });
  return { entries, diagnostics };
}

/**
 * A repository entry allows all its tags; a reference entry allows that reference only (Docker Hub names normalized).
 */
function allows(entry: string, ref: string): boolean {
  const e = imageRefOf(entry);
  const r = imageRefOf(ref);
  if ('problem' in e || 'problem' in r || repositoryName(e) !== repositoryName(r)) return false;
  return (e.tagless && e.digest === undefined) || (e.tagless === r.tagless && e.tag === r.tag && e.digest === r.digest);
}

/** The reference, or what is wrong with it (an entry is reported when the list is read; a value allows nothing). */
function imageRefOf(ref: string): ImageRef | { problem: string } {
  try {
    return parseImageRef(ref.trim());
  } catch (err) {
    if (err instanceof ImageRefError) return { problem: err.reason };
    throw err;
  }
}

/** Image values of one YAML vars file, located at the value. Whole-file vaults hold secrets, not images: skipped. */
function varsFileImages(file: string, diagnostics: Diagnostic[]): ImageValue[] {
  const text = readFileSync(file, 'utf8');
  if (isVaultFile(text)) return [];
  const source = parseYamlSource(file, text);
  const errors = source.diagnostics.filter((d) => d.severity === 'error');
  diagnostics.push(...errors);
  if (errors.length > 0) return [];
  const found = new Map<unknown, ImageValue>();
  collectYamlImages(source.doc.contents, [], source, found);
  return [...found.values()];
}

function collectYamlImages(node: unknown, at: YamlPath, source: YamlSource, found: Map<unknown, ImageValue>): void {
  const take = (value: unknown, valuePath: YamlPath): void => {
    if (!isScalar(value) || typeof value.value !== 'string' || value.tag === '!vault') return;
    if (value.value.trim() === '' || EXPRESSION.test(value.value)) return;
    found.set(value, { ref: value.value.trim(), loc: source.locate(valuePath) });
  };
  if (isSeq(node)) node.items.forEach((item, i) => collectYamlImages(item, [...at, i], source, found));
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = pair.key.value;
    if (typeof key !== 'string' && typeof key !== 'number') continue;
    const valuePath = [...at, key];
    if (key === 'image' || String(key).endsWith('_image')) take(pair.value, valuePath);
    if (key === 'images' && isMap(pair.value)) {
      for (const item of pair.value.items) {
        const name = isScalar(item.key) ? item.key.value : undefined;
        if (typeof name === 'string' || typeof name === 'number') take(item.value, [...valuePath, name]);
      }
    }
    if (key === 'images' && isSeq(pair.value)) pair.value.items.forEach((item, i) => take(item, [...valuePath, i]));
    collectYamlImages(pair.value, valuePath, source, found);
  }
}

/**
 * `image:` lines of a template, located at the value (its opening quote, if quoted); `{{ }}`/`${}` values are skipped.
 */
export function templateImages(file: string, text: string): ImageValue[] {
  return text.split('\n').flatMap((line, i) => {
    const m = TEMPLATE_IMAGE_LINE.exec(line);
    const [prefix = '', rest = ''] = m ? [m[1], m[2]] : [];
    if (!m || EXPRESSION.test(rest)) return [];
    const quote = rest[0] === '"' || rest[0] === "'" ? rest[0] : undefined;
    const close = quote ? rest.indexOf(quote, 1) : -1;
    const ref = quote ? rest.slice(1, close < 0 ? undefined : close) : (rest.split(/\s/)[0] ?? '');
    return ref.trim() === '' ? [] : [{ ref: ref.trim(), loc: { file, line: i + 1, col: prefix.length + 1 } }];
  });
}

function varsFiles(root: string, env: string | undefined, diagnostics: Diagnostic[]): string[] {
  const envs = env === undefined ? listEnvironments(root) : [env];
  if (env !== undefined && !existsSync(path.join(root, 'inventory', env))) {
    diagnostics.push({ severity: 'error', message: `unknown environment "${env}": no inventory/${env}/` });
    return [];
  }
  const roleDefaults = listDirs(path.join(root, 'roles')).flatMap((r) =>
    ['defaults.yml', 'defaults.yaml'].map((f) => path.join(r, f)),
  );
  const perEnv = envs.flatMap((e) => {
    const dir = path.join(root, 'inventory', e);
    const versions = ['versions.yml', 'versions.yaml'].map((f) => path.join(dir, f));
    return [
      ...versions,
      ...walk(path.join(dir, 'group_vars'), VARS_EXTENSIONS),
      ...walk(path.join(dir, 'host_vars'), VARS_EXTENSIONS),
    ];
  });
  return [...perEnv, ...roleDefaults].filter((f) => existsSync(f));
}

/** Every `*.hbs`/`*.yml`/`*.yaml` under `roles/<r>/` except the role defaults (a vars file, linted by key). */
function templateFiles(root: string): string[] {
  return listDirs(path.join(root, 'roles')).flatMap((r) =>
    walk(r, TEMPLATE_EXTENSIONS).filter((f) => path.dirname(f) !== r || !/^defaults\.ya?ml$/.test(path.basename(f))),
  );
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Files under `dir` with one of `extensions`, sorted, skipping dot-directories and node_modules. */
function walk(dir: string, extensions: readonly string[]): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name.startsWith('.') || e.name === 'node_modules' ? [] : walk(full, extensions);
      return e.isFile() && extensions.some((x) => e.name.endsWith(x)) ? [full] : [];
    });
}
