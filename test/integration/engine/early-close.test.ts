// A host left with nothing to apply has its connection closed as soon as it is planned, while other hosts still plan:
// a no-op run no longer ends with every host's connection closed at once, after the last host's plan (its sshd's
// teardown then came on top of the slowest plan). Seen from outside: the established TCP connections to each host's
// sshd (`ss`), polled while h1's plan takes its time.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useRoleBed, type RoleBed } from '../../bed/index.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP early-close: ${unavailable}`);

// an `unless` check runs in the planning exec: on h1 it takes slowplan_sleep seconds, on h2 none
const SLOW_ROLE = `import { defineRole, exec, sh, z } from 'rig';
export default defineRole({
  name: 'slowplan',
  description: 'a check that takes its time on some hosts, and never anything to do',
  vars: z.object({ slowplan_sleep: z.string() }),
  tasks: ({ vars, command }) => [
    command('settled', exec(['true']), { unless: sh('sleep "$1"', vars.slowplan_sleep), missing: 'never' }),
  ],
});
`;

/** Established TCP connections to `address:port` on this machine (the test's rig runs in this process). */
function established(address: string, port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', 'dst', `${address}:${port}`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

describe.skipIf(unavailable !== undefined)('a host with nothing to apply', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: [{ name: 'slowplan', source: SLOW_ROLE }],
      hosts: 2,
      sshd: { firstOctet: 73 },
      hostVars: (h) => ({ slowplan_sleep: h.name === 'h1' ? '3' : '0' }),
    },
    (b) => (bed = b),
  );

  for (const command of ['deploy', 'plan'] as const)
    it(`${command}: is closed while another host still plans`, async () => {
      const [h1, h2] = [bed.host('h1'), bed.host('h2')];
      const seen: [number, number][] = [];
      const running = bed.rig([command]);
      let done = false;
      void running.finally(() => (done = true));
      while (!done) {
        seen.push([established(h1.address, h1.port), established(h2.address, h2.port)]);
        await new Promise((r) => setTimeout(r, 50));
      }
      const r = await running;
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/0 changes/);
      // h2 was connected, then closed while h1 (3 s of planning) was still connected
      expect(seen.some(([, b]) => b === 1)).toBe(true);
      const closedEarly = seen.filter(([a, b]) => a === 1 && b === 0).length;
      expect(closedEarly, JSON.stringify(seen)).toBeGreaterThanOrEqual(10);
      // and nothing is left open once the run is over
      expect([established(h1.address, h1.port), established(h2.address, h2.port)]).toEqual([0, 0]);
    });
});
