// Sends one HTTP request with a deadline; a network failure becomes a RegistryError of kind `unreachable`.
import { RegistryError } from './registry-error.js';

/** Who a request is for, so that a failure names the registry and the reference. */
export interface RequestTarget {
  /** The registry as people write it (`docker.io`). */
  readonly domain: string;
  /** The image reference as given. */
  readonly ref: string;
}

/** `fetch`, and the deadline of one request including reading its body. */
export interface FetchSettings {
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

const MAX_REDIRECTS = 5;

/**
 * Fetches `url`, following up to 5 redirects itself: a redirected request goes without its `Authorization`, so that
 * credentials and tokens never reach another host (registries redirect blobs to CDNs with signed URLs of their own).
 * Connection refused, unknown host, TLS failures and the deadline throw {@link RegistryError} `unreachable`, naming the
 * origin contacted (never headers, so never credentials).
 */
export async function sendRequest(
  settings: FetchSettings,
  target: RequestTarget,
  url: URL,
  init: RequestInit,
): Promise<Response> {
  let at = url;
  let headers = new Headers(init.headers);
  for (let hop = 0; ; hop++) {
    const response = await sendOnce(settings, target, at, { ...init, headers });
    const location = response.headers.get('location');
    const redirected = [301, 302, 303, 307, 308].includes(response.status) && location !== null;
    if (!redirected || hop === MAX_REDIRECTS) return response;
    await discardBody(response);
    at = new URL(location, at);
    headers = new Headers(headers);
    headers.delete('authorization');
  }
}

async function sendOnce(
  settings: FetchSettings,
  target: RequestTarget,
  url: URL,
  init: RequestInit,
): Promise<Response> {
  try {
    return await settings.fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(settings.timeoutMs) });
  } catch (error) {
    const reason = describeNetworkError(error, settings.timeoutMs);
    throw new RegistryError('unreachable', target.domain, target.ref, `cannot reach ${url.origin}: ${reason}`, {
      cause: error,
    });
  }
}

/** Reads a body within the request's deadline; a deadline hit while reading is `unreachable` too. */
export async function readBody(
  settings: FetchSettings,
  target: RequestTarget,
  url: URL,
  response: Response,
): Promise<Uint8Array> {
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    const reason = describeNetworkError(error, settings.timeoutMs);
    throw new RegistryError(
      'unreachable',
      target.domain,
      target.ref,
      `reading the answer of ${url.origin}: ${reason}`,
      { cause: error },
    );
  }
}

/** Drops a body that is not needed, so that the connection can be reused. */
export async function discardBody(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/** True for `localhost`, 127.0.0.0/8 and `::1`, with or without a port: registries Docker talks plain HTTP to. */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const code = errorCode(cause) ?? errorCode(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection within ${timeoutMs} ms`;
    default:
      return cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  }
}

function errorCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('code' in value)) return undefined;
  return typeof value.code === 'string' ? value.code : undefined;
}
