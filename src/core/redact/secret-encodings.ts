// The forms a secret takes once a role or template encodes it: JSON-escaped, URL-encoded, base64, shell-quoted.

/** Shorter encoded fragments are not masked: they would match ordinary text. */
const MIN_FORM = 6;

/**
 * Every string that stands for `secret` in encoded text, besides the secret itself: its JSON string escaping, its
 * URL encodings (component and form), its POSIX single-quote escaping, and the part of its base64 (standard and URL
 * alphabets) that is the same wherever the secret sits in the encoded bytes (one per alignment: `user:pass` encoded
 * in a Basic header still contains the core of `pass`).
 */
export function encodedForms(secret: string): string[] {
  const forms = new Set<string>([
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    secret.replaceAll("'", "'\\''"),
    ...base64Cores(secret),
  ]);
  forms.delete(secret);
  return [...forms].filter((f) => f.length >= MIN_FORM);
}

/** The base64 characters determined by the secret's bytes alone, at byte offsets 0, 1 and 2 (mod 3). */
function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (const pad of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // chars 0..⌈4·pad/3⌉ depend on what precedes; the last group depends on what follows unless the length is exact
    const start = Math.ceil((pad * 4) / 3);
    const full = Math.floor((pad + bytes.length) / 3) * 4;
    const end = (pad + bytes.length) % 3 === 0 ? full : Math.floor(((pad + bytes.length) * 4) / 3);
    const core = encoded.slice(start, end);
    out.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}
