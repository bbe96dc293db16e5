// Local images into a role bed's registry, under names that never move: the same local image always goes to the
// same repository and tag, so a later run's push finds every layer there (postgres: 12 s the first time, 0.1 s after).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageId } from '../helpers/docker/image-id.ts';
import { pushImage } from '../helpers/registry/push-image.ts';
import { dockerEngine } from './docker-engine.ts';
import { startTestRegistry, type TestRegistry } from './registry.ts';

/** One local image as the registry serves it. */
export interface PushedImage {
  /** The local image it came from (`local/postgres:15-rig`). */
  readonly local: string;
  /** `127.0.0.1:<port>/rigtest/local/postgres:15-rig-<id12>`: what the role's variable is set to. */
  readonly ref: string;
  /** The manifest digest docker push printed (`sha256:…`). */
  readonly digest: string;
  /** `<registry>/<repository>`, the name lint.yml allows. */
  readonly name: string;
}

/**
 * Where role beds' registries store what they were pushed: `$RIG_CACHE/test-registry` when writable (kept across
 * runs and shared by parallel suites: content-addressed, and the names above never point elsewhere), else a temp dir.
 */
export async function registryStorage(): Promise<{ path: string; temporary: boolean }> {
  const shared = path.join(process.env['RIG_CACHE'] ?? '/var/cache/rig-testbed', 'test-registry');
  try {
    await mkdir(shared, { recursive: true });
    return { path: shared, temporary: false };
  } catch {
    return { path: await mkdtemp(path.join(tmpdir(), 'rig-registry-')), temporary: true };
  }
}

/** Pushes each local image (by variable name) to `registryHost`; throws naming the image when it is not built. */
export async function pushLocalImages(
  registryHost: string,
  images: Readonly<Record<string, string>>,
): Promise<Record<string, PushedImage>> {
  const out: Record<string, PushedImage> = {};
  for (const [variable, local] of Object.entries(images)) {
    const id = await imageId(local);
    if (id === undefined) {
      throw new Error(`role bed: image ${local} (for ${variable}) is not built (scripts/build-images.sh)`);
    }
    const { repository, tag } = splitLocal(local);
    const remote = `rigtest/${repository}:${tag}-${id.replace(/^sha256:/, '').slice(0, 12)}`;
    const digest = await pushImage(local, registryHost, remote);
    out[variable] = { local, ref: `${registryHost}/${remote}`, digest, name: `${registryHost}/rigtest/${repository}` };
  }
  return out;
}

/** `local/postgres:15-rig` → repository `local/postgres`, tag `15-rig` (`latest` when there is none). */
function splitLocal(image: string): { repository: string; tag: string } {
  const slash = image.lastIndexOf('/');
  const colon = image.indexOf(':', slash + 1);
  if (colon < 0) return { repository: image, tag: 'latest' };
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

/** Starts a registry on {@link registryStorage}, pushes `images` (variable → local image); `undo` gets the cleanup. */
export async function registryWithImages(
  images: Readonly<Record<string, string>>,
  undo: (() => Promise<void>)[],
): Promise<{ registry: TestRegistry | undefined; images: Record<string, PushedImage> }> {
  if (Object.keys(images).length === 0) return { registry: undefined, images: {} };
  const storage = await registryStorage();
  if (storage.temporary) undo.push(() => rm(storage.path, { recursive: true, force: true }));
  const registry = await startTestRegistry({ storage: storage.path });
  undo.push(() => registry.stop());
  const pushed = await pushLocalImages(registry.host, images);
  undo.push(() => forgetPulls(Object.values(pushed)));
  return { registry, images: pushed };
}

/** Deploys pulled `<registry>/<repo>@<digest>`: the engine keeps that reference (the port is this run's): drop it. */
async function forgetPulls(images: readonly PushedImage[]): Promise<void> {
  const engine = await dockerEngine();
  for (const image of images) {
    await engine.container.dockerode
      .getImage(`${image.ref.slice(0, image.ref.lastIndexOf(':'))}@${image.digest}`)
      .remove()
      .catch(() => undefined);
  }
}
