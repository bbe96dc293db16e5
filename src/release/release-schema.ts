// The release record kept on each host after a good deploy: everything needed to re-apply that state, no secret values.
import { z } from 'zod';
import { healthGateSchema, PHASES, serviceSpecSchema } from '../core/desired/service.js';

const attrs = { mode: z.number().int().optional(), owner: z.string().optional(), group: z.string().optional() };

/** A file of the release: its content is the blob `<stateDir>/releases/blobs/<sha256>` (mode 0600). */
export const releaseFileSchema = z.strictObject({
  role: z.string(),
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  sensitive: z.boolean(),
  ...attrs,
});
export const releaseDirSchema = z.strictObject({ role: z.string(), path: z.string(), ...attrs });
export const releaseServiceSchema = z.strictObject({
  role: z.string(),
  name: z.string(),
  phase: z.enum(PHASES),
  /** As deployed (`image` as the repository asked; `imageId` says what ran). */
  spec: serviceSpecSchema,
  gate: healthGateSchema,
  /**
   * Its in-place reload, when it has one: a rollback of a reload-only change reloads it back (absent: releases of rig
   * before it).
   */
  reload: z.strictObject({ paths: z.array(z.string()), command: z.array(z.string()) }).optional(),
  /** The image reference the repository asked for (a tag, before fixing). */
  requested: z.string(),
  imageId: z.string(),
  fingerprint: z.string(),
});
export const releaseNetworkSchema = z.strictObject({
  role: z.string(),
  name: z.string(),
  internal: z.boolean(),
  external: z.boolean(),
});

/** A release id: `YYYYMMDDTHHMMSSZ-xxxx` (UTC, 4 random hex digits). */
export const RELEASE_ID = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;

export const releaseSchema = z.strictObject({
  version: z.literal(1),
  id: z.string().regex(RELEASE_ID),
  createdAt: z.string(),
  env: z.string(),
  host: z.string(),
  user: z.string(),
  workstation: z.string(),
  git: z.strictObject({ commit: z.string(), dirty: z.boolean() }).nullable(),
  /** sha256 of the plan that produced it (the rollback that produced it, for rollbacks). */
  planHash: z.string(),
  /** `deploy`, or `rollback` (re-applied release `from`). */
  kind: z.enum(['deploy', 'rollback']),
  from: z.string().optional(),
  /** The run that made it (its journal events carry the same id): one deploy's releases on every host it changed. */
  deployId: z.string().optional(),
  project: z.string(),
  projectDir: z.string(),
  files: z.array(releaseFileSchema),
  /**
   * The compose files as the deploy rendered them (derived from the services, so not among `files`: a rollback renders
   * them again), for drift to compare with the host's; blob `<sha256>` when the deploy that wrote them stored it.
   * Absent in releases of rigs before it.
   */
  composeFiles: z.array(z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })).optional(),
  dirs: z.array(releaseDirSchema),
  services: z.array(releaseServiceSchema),
  networks: z.array(releaseNetworkSchema),
});

export type Release = z.output<typeof releaseSchema>;
export type ReleaseFile = z.output<typeof releaseFileSchema>;
export type ReleaseService = z.output<typeof releaseServiceSchema>;

/**
 * `20261201T071500Z-ab12`: the second it was made (UTC) and 4 random hex digits. A host's releases are ordered by
 * their ids (the newest is the greatest: listing, rollback's "the one before", pruning), so a new id must sort after
 * `after`, the host's current release: when `now` is not past that id's second (two releases within one second, or a
 * workstation whose clock is behind the one that made the current release), the id takes the second after it.
 * `createdAt` keeps the clock's time.
 */
export function newReleaseId(now: Date, random: string, after?: string): string {
  const second = Math.floor(now.getTime() / 1000);
  const last = after !== undefined && RELEASE_ID.test(after) ? idSecond(after) : undefined;
  return `${stamp(last !== undefined && last >= second ? last + 1 : second)}-${random.slice(0, 4)}`;
}

/** `YYYYMMDDTHHMMSSZ` of a UTC second since the epoch. */
function stamp(second: number): string {
  return new Date(second * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** The UTC second a release id names; undefined when its stamp is not a real time (month 13, Feb 30: not rig's). */
function idSecond(id: string): number | undefined {
  const ms = Date.parse(id.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z.*$/, '$1-$2-$3T$4:$5:$6Z'));
  return Number.isNaN(ms) || stamp(ms / 1000) !== id.slice(0, 16) ? undefined : ms / 1000;
}
