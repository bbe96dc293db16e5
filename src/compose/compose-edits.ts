// Which services' entries in the host's copy of a compose file differ from rig's: a compose file edited by hand. Pure.
import { parse } from 'yaml';
import type { FileOp } from '../core/desired/op.js';
import { canonicalJson } from './service-inputs.js';

/**
 * For each compose file rig renders whose host copy differs from it (`before`: the host's bytes of the files the plan
 * writes back, read for their diffs), the services whose entry there is not rig's: service name → the file's path. A
 * container of such a service created from the host's copy runs what rig did not write, although its labels (copied
 * from rig's) are current. A copy that is not YAML, or has no `services` map, counts as every service's entry edited.
 */
export function editedComposeEntries(
  composeFiles: readonly Pick<FileOp, 'path' | 'content'>[],
  before: ReadonlyMap<string, Buffer>,
): Map<string, string> {
  const edited = new Map<string, string>();
  for (const f of composeFiles) {
    const host = before.get(f.path);
    if (host === undefined) continue;
    const mine = servicesOf(typeof f.content === 'string' ? f.content : Buffer.from(f.content).toString('utf8'));
    const theirs = servicesOf(host.toString('utf8'));
    for (const [name, entry] of Object.entries(mine ?? {}))
      if (theirs === undefined || canonicalJson(theirs[name] ?? null) !== canonicalJson(entry))
        edited.set(name, f.path);
  }
  return edited;
}

function servicesOf(text: string): Record<string, unknown> | undefined {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return undefined;
  }
  const services = (doc as { services?: unknown } | null)?.services;
  return services !== null && typeof services === 'object' && !Array.isArray(services)
    ? (services as Record<string, unknown>)
    : undefined;
}
