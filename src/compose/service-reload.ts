// In-place reloads: when only files under a service's reload paths changed, it is reloaded, not recreated; a record
// on the host (`<rig_state_dir>/reloads/<container>.json`) says which inputs the running container has taken in since.
import { z } from 'zod';
import type { ContainerState } from '../facts/containers/container-state.js';
import type { DesiredService } from './compose-desired.js';
import { shortInput, type ServiceInputs } from './service-inputs.js';

/** What a reload brought a container to: its id (a recreated container starts from its labels again) and inputs. */
export const reloadRecordSchema = z.strictObject({ id: z.string(), inputs: z.record(z.string(), z.string()) });
export type ReloadRecord = z.output<typeof reloadRecordSchema>;

/** A reload to run: why, the command run in the container, and the record it then writes. */
export interface ReloadPlan {
  readonly reasons: string[];
  readonly command: readonly string[];
  readonly record: string;
}

/** The record's path for a container. */
export function reloadRecordPath(stateDir: string, container: string): string {
  return `${stateDir}/reloads/${container}.json`;
}

/** Parses a record read from the host (undefined when absent or not one). */
export function parseReloadRecord(bytes: Buffer | undefined): ReloadRecord | undefined {
  if (bytes === undefined) return undefined;
  try {
    const r = reloadRecordSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The reload to run instead of a recreate, or undefined: the container runs rig's image and definition, and every
 * input that differs from what it has taken in (`taken`: its labels' inputs, then the reload record of this very
 * container; undefined when its label is unusable) is a file under one of the service's reload paths.
 */
export function plannedReload(
  s: DesiredService,
  c: ContainerState,
  taken: ServiceInputs | undefined,
): ReloadPlan | undefined {
  const reload = s.op.reload;
  if (!reload || !taken || !c.running) return undefined;
  const keys = [...new Set([...Object.keys(taken), ...Object.keys(s.inputs)])].sort();
  const changed = keys.filter((k) => taken[k] !== (s.inputs[k] === undefined ? undefined : shortInput(k, s.inputs[k])));
  if (changed.length === 0 || !changed.every((k) => underReloadPath(k, reload.paths))) return undefined;
  const reasons = changed.map(
    (k) => `${k.slice(k.lastIndexOf('/') + 1)} changed (reload in place: ${reload.command.join(' ')})`,
  );
  return { reasons, command: reload.command, record: reloadRecord(s, c, reload.paths) };
}

/**
 * The reload that makes a running container read again the files written back under it (drift repaired, its inputs
 * current: see decideService's repairDecision), or undefined when one of `rewritten` (input keys) is not under its
 * reload paths.
 */
export function repairReload(
  s: DesiredService,
  c: ContainerState,
  rewritten: readonly string[],
): ReloadPlan | undefined {
  const reload = s.op.reload;
  if (!reload || !c.running || rewritten.length === 0) return undefined;
  if (!rewritten.every((k) => underReloadPath(k, reload.paths))) return undefined;
  const reasons = rewritten.map(
    (k) =>
      `${k.slice(k.lastIndexOf('/') + 1)} changed on the host: written back (reload in place: ${reload.command.join(' ')})`,
  );
  return { reasons, command: reload.command, record: reloadRecord(s, c, reload.paths) };
}

/** The reload an unfinished deploy was to run (`why`), or undefined when the service no longer reloads. */
export function resumedReload(s: DesiredService, c: ContainerState, why: string): ReloadPlan | undefined {
  const reload = s.op.reload;
  if (!reload || !c.running) return undefined;
  const reasons = [`${why} (reload in place: ${reload.command.join(' ')})`];
  return { reasons, command: reload.command, record: reloadRecord(s, c, reload.paths) };
}

/** The record a reload writes: the container's id and its inputs under the reload paths, as wanted. */
function reloadRecord(s: DesiredService, c: ContainerState, paths: readonly string[]): string {
  const inputs = Object.fromEntries(
    Object.keys(s.inputs)
      .sort()
      .filter((k) => underReloadPath(k, paths))
      .map((k) => [k, shortInput(k, s.inputs[k] as string)]),
  );
  return JSON.stringify({ id: c.id, inputs });
}

/**
 * True when nothing but reloaded files differ: the container is current although its labels are older (`taken` as
 * for plannedReload; `ownRecord`: the container's own reload record, if any).
 */
export function reloadedCurrent(
  s: DesiredService,
  taken: ServiceInputs | undefined,
  ownRecord: ReloadRecord | undefined,
): boolean {
  if (!s.op.reload || !taken || !ownRecord) return false;
  const keys = new Set([...Object.keys(taken), ...Object.keys(s.inputs)]);
  return [...keys].every((k) => taken[k] === (s.inputs[k] === undefined ? undefined : shortInput(k, s.inputs[k])));
}

function underReloadPath(key: string, paths: readonly string[]): boolean {
  if (!key.startsWith('file:')) return false;
  const file = key.slice(5);
  return paths.some((p) => file === p || file.startsWith(`${p.replace(/\/+$/, '')}/`));
}
