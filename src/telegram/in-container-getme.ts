// getMe from inside a running container (`docker exec -i <c> node -e …`), token on stdin: proves the egress path the
// container's own process has (OpenClaw's: its DNS, proxy and network), not the host's. Builder and parser are pure.
import { z } from 'zod';
import { exec, type Cmd } from '../core/cmd/cmd.js';
import { botEndpoint } from './bot-endpoint.js';
import { TelegramError, apiFailureKind, type TelegramErrorKind } from './telegram-error.js';
import { TELEGRAM_TIMEOUT_MS } from './bot-api-call.js';

// Plain JS for the container's node (>= 18: global fetch). argv: base URL, timeout ms; stdin: the token and a newline.
// Prints exactly one JSON line; every text it prints has the token and any /bot<…> segment masked.
const SCRIPT = `
const [base, ms] = process.argv.slice(1);
const emit = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => main(Buffer.concat(chunks).toString('utf8').replace(/\\r?\\n$/, '')));
async function main(token) {
  const mask = (s) => (token ? String(s).split(token).join('***') : String(s)).replace(/\\/bot[^/\\s?#"'<>]+/g, '/bot***');
  let status = null;
  try {
    const res = await fetch(base.replace(/\\/+$/, '') + '/bot' + token + '/getMe', { signal: AbortSignal.timeout(Number(ms)) });
    status = res.status;
    const text = await res.text();
    let body;
    try { body = JSON.parse(text); } catch { body = undefined; }
    if (body && body.ok === true && body.result && typeof body.result.username === 'string') {
      return emit({ ok: true, status, username: body.result.username, id: body.result.id });
    }
    if (body && body.ok === false && typeof body.description === 'string') return emit({ ok: false, status, description: mask(body.description) });
    emit({ ok: false, status, error: 'bad-response', description: mask(text.slice(0, 120)) });
  } catch (e) {
    const c = e && e.cause;
    const code = c && c.code;
    if ((e && e.name === 'TimeoutError') || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
      return emit({ ok: false, status, error: 'timeout', description: 'no answer within ' + ms + ' ms' });
    }
    emit({ ok: false, status, error: 'network', description: mask((c && (c.message || c.code)) || (e && e.message) || e) });
  }
}
`;

/** What to run: in `container`, getMe at `baseUrl` (as the container resolves it) with `token`. */
export interface InContainerGetMeRequest {
  readonly container: string;
  readonly baseUrl: string;
  readonly token: string;
  /** The script's own deadline; give the exec a few seconds more. Default {@link TELEGRAM_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

/** Run `cmd` with `stdin` as its standard input (Transport `exec(cmd, { stdin })`); stdin holds the token. */
export interface InContainerCall {
  readonly cmd: Cmd;
  readonly stdin: string;
}

const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * `docker exec -i <container> node -e <script> -- <baseUrl> <timeoutMs>` with the token on stdin, never in argv or env.
 * Throws {@link TelegramError} `config` for a malformed token or base URL (as the client does), Error for a bad name.
 */
export function inContainerGetMe(req: InContainerGetMeRequest): InContainerCall {
  if (!CONTAINER_NAME.test(req.container))
    throw new Error(`inContainerGetMe: ${JSON.stringify(req.container)} is not a container name`);
  botEndpoint(req.baseUrl, req.token, 'getMe');
  const timeoutMs = req.timeoutMs ?? TELEGRAM_TIMEOUT_MS;
  const argv = ['docker', 'exec', '-i', req.container, 'node', '-e', SCRIPT, '--', req.baseUrl, String(timeoutMs)];
  return { cmd: exec(argv), stdin: `${req.token}\n` };
}

/** The outcome: the bot, or the failure classified with the client's kinds (`unauthorized` for a 401, …). */
export type InContainerGetMe =
  | { readonly ok: true; readonly status: number; readonly username: string; readonly id?: number }
  | {
      readonly ok: false;
      readonly kind: TelegramErrorKind;
      readonly status: number | null;
      readonly description: string;
    };

const LineSchema = z.strictObject({
  ok: z.boolean(),
  status: z.int().nullable(),
  username: z.string().optional(),
  id: z.number().optional(),
  description: z.string().optional(),
  error: z.enum(['network', 'timeout', 'bad-response']).optional(),
});

/**
 * Parses the script's line (the last non-empty line of stdout); throws {@link TelegramError} `bad-response` without
 * one.
 */
export function parseInContainerGetMe(stdout: string): InContainerGetMe {
  const last =
    stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? '';
  let parsed: z.infer<typeof LineSchema> | undefined;
  try {
    parsed = LineSchema.parse(JSON.parse(last));
  } catch {
    parsed = undefined;
  }
  const noLine = (): TelegramError => {
    const start = JSON.stringify(stdout.slice(0, 120).replace(/\/bot[^/\s]+/g, '/bot***'));
    return new TelegramError(
      'bad-response',
      'getMe',
      'in container',
      `no result line from the in-container getMe (stdout starts: ${start})`,
    );
  };
  if (parsed === undefined) throw noLine();
  if (parsed.ok) {
    if (parsed.status === null || parsed.username === undefined) throw noLine();
    return {
      ok: true,
      status: parsed.status,
      username: parsed.username,
      ...(parsed.id === undefined ? {} : { id: parsed.id }),
    };
  }
  const kind = parsed.error ?? (parsed.status === null ? 'network' : apiFailureKind(parsed.status));
  return { ok: false, kind, status: parsed.status, description: parsed.description ?? '' };
}
