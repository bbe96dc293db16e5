// Classifies file content as text or binary and hashes its bytes, so binary files are never printed as text.
import { sha256Hex } from '../core/digest.js';

/** File content: text as rig renders it, or raw bytes as read from a host. */
export type FileContent = string | Uint8Array;

/** What the planner needs to know about one side of a file change. */
export interface InspectedContent {
  /** The content as text; undefined when it is binary (NUL byte, invalid UTF-8, or unpaired surrogate). */
  readonly text: string | undefined;
  readonly bytes: number;
  /** Hex SHA-256 of the bytes, as `sha256sum` on the host prints it. */
  readonly sha256: string;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** A string holding one of these has no UTF-8 encoding: writing it would silently alter it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Hashes `content` and decides whether it is text; a string is hashed as its UTF-8 encoding. */
export function inspectContent(content: FileContent): InspectedContent {
  const bytes = typeof content === 'string' ? encoder.encode(content) : content;
  const text = typeof content === 'string' ? textOfString(content) : textOfBytes(bytes);
  return { text, bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
}

function textOfString(s: string): string | undefined {
  return s.includes('\0') || LONE_SURROGATE.test(s) ? undefined : s;
}

function textOfBytes(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined; // invalid UTF-8
  }
}

/** The first 8 hex digits of a digest and an ellipsis, as plans show it: `1a2b3c4d…`. */
export function shortDigest(sha256: string): string {
  return `${sha256.slice(0, 8)}…`;
}
