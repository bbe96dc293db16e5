// A container's log as it stands now (not followed), through the engine API, for dumps when something failed.
import type { WaitStrategy } from 'testcontainers';
import { dockerEngine } from './docker-engine.ts';

type Container = Parameters<WaitStrategy['waitUntilReady']>[0];

/** stdout and stderr interleaved, with timestamps; the last `tail` lines when given; `(no log: …)` if unreadable. */
export async function containerLog(container: Container | string, tail?: number): Promise<string> {
  const engine = await dockerEngine();
  const handle = typeof container === 'string' ? engine.container.getById(container) : container;
  try {
    const which = { follow: false, stdout: true, stderr: true, timestamps: true } as const;
    const raw: unknown = await handle.logs({ ...which, ...(tail === undefined ? {} : { tail }) });
    return Buffer.isBuffer(raw) ? demux(raw) : String(raw);
  } catch (error) {
    return `(no log: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Without a TTY the engine frames each chunk: 1 byte stream, 3 zero bytes, 4 bytes big-endian length, payload. */
function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  while (at + 8 <= raw.length) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}
