// The one error a registry lookup throws: what went wrong (kind), for which registry and reference; never a secret.

/**
 * - `not-found`: the registry answered 404 / MANIFEST_UNKNOWN / NAME_UNKNOWN.
 * - `unauthorized`: still 401/403 after authenticating (or credentials are needed and none were given).
 * - `unreachable`: connection refused, DNS, TLS or timeout, for the registry or its token server.
 * - `protocol`: an answer rig cannot use (no digest header, digest mismatch, bad JSON, unexpected status).
 */
export type RegistryErrorKind = 'not-found' | 'unauthorized' | 'unreachable' | 'protocol';

/**
 * A registry lookup failed. The message starts with the registry and the reference; it never holds credentials or
 * tokens.
 */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly kind: RegistryErrorKind,
    /** The registry as people write it (`docker.io`, `127.0.0.1:5000`). */
    readonly registry: string,
    /** The image reference as given. */
    readonly ref: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${registry}: ${ref}: ${reason}`, options);
  }
}
