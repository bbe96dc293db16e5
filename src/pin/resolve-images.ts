// Resolves the env's image references against their registries (HEAD only), with credentials from the inventory.
import { z } from 'zod';
import type { Project } from '../config/project.js';
import { DiagnosticsError } from '../core/errors/diagnostic.js';
import {
  RegistryClient,
  RegistryError,
  type RegistryCredential,
  type ResolvedImage,
} from '../registry/registry-client.js';
import { pinnedDigest } from '../compose/service-inputs.js';
import { mapPool } from '../core/pool.js';
import type { EnvImage } from './env-images.js';

/** `registry_auth`: credentials per registry host (`ghcr.io`, `127.0.0.1:5000`), usually from the vault. */
const authSchema = z.record(
  z.string(),
  z.union([
    z.strictObject({ username: z.string(), password: z.string(), token_realm_hosts: z.array(z.string()).optional() }),
    z.strictObject({ token: z.string() }),
  ]),
);

/** One reference's outcome. */
export type Resolution =
  | { readonly image: EnvImage; readonly resolved: ResolvedImage }
  | { readonly image: EnvImage; readonly error: RegistryError };

/** Resolves every reference that is not already a digest, 8 at a time; never throws for a registry failure. */
export async function resolveImages(
  project: Project,
  images: readonly EnvImage[],
  opts: { fetch?: typeof fetch } = {},
): Promise<Resolution[]> {
  const auth = registryAuth(project);
  const client = new RegistryClient({
    credentials: (registry) =>
      auth.get(registry) ?? auth.get(registry === 'registry-1.docker.io' ? 'docker.io' : registry),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const todo = images.filter((i) => pinnedDigest(i.ref) === undefined);
  return mapPool(todo, 8, async (image): Promise<Resolution> => {
    try {
      return { image, resolved: await client.resolve(image.ref) };
    } catch (err) {
      if (err instanceof RegistryError) return { image, error: err };
      throw err;
    }
  });
}

/** The union of the hosts' `registry_auth` mappings (the first host that sets a registry wins). */
function registryAuth(project: Project): Map<string, RegistryCredential> {
  const out = new Map<string, RegistryCredential>();
  for (const h of project.hosts.values()) {
    const v = h.vars.get('registry_auth');
    if (v === undefined) continue;
    const parsed = authSchema.safeParse(v.value);
    if (!parsed.success)
      throw new DiagnosticsError([
        {
          severity: 'error',
          message: 'registry_auth: expected a mapping of registry → { username, password } or { token }',
          loc: v.loc,
          hosts: [h.name],
        },
      ]);
    for (const [registry, cred] of Object.entries(parsed.data))
      if (!out.has(registry)) out.set(registry, credential(cred));
  }
  return out;
}

function credential(cred: z.infer<typeof authSchema>[string]): RegistryCredential {
  if ('token' in cred) return cred;
  return { username: cred.username, password: cred.password, tokenRealmHosts: cred.token_realm_hosts };
}
