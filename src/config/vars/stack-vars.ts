// rig's own per-host variables for the compose project and its state (lock, journal, releases), validated with zod.
import { z } from 'zod';
import type { Diagnostics } from '../../core/errors/diagnostic.js';
import type { ResolvedVar } from './resolve-vars.js';
import type { VarEntry } from './var-entry.js';
import { zodIssuesToDiagnostics } from '../zod-diagnostics.js';

/** The variables, their defaults (built-ins, lowest precedence) and what they mean; README documents the same table. */
export const STACK_DEFAULTS = {
  /** Compose project name; containers are `<project>_<service>`, networks `<project>_<network>`. */
  project_name: 'rig',
  /** Where the compose files live on the host. */
  project_dir: '/opt/{{ project_name }}',
  /** rig's state on the host: deploy lock, journal, releases. */
  rig_state_dir: '{{ project_dir }}/.rig',
  /** Releases kept on each host (older ones are pruned after a successful deploy). */
  rig_releases_keep: 3,
  /**
   * The deploy lock's lease in seconds: a running deploy renews it every third of it; one nobody renews for this long
   * is taken over by the next run. (Replaces `rig_lock_ttl`, the 30-minute lock of earlier versions.)
   */
  rig_lock_lease: 90,
} as const;

const absPath = z
  .string()
  .startsWith('/', 'must be an absolute path')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');

const stackSchema = z.object({
  project_name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, "_" and "-", starting with a letter or digit'),
  project_dir: absPath,
  rig_state_dir: absPath,
  rig_releases_keep: z.number().int().min(1),
  rig_lock_lease: z.number().int().min(5).max(3600),
});

/** A host's compose project and state locations. */
export interface StackConfig {
  readonly project: string;
  readonly projectDir: string;
  readonly stateDir: string;
  readonly releasesKeep: number;
  /** `rig_lock_lease`. */
  readonly lockLeaseSec: number;
}

/** The built-in entries for the stack variables (references such as `{{ project_name }}` resolve after precedence). */
export function stackBuiltins(entry: (name: string, value: unknown) => VarEntry): VarEntry[] {
  return Object.entries(STACK_DEFAULTS).map(([k, v]) => entry(k, v));
}

/** Validates the stack variables of a host; undefined (with diagnostics at the values' locations) when invalid. */
export function stackConfig(
  host: string,
  vars: ReadonlyMap<string, ResolvedVar>,
  diagnostics: Diagnostics,
): StackConfig | undefined {
  const input = Object.fromEntries(Object.keys(STACK_DEFAULTS).map((k) => [k, vars.get(k)?.value]));
  const parsed = stackSchema.safeParse(input);
  const legacy = vars.get('rig_lock_ttl');
  if (legacy) {
    const why =
      'rig_lock_ttl is no longer read: the deploy lock is a lease renewed while its deploy runs (rig_lock_lease, seconds, default 90); remove it';
    diagnostics.add({ severity: 'warning', message: why, loc: legacy.locate([]), hosts: [host] });
  }
  if (parsed.success) {
    const v = parsed.data;
    return {
      project: v.project_name,
      projectDir: v.project_dir,
      stateDir: v.rig_state_dir,
      releasesKeep: v.rig_releases_keep,
      lockLeaseSec: v.rig_lock_lease,
    };
  }
  const at = (path: readonly (string | number)[]) => {
    const [key, ...rest] = path;
    const v = typeof key === 'string' ? vars.get(key) : undefined;
    return v ? v.locate(rest) : { file: '<built-in>', line: 1, col: 1 };
  };
  diagnostics.add(...zodIssuesToDiagnostics(parsed.error.issues, { locate: at, locateKey: at }, [], { hosts: [host] }));
  return undefined;
}
