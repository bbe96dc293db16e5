// POSIX sh quoting of one word: the only place in rig that turns a string into shell syntax.

const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Words that are reserved in command position; quoting them makes the shell run a command of that name. */
const RESERVED = new Set([
  '!',
  '{',
  '}',
  'case',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'if',
  'in',
  'then',
  'until',
  'while',
]);

/**
 * Quotes `word` so that a POSIX shell reads it back as exactly one word with the same bytes.
 * Safe words (`[A-Za-z0-9_@%+=:,./-]+`) stay bare, the empty string is `''`, anything else is
 * single-quoted with `'` written as `'\''`. NUL cannot be passed through any argv and is rejected.
 */
export function quote(word: string): string {
  refuseNul(word);
  if (word === '') return "''";
  if (BARE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function refuseNul(word: string): void {
  if (word.includes('\0')) throw new Error('a shell word cannot contain NUL');
}

/** A word's UTF-8 byte length and number of `'`: what quoting it again depends on. */
export interface WordSize {
  readonly bytes: number;
  readonly quotes: number;
}

/** The size of `word` as it is. */
export function wordSize(word: string): WordSize {
  let quotes = 0;
  for (let i = word.indexOf("'"); i !== -1; i = word.indexOf("'", i + 1)) quotes++;
  return { bytes: Buffer.byteLength(word, 'utf8'), quotes };
}

/** The size of `quote(word)`, without building it; throws as `quote` does. */
export function quotedSize(word: string): WordSize {
  refuseNul(word);
  if (word === '') return { bytes: 2, quotes: 2 };
  const size = wordSize(word);
  return BARE.test(word) ? size : quotedSizeOf(size);
}

/** The size of the quoted form of a word of `size` that is neither empty nor bare: `'…'`, each `'` as `'\\''`. */
export function quotedSizeOf(size: WordSize): WordSize {
  return { bytes: size.bytes + 2 + 3 * size.quotes, quotes: 2 + 3 * size.quotes };
}

/**
 * Quotes a word in command-name position: besides `quote`, a word with `=` (it would be an assignment)
 * or a reserved word (`if`, `!`, …) is always quoted.
 */
export function quoteCommandName(word: string): string {
  if (word.includes('=') || RESERVED.has(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  return quote(word);
}
