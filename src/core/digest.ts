// The content digest rig compares with the hosts' `sha256sum`: hex SHA-256 of the bytes (strings as UTF-8).
import { createHash } from 'node:crypto';

/** Hex SHA-256 of `content`; a string is hashed as its UTF-8 encoding. */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}
