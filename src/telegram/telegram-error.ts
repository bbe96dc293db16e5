// The one error a Telegram Bot API call throws: what went wrong (kind) and for which method; never the bot token.
import { MASK, Redactor } from '../core/redact/redactor.js';

/**
 * - `unauthorized`: 401, the bot token was refused (revoked, or another bot's).
 * - `not-found`: 404, no such method, or a path the API does not serve (a malformed token answers this too).
 * - `bad-request`: 400; the description says why (`Bad Request: chat not found`).
 * - `api-error`: any other answer with `ok: false` (403 blocked, 409 conflict, 429 flood control, 5xx).
 * - `network`: no HTTP answer (refused, DNS, TLS, reset). `timeout`: no answer within the deadline.
 * - `aborted`: the caller's signal fired. `bad-response`: an answer that is not the Bot API's JSON envelope.
 * - `config`: the call was not made: the token or the base URL is malformed.
 */
export type TelegramErrorKind =
  | 'unauthorized'
  | 'not-found'
  | 'bad-request'
  | 'api-error'
  | 'network'
  | 'timeout'
  | 'aborted'
  | 'bad-response'
  | 'config';

/** What the API said, when it said something. */
export interface TelegramErrorDetail {
  /** HTTP status (the envelope's `error_code` when it has one). */
  readonly status?: number;
  /** The API's `description`, as written (`Bad Request: chat not found`). */
  readonly description?: string;
  /** Seconds to wait, from a 429's `parameters.retry_after`. */
  readonly retryAfter?: number;
}

/**
 * A Bot API call failed. Message, `endpoint` and `cause` show the token as `***`, so the path reads `/bot***` then
 * `/getMe`.
 */
export class TelegramError extends Error {
  override readonly name = 'TelegramError';
  constructor(
    readonly kind: TelegramErrorKind,
    /** The Bot API method (`getMe`). */
    readonly method: string,
    /** Where it was sent, token masked: `https://api.telegram.org/bot***` + `/getMe`. */
    readonly endpoint: string,
    reason: string,
    readonly detail: TelegramErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(`Telegram ${method} (${endpoint}): ${kind}: ${reason}`, options);
  }
}

/** The kind of an answer with `ok: false`, from its error code. */
export function apiFailureKind(status: number): TelegramErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 400) return 'bad-request';
  return 'api-error';
}

/** Masks `token` (as is, URL-encoded, and its secret half) and any `/bot<…>` path segment in `text`. */
export function redactToken(text: string, token: string): string {
  const secretHalf = token.slice(token.indexOf(':') + 1);
  const forms = [token, encodeURIComponent(token), ...(secretHalf.length >= 8 ? [secretHalf] : [])];
  return new Redactor(forms).redact(text).replace(/\/bot[^/\s?#"'<>]+/g, `/bot${MASK}`);
}

const COPIED_FIELDS = ['code', 'errno', 'syscall', 'hostname', 'address', 'port'] as const;

/**
 * A copy of an error chain (`cause`, AggregateError's `errors`) with the token masked in every message and stack, for
 * use as a `cause`. undici puts the URL into some messages (`Failed to parse URL from …`) and into `cause.input`;
 * the copy keeps only name, message, stack and the socket fields above.
 */
export function redactedCause(value: unknown, token: string, depth = 0): Error | undefined {
  if (!(value instanceof Error) || depth > 5) return undefined;
  const cause = redactedCause(value.cause, token, depth + 1);
  const copy = new Error(redactToken(value.message, token), cause === undefined ? undefined : { cause });
  copy.name = value.name;
  copy.stack = redactToken(value.stack ?? '', token);
  const fields: Record<string, unknown> = {};
  for (const field of COPIED_FIELDS) {
    const v: unknown = (value as unknown as Record<string, unknown>)[field];
    if (typeof v === 'number') fields[field] = v;
    else if (typeof v === 'string') fields[field] = redactToken(v, token);
  }
  if (value instanceof AggregateError) {
    fields['errors'] = value.errors.map((e) => redactedCause(e, token, depth + 1)).filter((e) => e !== undefined);
  }
  return Object.assign(copy, fields);
}
