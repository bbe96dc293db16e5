// Resolves an image reference to the image ID the engine has for it.
import { z } from 'zod';
import { inspectJson } from './docker-cli.js';

/** The image ID (`sha256:…`) `ref` points at on the engine, or `undefined` when there is no such image. */
export async function imageId(ref: string): Promise<string | undefined> {
  const raw = await inspectJson('image', ref);
  return raw === undefined ? undefined : z.object({ Id: z.string() }).parse(raw).Id;
}
