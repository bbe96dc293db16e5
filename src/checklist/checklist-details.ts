// The machine-readable part of some checks' results (what --json readers act on), as zod schemas.
import { z } from 'zod';

const count = z.number().int().nonnegative();

/** One service step of the upgrade plan. */
export const PlannedServiceSchema = z.strictObject({
  service: z.string(),
  action: z.enum(['create', 'recreate', 'start', 'reload', 'remove', 'gate']),
  reasons: z.array(z.string()).describe('which input changed, as rig plan says it'),
});

export const CheckDetailsSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('upgrade-plan'),
    hosts: z.array(
      z.strictObject({
        host: z.string(),
        services: z
          .array(PlannedServiceSchema)
          .describe('every service the upgrade deploy would touch; action recreate = the container is replaced'),
        otherSteps: count.describe('file, directory, command and pull steps besides the services'),
      }),
    ),
  }),
  z.strictObject({
    kind: z.literal('rollback'),
    hosts: z.array(
      z.strictObject({
        host: z.string(),
        current: z
          .string()
          .nullable()
          .describe('the release the host runs now: what a rollback after the upgrade returns to'),
        releases: count,
      }),
    ),
  }),
  z.strictObject({
    kind: z.literal('headroom'),
    hosts: z.array(
      z.strictObject({
        host: z.string(),
        path: z.string().describe('where the disk was measured (the project dir, or its nearest existing parent)'),
        diskFreePct: z.number(),
        diskAvailableMb: z.number(),
        memAvailableMb: z.number(),
        minDiskFreePct: z.number(),
        minMemAvailableMb: z.number(),
      }),
    ),
  }),
  z.strictObject({
    kind: z.literal('images'),
    images: z.array(
      z.strictObject({
        ref: z.string(),
        role: z
          .enum(['target', 'current', 'both'])
          .describe('target: deployed by the upgrade; current: deployed now (a rollback needs it)'),
        digest: z.string().nullable().describe('what the tag resolves to now; null when it does not'),
        pinned: z.string().nullable().describe('the digest images.lock.yml holds for it'),
        status: z.enum(['pass', 'warn', 'fail']),
      }),
    ),
  }),
]);

export type CheckDetails = z.infer<typeof CheckDetailsSchema>;
export type PlannedService = z.infer<typeof PlannedServiceSchema>;
