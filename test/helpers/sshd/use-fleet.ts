// Test lifecycle of a real sshd fleet with one open transport: start, connect, dump logs on failure, stop.
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { connectTo } from './connect.js';
import { startSshdFleet, type SshdFleet } from './sshd-fleet.js';

/**
 * Registers the hooks of a suite that talks to `count` sshd hosts through one transport to the first host;
 * `ready` receives them once started (assign them to the suite's variables).
 */
export function useFleetTransport(
  count: number,
  opts: { firstOctet?: number },
  ready: (fleet: SshdFleet, t: SshTransport) => void,
): void {
  let fleet: SshdFleet | undefined;
  let t: SshTransport | undefined;
  beforeAll(async () => {
    fleet = await startSshdFleet(count, opts);
    t = await connectTo(fleet, fleet.hosts[0]!);
    ready(fleet, t);
  });
  afterAll(async () => {
    await t?.close();
    await fleet?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && fleet) console.error(await fleet.logs());
  });
}
