// The facts deadline: a batch killed at RIG_FACTS_TIMEOUT names the part that had not finished, run by a real shell.
import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/core/cmd/cmd.js';
import { execHost, FactsTimeoutError, gather } from '../../../src/facts/gather.js';
import { textFact } from '../../../src/facts/fact.js';
import { LocalTransport } from '../../../src/transport/local-transport.js';
import type { Transport } from '../../../src/transport/transport.js';

/** The local shell as a host whose facts exec has a deadline of `ms`. */
function host(ms: number | undefined): Transport {
  const t = new LocalTransport();
  return {
    host: 'h1',
    factsTimeoutMs: ms,
    exec: (cmd, opts) => t.exec(cmd, opts),
    stream: (cmd, opts) => t.stream(cmd, opts),
    putFiles: (files) => t.putFiles(files),
    counters: t.counters,
    close: () => t.close(),
  };
}

const fact = (name: string, script: string) => textFact(name, sh(script), (out) => out.trim());

describe('the facts deadline', () => {
  it('names the fact still running when the exec is killed, the ones before it done', async () => {
    const facts = { a: fact('quick', 'echo a'), b: fact('hangs', 'sleep 30'), c: fact('after', 'echo c') };
    const started = Date.now();
    const err = await gather(execHost(host(300), false), facts).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err).toBeInstanceOf(FactsTimeoutError);
    expect((err as Error).message).toBe(
      "h1: reading the host's facts did not finish within 0.3 s (RIG_FACTS_TIMEOUT): fact hangs was still running (a command of it hangs on the host)",
    );
  });

  it('points at docker when its fact hangs, and waits as long as it takes without a deadline', async () => {
    const docker = await gather(execHost(host(300), false), { d: fact('docker-state', 'sleep 30') }).catch(
      (e: unknown) => e,
    );
    expect((docker as Error).message).toContain(
      'fact docker-state was still running (docker does not answer: a hung dockerd? `docker ps` on the host would hang too)',
    );
    expect(await gather(execHost(host(undefined), false), { a: fact('slow', 'sleep 0.5; echo a') })).toEqual({
      a: 'a',
    });
  });
});
