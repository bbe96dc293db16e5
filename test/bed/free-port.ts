// Loopback TCP ports that are free right now: any (kernel-assigned), or one below the ephemeral range that stays ours.
import { createServer } from 'node:net';

/** Returns a port on 127.0.0.1 that nothing listens on (the usual small race until the caller binds it). */
export function freePort(): Promise<number> {
  return listenOnce(0);
}

/**
 * A free port in 20000–31999, below Linux's ephemeral range: outgoing connections never take it, so a host
 * stopped and started again gets the same port back (the bash bed chose its ports the same way).
 */
export async function freeFixedPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await listenOnce(20_000 + Math.floor(Math.random() * 12_000)).catch(() => undefined);
    if (port !== undefined) return port;
  }
  throw new Error('no free port in 20000-31999 on 127.0.0.1 after 50 tries');
}

function listenOnce(wanted: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
