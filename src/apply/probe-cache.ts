// The workstation's cache of healthcheck-program lookups, by image ID: an image ID is the digest of the image's config,
// which names its layers by digest, so what a program lookup found in it holds on every host, forever.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ProgramLookup } from '../facts/containers/image-program.js';

/** Lookups already answered, by image ID and `probeKey`. Only answers that depend on the image alone are kept. */
export interface ProbeCache {
  get(imageId: string, key: string): ProgramLookup | undefined;
  put(imageId: string, key: string, lookup: ProgramLookup): void;
}

const LookupSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('found'), imageId: z.string(), path: z.string(), mode: z.string() }),
  z.strictObject({ kind: z.literal('not-executable'), imageId: z.string(), path: z.string(), mode: z.string() }),
  z.strictObject({ kind: z.literal('missing'), imageId: z.string(), searched: z.array(z.string()) }),
]);
const FileSchema = z.strictObject({ imageId: z.string(), lookups: z.record(z.string(), LookupSchema) });

const IMAGE_ID = /^sha256:([0-9a-f]{64})$/;

/**
 * `<root>/.rig/cache/probes/<hex of the image ID>.json` (directories 0700, files 0600, git-ignored with `.rig/`). A
 * file that does not parse counts as absent; writes go through a temp file and a rename, so a run killed mid-write or
 * two runs at once leave either answer whole. An `error` lookup (the host could not tell) is never cached.
 */
export function fileProbeCache(root: string): ProbeCache {
  const dir = path.join(root, '.rig', 'cache', 'probes');
  const memo = new Map<string, Record<string, ProgramLookup>>();
  const fileOf = (imageId: string): string | undefined => {
    const hex = IMAGE_ID.exec(imageId)?.[1];
    return hex === undefined ? undefined : path.join(dir, `${hex}.json`);
  };
  const load = (imageId: string): Record<string, ProgramLookup> => {
    const known = memo.get(imageId);
    if (known) return known;
    const file = fileOf(imageId);
    let lookups: Record<string, ProgramLookup> = {};
    try {
      const parsed = file === undefined ? undefined : FileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
      if (parsed?.success && parsed.data.imageId === imageId) lookups = parsed.data.lookups;
    } catch {
      // absent or unreadable: asked again on the host
    }
    memo.set(imageId, lookups);
    return lookups;
  };
  return {
    get: (imageId, key) => load(imageId)[key],
    put(imageId, key, lookup) {
      const file = fileOf(imageId);
      if (lookup.kind === 'error' || file === undefined) return;
      const lookups = { ...load(imageId), [key]: lookup };
      memo.set(imageId, lookups);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ imageId, lookups })}\n`, { mode: 0o600 });
      renameSync(tmp, file);
    },
  };
}
