// Why a service must be recreated, in words: which definition keys, env files (and keys), mounted files or image
// changed.
import { envKeyDiffSummary } from '../diff/env-keys.js';
import type { Step } from '../core/plan-data/plan-types.js';
import type { ContainerState } from '../facts/containers/docker-state.js';
import { LABELS, type DesiredService } from './compose-desired.js';
import { pinnedDigest, shortInput, type ServiceInputs } from './service-inputs.js';
import type { TakenInputs } from './taken-inputs.js';

/**
 * Reasons to recreate `s` over the container `c` (which has taken in `taken`; `localImageId`: the id of `s`'s image on
 * the host, if it has it); empty when its inputs and image are unchanged.
 */
export function recreateReasons(
  s: DesiredService,
  c: ContainerState,
  taken: TakenInputs,
  localImageId: string | undefined,
  fileSteps: readonly Step[],
): string[] {
  const reasons: string[] = [];
  const old = taken.inputs;
  if (taken.fingerprint === undefined) reasons.push('not deployed by rig yet');
  else if (taken.fingerprint !== s.fingerprint) {
    reasons.push(...(old ? inputReasons(old, s, c, fileSteps) : ['inputs changed']));
    if (reasons.length === 0) reasons.push('inputs changed');
  } else if (old) {
    // the fingerprint is the one it was created with, but a reload may have taken other files in since (the inputs
    // merged from the reload record): going back to the creation's files is a change too (a rollback)
    reasons.push(...inputReasons(old, s, c, fileSteps));
  }
  if (localImageId !== undefined && localImageId !== c.image && !reasons.some((r) => r.startsWith('image'))) {
    reasons.push(
      `image changed: ${s.op.spec.image} is now ${shortId(localImageId)}, the container runs ${shortId(c.image)}`,
    );
  }
  return reasons;
}

function inputReasons(old: ServiceInputs, s: DesiredService, c: ContainerState, fileSteps: readonly Step[]): string[] {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(s.inputs)])].sort();
  const changed = keys.filter((k) => old[k] !== (s.inputs[k] === undefined ? undefined : shortInput(k, s.inputs[k])));
  const defKeys = changed.filter((k) => k.startsWith('def:') && k !== 'def:image').map((k) => k.slice(4));
  const out: string[] = [];
  if (changed.includes('def:image')) out.push(imageReason(c.labels[LABELS.image], s.op.spec.image));
  if (defKeys.length > 0) out.push(`definition changed (${defKeys.join(', ')})`);
  for (const k of changed) {
    if (k.startsWith('env:'))
      out.push(envReason(k.slice(4), old[k] === undefined, s.inputs[k] === undefined, fileSteps));
    else if (k.startsWith('file:'))
      out.push(
        `${base(k.slice(5))} ${old[k] === undefined ? 'added' : s.inputs[k] === undefined ? 'no longer mounted' : 'changed'}`,
      );
  }
  return out;
}

function imageReason(before: string | undefined, after: string): string {
  const [b, a] = [before === undefined ? undefined : pinnedDigest(before), pinnedDigest(after)];
  if (before !== undefined && b !== undefined && a !== undefined && repo(before) === repo(after))
    return `image digest changed (${shortId(b)} → ${shortId(a)})`;
  return `image ${before ?? '(unknown)'} → ${after}`;
}

function envReason(path: string, added: boolean, removed: boolean, fileSteps: readonly Step[]): string {
  if (added) return `env ${base(path)} added`;
  if (removed) return `env ${base(path)} removed`;
  const step = fileSteps.find((x) => x.kind === 'write' && x.path === path);
  const keys = step?.kind === 'write' ? step.change.envKeys : undefined;
  const summary = keys ? envKeyDiffSummary(keys) : '';
  return `env ${base(path)} changed${summary ? ` (${summary})` : ''}`;
}

function base(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function repo(ref: string): string {
  const at = ref.lastIndexOf('@');
  return at >= 0 ? ref.slice(0, at) : ref;
}

/** `sha256:0123456789ab` (12 hex digits, as docker shows image ids). */
export function shortId(id: string): string {
  return id.startsWith('sha256:') ? `sha256:${id.slice(7, 19)}` : id.slice(0, 12);
}
