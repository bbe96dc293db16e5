// Whether a file's text looks like it holds a credential rig does not know of: then no diff shows either side of it.
import type { Redactor } from '../core/redact/redactor.js';

/** Words of a key name that make its value a credential (README: "What a diff never shows"). */
const CREDENTIAL_WORDS = new Set([
  'secret',
  'secrets',
  'token',
  'tokens',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'credential',
  'credentials',
  'apikey',
  'cookie',
  'salt',
  'authorization',
  'bearer',
]);

/** A key whose last word is one of these names a place, not a value (`private_key_path`, `password_file`). */
const REFERENCE_WORDS = new Set([
  'path',
  'file',
  'dir',
  'directory',
  'env',
  'name',
  'id',
  'length',
  'len',
  'size',
  'ttl',
  'expiry',
  'type',
]);

/** `key: …`, `KEY=…`, `"key": …`, `key = …`, `export KEY=…`, `- key: …`, `{"a": 1, "key": …}`, `?a=1&key=…`. */
const KEY = /(?:^|[\s{,;&?"'(])["']?([A-Za-z0-9_.-]+)["']?\s*[:=]/g;

/** Values that are credentials whatever their key: a URL with a password, a PEM private key. */
const CREDENTIAL_VALUES = [/[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i, /-----BEGIN [A-Z ]*PRIVATE KEY-----/];

/**
 * The words of a key name, lowercased: split at `_`, `-`, `.` and camelCase humps (`clientSecret` → client, secret).
 */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_.-]+/)
    .filter((w) => w !== '');
}

/** A key whose value is a credential: a credential word in it, or `key` as its last word (`api_key`, `accessKey`). */
export function isCredentialKey(key: string): boolean {
  const words = keyWords(key);
  const last = words.at(-1);
  if (last === undefined || REFERENCE_WORDS.has(last)) return false;
  return last === 'key' || words.some((w) => CREDENTIAL_WORDS.has(w));
}

/**
 * True when `text` holds a known secret (in clear or encoded), a credential key with a value, or a credential value.
 */
export function looksSensitive(text: string, redactor: Redactor): boolean {
  if (redactor.touches(text)) return true;
  if (CREDENTIAL_VALUES.some((re) => re.test(text))) return true;
  for (const m of text.matchAll(KEY)) if (m[1] !== undefined && isCredentialKey(m[1])) return true;
  return false;
}
