// An image reference as a zod type, for role variables and service specs: the one parser decides (no second regex).
import { z } from 'zod';
import { ImageRefError, parseImageRef } from './image-ref.js';

/**
 * A string docker would accept as an image reference (`[registry/]path[:tag][@digest]`); anything else, such as a
 * newline that would start a second `FROM` or YAML line where the reference is written, fails with the parser's reason.
 */
export const imageRefSchema = z.string().superRefine((ref, ctx) => {
  try {
    parseImageRef(ref);
  } catch (err) {
    if (!(err instanceof ImageRefError)) throw err;
    ctx.addIssue({ code: 'custom', message: err.message });
  }
});
