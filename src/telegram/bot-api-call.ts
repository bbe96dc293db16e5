// One Bot API call over Node's fetch: a deadline, the envelope and result parsed with zod, every failure a
// TelegramError.
import type { z } from 'zod';
import { EnvelopeSchema } from './bot-api-schema.js';
import { botEndpoint, type BotEndpoint } from './bot-endpoint.js';
import { TelegramError, apiFailureKind, redactToken, redactedCause } from './telegram-error.js';

/** Options of one call. */
export interface TelegramCallOptions {
  /** Aborts the call (kind `aborted`). */
  readonly signal?: AbortSignal;
  /** Deadline of the whole call, body included (kind `timeout`); default {@link TELEGRAM_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

export const TELEGRAM_TIMEOUT_MS = 10_000;

/** What a call is: where, with which token, which method; `params` are sent as a JSON POST, none as a GET. */
export interface BotApiRequest {
  readonly baseUrl: string;
  readonly token: string;
  readonly method: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** Calls the method and returns its `result` parsed by `schema`; throws {@link TelegramError} otherwise. */
export async function callBotApi<S extends z.ZodType>(
  req: BotApiRequest,
  schema: S,
  opts: TelegramCallOptions = {},
): Promise<z.infer<S>> {
  const endpoint = botEndpoint(req.baseUrl, req.token, req.method);
  const timeoutMs = opts.timeoutMs ?? TELEGRAM_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal === undefined ? deadline : AbortSignal.any([opts.signal, deadline]);
  const init: RequestInit =
    req.params === undefined
      ? { signal }
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.params), signal };
  let status: number;
  let text: string;
  try {
    const res = await fetch(endpoint.url, init);
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw failedCall(req, endpoint, error, {
      aborted: opts.signal?.aborted === true,
      timedOut: deadline.aborted,
      timeoutMs,
    });
  }
  return parseAnswer(req, endpoint, status, text, schema);
}

function parseAnswer<S extends z.ZodType>(
  req: BotApiRequest,
  endpoint: BotEndpoint,
  status: number,
  text: string,
  schema: S,
): z.infer<S> {
  const fail = (reason: string): TelegramError =>
    new TelegramError('bad-response', req.method, endpoint.shown, reason, { status });
  const snippet = (): string => JSON.stringify(redactToken(text.slice(0, 120), req.token));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail(`HTTP ${status}, not JSON: ${snippet()}`);
  }
  const envelope = EnvelopeSchema.safeParse(json);
  if (!envelope.success) throw fail(`HTTP ${status}, not a Bot API answer: ${snippet()}`);
  const answer = envelope.data;
  if (!answer.ok) {
    const description = redactToken(answer.description, req.token);
    const detail = {
      status: answer.error_code,
      description,
      ...(answer.parameters?.retry_after === undefined ? {} : { retryAfter: answer.parameters.retry_after }),
    };
    throw new TelegramError(
      apiFailureKind(answer.error_code),
      req.method,
      endpoint.shown,
      `${answer.error_code} ${description}`,
      detail,
    );
  }
  const result = schema.safeParse(answer.result);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw fail(
      `unexpected result: ${issue === undefined ? 'invalid' : `${issue.path.map(String).join('.') || '<result>'}: ${issue.message}`}`,
    );
  }
  return result.data;
}

interface Why {
  readonly aborted: boolean;
  readonly timedOut: boolean;
  readonly timeoutMs: number;
}

/** A call that got no (complete) answer: aborted, timed out, or a network failure with the socket's own reason. */
function failedCall(req: BotApiRequest, endpoint: BotEndpoint, error: unknown, why: Why): TelegramError {
  const cause = redactedCause(error, req.token);
  const make = (kind: 'aborted' | 'timeout' | 'network', reason: string): TelegramError =>
    new TelegramError(kind, req.method, endpoint.shown, reason, {}, cause === undefined ? undefined : { cause });
  if (why.aborted) return make('aborted', 'aborted by the caller');
  const inner = cause?.cause instanceof Error ? cause.cause : cause;
  const code = (inner as { code?: unknown } | undefined)?.code;
  if (why.timedOut || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return make('timeout', `no answer within ${why.timeoutMs} ms`);
  }
  const reason =
    inner === undefined
      ? String(error)
      : inner.message !== ''
        ? inner.message
        : typeof code === 'string'
          ? code
          : inner.name;
  return make('network', redactToken(reason, req.token));
}
