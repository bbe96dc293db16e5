// Four registries over one storage: open (for pushes), htpasswd, bearer with anonymous tokens, bearer with users.
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTPASSWD, writeHtpasswd } from './htpasswd.js';
import { startTestRegistry, REGISTRY_BINARY, type TestRegistry } from '../../bed/registry.js';
import { createTokenSigner } from './token-signer.js';
import { startTokenServer, type TokenServer } from './token-server.js';

/** The user every protected registry knows. */
// not a word of the bed's paths (/tmp/rig-tb/…): the vault's user name is a secret, masked and refused in argv
export const BED_USER = 'pull-bot';

/** Registries sharing one storage, so what is pushed to `open` is served by every one of them. */
export interface RegistryBed {
  /** No auth: push here with docker or the API. */
  readonly open: TestRegistry;
  /** htpasswd (bcrypt) with {@link BED_USER} / `password`. */
  readonly basic: TestRegistry;
  /** Token auth; the token server gives anyone a pull token, in the `token` field. */
  readonly bearer: TestRegistry;
  readonly anonymousTokens: TokenServer;
  /** Token auth; the token server wants {@link BED_USER} / `password` and answers in `access_token`. */
  readonly bearerWithUsers: TestRegistry;
  readonly userTokens: TokenServer;
  readonly password: string;
  /** The storage root all four share. */
  readonly storage: string;
  /** Every registry, for log dumps. */
  readonly all: readonly TestRegistry[];
  stop(): Promise<void>;
}

/** Why the bed cannot start here, or undefined. */
export async function registryBedProblem(): Promise<string | undefined> {
  for (const tool of [REGISTRY_BINARY, HTPASSWD, '/usr/bin/openssl', '/usr/bin/skopeo']) {
    const ok = await access(tool, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (!ok) return `${tool} not found (run scripts/ensure-deps.sh)`;
  }
  return undefined;
}

/** Starts the token servers and the four registries; `stop()` ends them all and deletes the storage. */
export async function startRegistryBed(): Promise<RegistryBed> {
  const dir = await mkdtemp(join(tmpdir(), 'rig-registry-bed-'));
  const storage = join(dir, 'storage');
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  const stops: (() => Promise<void>)[] = [];
  const started = <T extends { stop(): Promise<void> }>(thing: T): T => {
    stops.push(() => thing.stop());
    return thing;
  };
  try {
    await writeHtpasswd(join(dir, 'htpasswd'), BED_USER, password);
    const signer = await createTokenSigner(dir);
    const anonymousTokens = started(await startTokenServer(signer));
    const userTokens = started(
      await startTokenServer(signer, { users: { [BED_USER]: password }, field: 'access_token' }),
    );
    const token = (realm: string) =>
      ({
        kind: 'token',
        realm,
        service: signer.service,
        issuer: signer.issuer,
        rootCertBundle: signer.rootCertBundle,
      }) as const;
    // One after another, so that a failure leaves nothing starting behind the cleanup.
    const open = started(await startTestRegistry({ storage }));
    const basic = started(
      await startTestRegistry({ storage, auth: { kind: 'htpasswd', path: join(dir, 'htpasswd') } }),
    );
    const bearer = started(await startTestRegistry({ storage, auth: token(anonymousTokens.realm) }));
    const bearerWithUsers = started(await startTestRegistry({ storage, auth: token(userTokens.realm) }));
    const stop = async (): Promise<void> => {
      for (const s of stops.reverse()) await s();
      await rm(dir, { recursive: true, force: true });
    };
    return {
      open,
      basic,
      bearer,
      anonymousTokens,
      bearerWithUsers,
      userTokens,
      password,
      storage,
      all: [open, basic, bearer, bearerWithUsers],
      stop,
    };
  } catch (error) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
