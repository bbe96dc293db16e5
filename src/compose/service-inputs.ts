// A service's fingerprint: sha256 over its resolved definition, env files, rig-managed bind-mounted files and pinned
// digest.
import { sha256Hex } from '../core/digest.js';
import type { ServiceSpec } from '../core/desired/service.js';
import { ImageRefError, parseImageRef } from '../registry/image-ref.js';

/**
 * The inputs of one service, each digested: `def:<key>` per definition key, `env:<path>` per env file,
 * `file:<path>` per rig-managed file under a bind-mount source, `image@` for a pinned digest. Kept per input
 * (short digests) in the container's `rig.inputs` label, so a later plan can say exactly what changed.
 */
export type ServiceInputs = Readonly<Record<string, string>>;

/**
 * What the fingerprint needs to know about files: the digest rig will write (managed) or the host has (unmanaged env
 * files).
 */
export interface InputFiles {
  /** Managed files: path → sha256 of the content rig writes. */
  readonly managed: ReadonlyMap<string, string>;
  /** Digest of a file rig does not manage, from the host's facts; undefined when missing. */
  readonly onHost: (path: string) => string | undefined;
}

/** Short digest stored per input in the label (the full fingerprint is computed over the full digests). */
export const SHORT = 16;

/** The digested inputs of a service (full sha256 values). */
export function serviceInputs(spec: ServiceSpec, files: InputFiles): ServiceInputs {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (value === undefined || isEmpty(value)) continue;
    out[`def:${key}`] = sha256Hex(canonicalJson(value));
  }
  for (const path of spec.envFiles) out[`env:${path}`] = files.managed.get(path) ?? files.onHost(path) ?? 'missing';
  for (const m of spec.mounts) {
    if (m.type !== 'bind') continue;
    for (const [path, sha] of files.managed)
      if (path === m.source || path.startsWith(`${m.source.replace(/\/+$/, '')}/`)) out[`file:${path}`] = sha;
  }
  const digest = pinnedDigest(spec.image);
  if (digest !== undefined) out['image@'] = digest;
  return out;
}

/** Empty lists and maps are the schema's defaults: leaving them out keeps labels short (adding one still shows). */
function isEmpty(v: unknown): boolean {
  return (
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}

/** The service's fingerprint: sha256 of its inputs in canonical form. */
export function fingerprintOf(inputs: ServiceInputs): string {
  return sha256Hex(canonicalJson(inputs));
}

/** The label form of the inputs: short digests, canonical JSON. */
export function inputsLabel(inputs: ServiceInputs): string {
  return canonicalJson(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, shortInput(k, v)])));
}

/** The label's form of one input: a 16-digit digest, but the pinned image digest in full (plans show it). */
export function shortInput(key: string, value: string): string {
  return key === 'image@' ? value : value.slice(0, SHORT);
}

/** Parses a `rig.inputs` label; undefined when absent or not the expected shape. */
export function parseInputsLabel(label: string | undefined): ServiceInputs | undefined {
  if (label === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(label);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    return Object.values(v).every((x) => typeof x === 'string') ? (v as ServiceInputs) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `sha256:…` of an `image@sha256:…` reference, else undefined (a tag is not a pin, nor is a reference docker refuses).
 */
export function pinnedDigest(image: string): string | undefined {
  try {
    const digest = parseImageRef(image).digest;
    return digest?.startsWith('sha256:') === true ? digest : undefined;
  } catch (err) {
    if (err instanceof ImageRefError) return undefined;
    throw err;
  }
}

/** JSON with object keys sorted at every level, so equal values always digest equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
