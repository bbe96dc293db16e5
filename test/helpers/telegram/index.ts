// Test helpers around the Telegram Bot API stand-in: HTTP servers that misbehave on purpose, and a token-leak check.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';

/** A loopback HTTP server run by `handler`; `close()` also drops connections it left open. */
export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 at a free port. */
export async function localServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A server that reads each request and never answers it (a black-holed egress proxy, a hung upstream). */
export function silentServer(): Promise<LocalServer> {
  return localServer((req) => req.resume());
}

/**
 * A server answering every request with an HTML page that quotes the requested path, as some proxies' error pages do.
 */
export function echoingHtmlServer(status: number): Promise<LocalServer> {
  return localServer((req, res) => {
    res.writeHead(status, { 'content-type': 'text/html' });
    res.end(`<html><body><h1>${status}</h1><p>no route for ${req.url ?? ''}</p></body></html>`);
  });
}

/**
 * Everything a person or a log could see of `value`: util.inspect with hidden fields (stack, cause chain, own
 * properties such as undici's `input`) and JSON. Assert that a token is not in it.
 */
export function everythingShown(value: unknown): string {
  const json = (() => {
    try {
      return JSON.stringify(value) ?? '';
    } catch {
      return '';
    }
  })();
  return `${inspect(value, { depth: 12, showHidden: true })}\n${json}\n${value instanceof Error ? (value.stack ?? '') : ''}`;
}
