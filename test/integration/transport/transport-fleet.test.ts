// Eight real sshd hosts at once: one connection and one exec channel per host, timed (round trips are a product
// metric).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cmd } from '../../../src/core/cmd/template.js';
import { connectTo } from '../../helpers/sshd/connect.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP transport-fleet: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('8 hosts', () => {
  let fleet: SshdFleet;

  beforeAll(async () => {
    const t0 = Date.now();
    fleet = await startSshdFleet(8, { firstOctet: 41 });
    console.log(`started 8 sshd: ${Date.now() - t0} ms`);
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it('connects to all in parallel and runs one command each on one channel', async () => {
    const t0 = Date.now();
    const results = await Promise.all(
      fleet.hosts.map(async (h) => {
        const t = await connectTo(fleet, h);
        const r = await t.exec(cmd`printenv RIG_TEST_HOST`);
        const counters = t.counters;
        await t.close();
        return { out: r.stdout, counters };
      }),
    );
    console.log(`8 hosts: connect + 1 exec + close in parallel: ${Date.now() - t0} ms`);
    expect(results.map((r) => r.out)).toEqual(fleet.hosts.map((h) => `${h.name}\n`));
    for (const r of results) expect(r.counters).toEqual({ connections: 1, execChannels: 1, sftpChannels: 0 });
  });
});
