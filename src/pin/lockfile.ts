// inventory/<env>/images.lock.yml: every image reference of the env resolved to a digest, read and written
// deterministically.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DiagnosticsError } from '../core/errors/diagnostic.js';
import { stringifyYaml } from '../core/yaml-text.js';
import { parseYamlSource } from '../config/yaml-source.js';
import { zodIssuesToDiagnostics } from '../config/zod-diagnostics.js';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a sha256 digest');

/** One pinned reference. `ref` is the string as the repository writes it (what deploys look up). */
export const lockEntrySchema = z.strictObject({
  ref: z.string().min(1),
  registry: z.string(),
  repository: z.string(),
  tag: z.string(),
  digest,
  mediaType: z.string().optional(),
  platforms: z.strictObject({ 'linux/amd64': digest.optional(), 'linux/arm64': digest.optional() }).optional(),
  resolvedAt: z.string(),
});

export const lockFileSchema = z.strictObject({ images: z.array(lockEntrySchema) });

export type LockEntry = z.output<typeof lockEntrySchema>;
export type LockFile = z.output<typeof lockFileSchema>;

/** `inventory/<env>/images.lock.yml`. */
export function lockFilePath(root: string, env: string): string {
  return path.join(root, 'inventory', env, 'images.lock.yml');
}

/**
 * The lock of an env, or undefined when it has none. Throws a DiagnosticsError (file:line:col) when it is malformed.
 */
export function readLockFile(file: string): LockFile | undefined {
  if (!existsSync(file)) return undefined;
  const source = parseYamlSource(file, readFileSync(file, 'utf8'));
  if (source.diagnostics.some((d) => d.severity === 'error')) throw new DiagnosticsError(source.diagnostics);
  const parsed = lockFileSchema.safeParse(source.toJS() ?? { images: [] });
  if (!parsed.success) throw new DiagnosticsError(zodIssuesToDiagnostics(parsed.error.issues, source));
  return parsed.data;
}

/** The lock's text: entries sorted by ref, keys in a fixed order, so unchanged pins give byte-identical files. */
export function renderLockFile(env: string, entries: readonly LockEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  const head = [
    `# Written by \`rig pin --env ${env}\` (make pin ENV=${env}); do not edit by hand.`,
    '# Deploys run these digests; an env with `pinned: true` refuses images missing here.',
    '',
  ].join('\n');
  return (
    head +
    stringifyYaml(
      {
        images: sorted.map((e) => ({
          ref: e.ref,
          registry: e.registry,
          repository: e.repository,
          tag: e.tag,
          digest: e.digest,
          ...(e.mediaType ? { mediaType: e.mediaType } : {}),
          ...(e.platforms ? { platforms: e.platforms } : {}),
          resolvedAt: e.resolvedAt,
        })),
      },
      { lineWidth: 0 },
    )
  );
}

/** What changed between two locks, for people: `+ ref sha256:…`, `~ ref sha256:a… → sha256:b…`, `- ref`. */
export function lockChanges(
  before: LockFile | undefined,
  after: readonly LockEntry[],
): { added: LockEntry[]; changed: { ref: string; from: string; to: string }[]; removed: string[]; same: number } {
  const old = new Map((before?.images ?? []).map((e) => [e.ref, e]));
  const now = new Map(after.map((e) => [e.ref, e]));
  const added = after.filter((e) => !old.has(e.ref));
  const changed = after.flatMap((e) => {
    const o = old.get(e.ref);
    return o && o.digest !== e.digest ? [{ ref: e.ref, from: o.digest, to: e.digest }] : [];
  });
  const removed = [...old.keys()].filter((r) => !now.has(r));
  return { added, changed, removed, same: after.length - added.length - changed.length };
}
