// Answers a registry's 401 challenge (Bearer token or Basic) and caches the Authorization per (registry, scope).
import { RegistryError } from './registry-error.js';
import { realmRefusal } from './token-realm.js';
import {
  discardBody,
  isLoopbackHost,
  readBody,
  sendRequest,
  type FetchSettings,
  type RequestTarget,
} from './registry-fetch.js';

/** A user name and password (or personal access token) for a registry or its token server. */
export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
  /** Token servers on other hosts that may receive them (a self-hosted GitLab's `gitlab.example.com`). */
  readonly tokenRealmHosts?: readonly string[] | undefined;
}

/** A bearer token issued elsewhere, sent to the registry as it is. */
export interface RegistryToken {
  readonly token: string;
}

/** What the caller may supply for one registry. */
export type RegistryCredential = RegistryCredentials | RegistryToken;

/** One challenge of a `WWW-Authenticate` header: the scheme (lower case) and its parameters (keys lower case). */
export interface AuthChallenge {
  readonly scheme: string;
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Parses `WWW-Authenticate` (RFC 7235): one or more challenges, each `scheme` followed by
 * comma-separated `key=token` or `key="quoted, \"value\""` parameters. Malformed input yields what
 * could be read; it never throws.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: { scheme: string; params: Record<string, string> }[] = [];
  let pos = 0;
  const skip = (chars: string): void => {
    while (pos < header.length && chars.includes(header.charAt(pos))) pos++;
  };
  const readToken = (): string => {
    const start = pos;
    while (pos < header.length && !' \t,="'.includes(header.charAt(pos))) pos++;
    return header.slice(start, pos);
  };
  while (pos < header.length) {
    skip(' \t,');
    const token = readToken();
    if (token === '') {
      pos++;
      continue;
    }
    skip(' \t');
    const current = challenges.at(-1);
    if (header.charAt(pos) === '=' && current !== undefined) {
      pos++;
      skip(' \t');
      current.params[token.toLowerCase()] = header.charAt(pos) === '"' ? readQuoted() : readToken();
    } else {
      challenges.push({ scheme: token.toLowerCase(), params: {} });
    }
  }
  return challenges;

  function readQuoted(): string {
    let value = '';
    for (pos++; pos < header.length && header.charAt(pos) !== '"'; pos++) {
      if (header.charAt(pos) === '\\') pos++;
      value += header.charAt(pos);
    }
    pos++;
    return value;
  }
}

/** The registry and repository scope an Authorization is for. */
export interface AuthTarget extends RequestTarget {
  /** The API host (`registry-1.docker.io`), the key for credentials and the cache. */
  readonly registry: string;
  /** `repository:<name>:pull`. */
  readonly scope: string;
}

/**
 * Turns 401 challenges into `Authorization` values. Bearer: GET the realm with `service` and `scope`
 * (with Basic credentials when configured, else anonymously) and use its `token` / `access_token`.
 * Basic: the configured credentials. Values are cached per (registry, scope) for the lifetime of this object.
 */
export class RegistryAuth {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly settings: FetchSettings,
    private readonly credentials: (registry: string) => RegistryCredential | undefined,
  ) {}

  /** The Authorization last obtained for this registry and scope, if any. */
  cached(target: AuthTarget): string | undefined {
    return this.cache.get(cacheKey(target));
  }

  /** Answers the challenge in `header` (the 401's `WWW-Authenticate`), caches and returns the Authorization. */
  async authorize(target: AuthTarget, header: string | null): Promise<string> {
    const challenges = parseWwwAuthenticate(header ?? '');
    const credential = this.credentials(target.registry);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    let authorization: string;
    if (bearer !== undefined) {
      authorization = `Bearer ${credential !== undefined && 'token' in credential ? credential.token : await this.fetchToken(target, bearer, credential)}`;
    } else if (basic !== undefined) {
      if (credential === undefined || 'token' in credential) {
        throw new RegistryError(
          'unauthorized',
          target.domain,
          target.ref,
          'the registry asks for a user name and password, and none are configured',
        );
      }
      authorization = basicAuthorization(credential);
    } else {
      throw new RegistryError(
        'protocol',
        target.domain,
        target.ref,
        `answered 401 without a Bearer or Basic challenge (WWW-Authenticate: ${JSON.stringify(header)})`,
      );
    }
    this.cache.set(cacheKey(target), authorization);
    return authorization;
  }

  private async fetchToken(
    target: AuthTarget,
    challenge: AuthChallenge,
    credential: RegistryCredentials | undefined,
  ): Promise<string> {
    const fail = (kind: 'unauthorized' | 'protocol', reason: string): never => {
      throw new RegistryError(kind, target.domain, target.ref, reason);
    };
    const url =
      realmUrl(challenge.params['realm']) ??
      fail('protocol', `Bearer challenge without a usable realm: ${JSON.stringify(challenge.params['realm'] ?? '')}`);
    const service = challenge.params['service'];
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', challenge.params['scope'] ?? target.scope);
    const headers: Record<string, string> = {};
    if (credential !== undefined) {
      if (url.protocol !== 'https:' && !isLoopbackHost(url.host)) {
        fail('unauthorized', `refusing to send credentials to the token server ${url.origin} over plain HTTP`);
      }
      const refusal = realmRefusal(target.registry, url, credential.tokenRealmHosts);
      if (refusal !== undefined) fail('unauthorized', refusal);
      url.searchParams.set('account', credential.username);
      headers['authorization'] = basicAuthorization(credential);
    }
    const response = await sendRequest(this.settings, target, url, { headers });
    if (response.status === 401 || response.status === 403) {
      await discardBody(response);
      fail(
        'unauthorized',
        `the token server ${url.origin} refused ${credential === undefined ? 'an anonymous token' : 'the configured credentials'} (HTTP ${response.status})`,
      );
    }
    const body = await readBody(this.settings, target, url, response);
    if (!response.ok) fail('protocol', `the token server ${url.origin} answered HTTP ${response.status}`);
    return tokenOf(body) ?? fail('protocol', `the token server ${url.origin} answered without a token`);
  }
}

function cacheKey(target: AuthTarget): string {
  return `${target.registry}\n${target.scope}`;
}

function basicAuthorization(credential: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

function realmUrl(realm: string | undefined): URL | undefined {
  if (realm === undefined || !URL.canParse(realm)) return undefined;
  const url = new URL(realm);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

/** `token`, else `access_token` (OAuth2 naming), from the token server's JSON. */
function tokenOf(body: Uint8Array): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  for (const key of ['token', 'access_token'] as const) {
    const value: unknown = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
