// Where a registry may send rig's credentials for a token: its own host, its known token servers, or named hosts.

/** Registries whose token server lives on another host (their realm, as their 401 names it). */
const KNOWN_TOKEN_HOSTS: Readonly<Record<string, readonly string[]>> = {
  'registry-1.docker.io': ['auth.docker.io'],
  'registry.gitlab.com': ['gitlab.com'],
};

/**
 * Why credentials must not go to `realm` for `registry` (its API host, `host[:port]`), or undefined when they may:
 * the realm is on the registry's own host (any port), a known token server of it, or one of `allowed`
 * (`token_realm_hosts`, `host` or `host:port`).
 * Anything else would hand the password to whoever controls the registry's 401 (a compromised or spoofed registry).
 */
export function realmRefusal(registry: string, realm: URL, allowed: readonly string[] = []): string | undefined {
  const own = new URL(`https://${registry}`).hostname;
  const hosts = [own, ...(KNOWN_TOKEN_HOSTS[registry] ?? []), ...allowed].map((h) => h.toLowerCase());
  if (hosts.includes(realm.host.toLowerCase()) || hosts.includes(realm.hostname.toLowerCase())) return undefined;
  return (
    `refusing to send the credentials for ${registry} to the token server ${realm.origin}, which is not ${registry} ` +
    `nor a known token server of it; if it is yours, list its host in registry_auth's token_realm_hosts`
  );
}
