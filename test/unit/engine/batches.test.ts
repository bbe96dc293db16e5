// Rolling batches from `serial`: counts, percentages, plays in order, hosts batched once.
import { describe, expect, it } from 'vitest';
import { applyBatches } from '../../../src/engine/batches.js';
import { load, makeProject, sampleFiles } from '../../helpers/project.js';

const HOSTS =
  'all:\n  children:\n    app:\n      hosts: { a1:, a2:, a3:, a4:, a5: }\n    vpn:\n      hosts: { v1:, v2: }\n';

async function batches(playbook: string): Promise<string[][]> {
  const p = await load(makeProject(sampleFiles({ 'inventory/test/hosts.yml': HOSTS, 'playbooks/site.yml': playbook })));
  return applyBatches(p.inventory, p.playbook, [...p.hosts.keys()]);
}

describe('applyBatches', () => {
  it('no serial: one batch per play', async () => {
    expect(await batches('- hosts: all\n  roles: [sample]\n')).toEqual([['a1', 'a2', 'a3', 'a4', 'a5', 'v1', 'v2']]);
  });
  it('a count', async () => {
    expect(await batches('- hosts: app\n  serial: 2\n  roles: [sample]\n- hosts: vpn\n  roles: [sample]\n')).toEqual([
      ['a1', 'a2'],
      ['a3', 'a4'],
      ['a5'],
      ['v1', 'v2'],
    ]);
  });
  it('a percentage, rounded up', async () => {
    expect(await batches('- hosts: app\n  serial: "25%"\n  roles: [sample]\n')).toEqual([
      ['a1', 'a2'],
      ['a3', 'a4'],
      ['a5'],
    ]);
  });
  it('a host in two plays is batched with the first', async () => {
    expect(
      await batches('- hosts: [a1, v1]\n  serial: 1\n  roles: [sample]\n- hosts: all\n  roles: [sample]\n'),
    ).toEqual([['a1'], ['v1'], ['a2', 'a3', 'a4', 'a5', 'v2']]);
  });
});
