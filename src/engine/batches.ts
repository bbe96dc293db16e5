// Rolling batches from the plays' `serial`: the order in which hosts are applied, batch after batch.
import { hostsOfPlay } from '../config/inventory/host-selection.js';
import type { Inventory } from '../config/inventory/inventory.js';
import type { Playbook } from '../config/playbook.js';

/**
 * Splits `selected` hosts into ordered batches: plays in order, each play's not-yet-batched hosts chunked by its
 * `serial` (a count, or a percentage of the play's hosts rounded up, at least 1); no `serial` means one batch.
 */
export function applyBatches(inv: Inventory, playbook: Playbook, selected: readonly string[]): string[][] {
  const done = new Set<string>();
  const batches: string[][] = [];
  for (const play of playbook.plays) {
    const hosts = hostsOfPlay(inv, play).filter((h) => selected.includes(h) && !done.has(h));
    if (hosts.length === 0) continue;
    hosts.forEach((h) => done.add(h));
    const size = batchSize(play.serial, hosts.length);
    for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
  }
  const rest = selected.filter((h) => !done.has(h));
  if (rest.length > 0) batches.push(rest);
  return batches;
}

function batchSize(serial: number | string | undefined, count: number): number {
  if (serial === undefined) return count;
  if (typeof serial === 'number') return serial;
  return Math.max(1, Math.ceil((count * Number(serial.replace('%', ''))) / 100));
}
