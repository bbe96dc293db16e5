// A bearer token server on 127.0.0.1 speaking the Docker token protocol (GET realm?service&scope, optional Basic).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TokenSigner } from './token-signer.js';

export interface TokenServerOptions {
  /** When set, only these users (name → password) get tokens; anonymous requests get 401. Else everyone gets pull. */
  readonly users?: Readonly<Record<string, string>>;
  /** The JSON field the token travels in (`token` as Docker Hub, `access_token` as OAuth2). */
  readonly field?: 'token' | 'access_token';
}

/** One request the token server answered. */
export interface TokenRequest {
  readonly service: string | null;
  readonly scope: string | null;
  readonly account: string | null;
  /** The user that authenticated, if any. */
  readonly user: string | undefined;
  readonly status: number;
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>/token`, the registry's realm. */
  readonly realm: string;
  readonly requests: readonly TokenRequest[];
  stop(): Promise<void>;
}

/** Starts the token server; it grants `pull` on the scope's repository to whoever it accepts. */
export async function startTokenServer(signer: TokenSigner, options: TokenServerOptions = {}): Promise<TokenServer> {
  const requests: TokenRequest[] = [];
  const server = createServer((req, res) => {
    requests.push(answer(signer, options, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function answer(
  signer: TokenSigner,
  options: TokenServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): TokenRequest {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const base = {
    service: url.searchParams.get('service'),
    scope: url.searchParams.get('scope'),
    account: url.searchParams.get('account'),
  };
  const user = basicUser(req.headers.authorization, options.users);
  if (url.pathname !== '/token' || base.service !== signer.service)
    return reply(res, 400, { errors: [{ code: 'BAD_REQUEST' }] }, base, user);
  if (options.users !== undefined && user === undefined)
    return reply(res, 401, { errors: [{ code: 'UNAUTHORIZED' }] }, base, user);
  const [type, repository = '', actions = ''] = (base.scope ?? '').split(':');
  const granted = type === 'repository' && actions.split(',').includes('pull') ? ['pull'] : [];
  const token = signer.sign(user ?? 'anonymous', repository, granted);
  return reply(
    res,
    200,
    { [options.field ?? 'token']: token, expires_in: 300, issued_at: new Date().toISOString() },
    base,
    user,
  );
}

function reply(
  res: ServerResponse,
  status: number,
  body: object,
  base: Omit<TokenRequest, 'user' | 'status'>,
  user: string | undefined,
): TokenRequest {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return { ...base, user, status };
}

function basicUser(
  header: string | undefined,
  users: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (header === undefined || users === undefined || !header.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const name = decoded.slice(0, colon);
  return colon > 0 && users[name] === decoded.slice(colon + 1) ? name : undefined;
}
