// Quotes one env-file value so that docker-compose v1 (python-dotenv), Compose v2 (compose-go) and npm dotenv read it
// back unchanged.
//
// The three readers disagree on almost everything; this module writes only forms on which they agree:
// - python-dotenv 0.21 (docker-compose 1.29.2, `env_vars_from_file(..., interpolate=True)`): expands
//   `${NAME}` / `${NAME:-default}` in EVERY value, quoted or not, with no escape; decodes `\\` and `\'`
//   inside single quotes and `\\ \' \" \a \b \f \n \r \t \v` inside double quotes; reads the file in text
//   mode, so a raw CR becomes LF.
// - compose-go (Compose v2, dotenv/parser.go): single quotes are literal, but a `'` preceded by `\` does
//   not close them; double quotes decode `\a \b \c \f \n \r \t \v \$ \" \\ \0NNN` then expand `$VAR`;
//   unquoted values are cut at ` #`, right-trimmed and `$`-expanded.
// - npm dotenv 17 and 18 (`parse`): turns every CR/CRLF into LF first; single quotes are literal; double quotes
//   decode only `\n` and `\r`; unquoted values stop at any `#` and are trimmed.

/** The value has no spelling that all three parsers read back unchanged; `reason` says why, without the value. */
export class EnvValueError extends Error {
  override readonly name = 'EnvValueError';
}

/** python-dotenv's `${...}` variable syntax (dotenv/variables.py): expanded in every quoting style. */
const PYTHON_DOTENV_VARIABLE = /\$\{[^}:]*(?::-[^}]*)?\}/;
/** Tokens needing no quotes anywhere: kept bare for readability (`PORT=8080`, `URL=http://x/y`). */
const BARE_TOKEN = /^[A-Za-z0-9_./:@%+,=-]+$/;
/** Characters after `\` that some reader of double-quoted values decodes as an escape. */
const DOUBLE_QUOTE_ESCAPABLE = new Set(['\\', "'", '"', 'a', 'b', 'c', 'f', 'n', 'r', 't', 'v', '$', '0', '\n', '\r']);

/**
 * Returns the right-hand side of `KEY=...` for `value`: bare when trivially safe, else single-quoted,
 * else double-quoted, else unquoted. Throws EnvValueError when no form reads back identically.
 */
export function quoteEnvValue(value: string): string {
  if (value.includes('\0')) throw new EnvValueError('contains a NUL character, which no environment variable can hold');
  if (PYTHON_DOTENV_VARIABLE.test(value)) {
    throw new EnvValueError(
      'contains "${...}", which docker-compose v1 always expands in env files (no escape exists)',
    );
  }
  if (value === '') return "''";
  if (BARE_TOKEN.test(value)) return value;
  if (singleQuotable(value)) return `'${value}'`;
  if (doubleQuotable(value)) return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  if (unquotable(value)) return value;
  throw new EnvValueError(unrepresentableReason(value));
}

/**
 * Single quotes: literal for all three unless the value holds `'`, `\\` (python decodes it), a CR, or ends with `\`.
 */
function singleQuotable(value: string): boolean {
  return !value.includes("'") && !value.includes('\\\\') && !value.includes('\r') && !value.endsWith('\\');
}

/** Double quotes: no `"`, no `$` (Compose v2 expands it), and every `\` followed by a character nobody decodes. */
function doubleQuotable(value: string): boolean {
  if (value.includes('"') || value.includes('$') || value.endsWith('\\')) return false;
  for (let i = value.indexOf('\\'); i >= 0; i = value.indexOf('\\', i + 1)) {
    if (DOUBLE_QUOTE_ESCAPABLE.has(value[i + 1] ?? '')) return false;
  }
  return true;
}

/**
 * Unquoted: one line, no `#` (npm dotenv cuts there), no `$`, no leading quote, no surrounding whitespace,
 * and no U+2028/U+2029: npm dotenv's multiline regex treats them as line ends, so a quote after one starts a new value.
 */
function unquotable(value: string): boolean {
  if (/[\n\r#$\u2028\u2029]/.test(value) || /^['"`]/.test(value)) return false;
  return !isAnySpace(value.charAt(0)) && !isAnySpace(value.charAt(value.length - 1));
}

/** Names the features that together rule out every form; never quotes the value itself (it may be a secret). */
function unrepresentableReason(value: string): string {
  const features: [boolean, string][] = [
    [value.includes("'"), `"'"`],
    [value.includes('"'), `'"'`],
    [value.includes('$'), '"$"'],
    [value.includes('\\'), 'a backslash'],
    [value.includes('#'), '"#"'],
    [value.includes('\n'), 'a newline'],
    [value.includes('\r'), 'a carriage return'],
    [isAnySpace(value.charAt(0)) || isAnySpace(value.charAt(value.length - 1)), 'leading or trailing whitespace'],
  ];
  const found = features.filter(([present]) => present).map(([, name]) => name);
  return `no quoting keeps this combination intact for all three parsers: ${found.join(', ')}`;
}

/** Whitespace by any of the three definitions (JS `\s`, Python `str.isspace` adds U+001C-U+001F and U+0085). */
function isAnySpace(ch: string): boolean {
  return /\s/.test(ch) || ch === '\u0085' || (ch >= '\u001c' && ch <= '\u001f');
}
