// Skip-or-fail for suites that need locally built images: the docker check first, then each image by tag.
import { imageId } from '../helpers/docker/image-id.ts';
import { requireDocker } from './require-docker.ts';

/**
 * `undefined` when the engine answers and every image exists, else the reason to skip (printed with `suite`). With
 * `RIG_TESTBED_REQUIRED=1` (CI, which builds every image first) a missing image throws instead of skipping.
 */
export async function requireImages(
  suite: string,
  images: readonly string[],
  build = 'RIG_IMAGES_OPENCLAW=1 scripts/build-images.sh',
): Promise<string | undefined> {
  const docker = await requireDocker();
  if (docker !== undefined) return docker;
  for (const image of images) {
    if ((await imageId(image)) !== undefined) continue;
    const reason = `${image} missing (${build})`;
    if (process.env['RIG_TESTBED_REQUIRED'] === '1') {
      throw new Error(`${suite}: images required (RIG_TESTBED_REQUIRED=1) but ${reason}`);
    }
    console.warn(`SKIP ${suite}: ${reason}`);
    return reason;
  }
  return undefined;
}
