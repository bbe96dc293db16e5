// Makes "the tag now points at another image" without a registry: a label-only rebuild of an image under a new tag.
import { dockerOk } from './docker-cli.js';

/** Label that {@link retagVariant} sets to tell variants apart. */
export const VARIANT_LABEL = 'rig.test.variant';

/**
 * Builds a new image from `src` that differs only by the label `rig.test.variant=<label>` (same layers, entrypoint,
 * env), tags it `dst` and returns its image ID. Every call yields a new ID, even with the same label (`--no-cache`).
 * Uses a classic `docker build` of `FROM <src>` read from stdin: no context, no registry, ~0.1 s.
 * `dst` should be a name the test owns: the image `dst` pointed at before is left untagged for the test to remove.
 */
export async function retagVariant(src: string, dst: string, label: string): Promise<string> {
  const out = await dockerOk(
    ['build', '--quiet', '--no-cache', '--label', `${VARIANT_LABEL}=${label}`, '--tag', dst, '-'],
    {
      input: `FROM ${src}\n`,
      env: { DOCKER_BUILDKIT: '0' },
    },
  );
  const id = out.trim().split('\n').pop() ?? '';
  if (!id.startsWith('sha256:')) throw new Error(`retagVariant ${src} -> ${dst}: no image ID in build output: ${out}`);
  return id;
}
