// What a container has taken in: the inputs its creation labels record, plus what in-place reloads of this very
// container brought since. The one reader of the `rig.inputs` label and the reload record: every decision reads this.
import type { ContainerState } from '../facts/containers/container-state.js';
import { LABELS } from './compose-desired.js';
import { parseInputsLabel, type ServiceInputs } from './service-inputs.js';
import type { ReloadRecord } from './service-reload.js';

/** A container's taken-in inputs, read once. */
export interface TakenInputs {
  /** The fingerprint it was created with (`rig.fingerprint`); undefined: rig did not deploy it. */
  readonly fingerprint: string | undefined;
  /** The inputs it was created with (`rig.inputs`); undefined when the label is absent or corrupt. */
  readonly created: ServiceInputs | undefined;
  /** The reload record, when it is this very container's (a recreated container starts from its labels again). */
  readonly record: ReloadRecord | undefined;
  /** What it runs now: `created` with the record's inputs over it; undefined when `created` is. */
  readonly inputs: ServiceInputs | undefined;
}

/** Reads `c`'s labels and its reload record (ignored when it belongs to another container) once. */
export function takenInputs(c: ContainerState, record: ReloadRecord | undefined): TakenInputs {
  const created = parseInputsLabel(c.labels[LABELS.inputs]);
  const own = record !== undefined && record.id === c.id ? record : undefined;
  const inputs = created && own ? { ...created, ...own.inputs } : created;
  return { fingerprint: c.labels[LABELS.fingerprint], created, record: own, inputs };
}
