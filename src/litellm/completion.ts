// Pure: what one tiny chat completion through LiteLLM's proxy says about a model, by HTTP status AND body
// (docs/lessons.md §10.20: "No API key found" that was really a 402). Providers disagree on status codes: OpenRouter
// answers 402 for credit, OpenAI a 429 insufficient_quota, Anthropic a 400 "credit balance is too low"; LiteLLM relays
// their text inside its own envelope ({"error":{"message","type","param","code"}},
// docs.litellm.ai/docs/proxy/error_reference).

/** The outcomes, in the order they are decided (credit before rate limits: a quota 429 is not a rate limit). */
export const COMPLETION_KINDS = [
  'ok',
  'no-credit',
  'bad-key',
  'model-missing',
  'rate-limited',
  'provider-down',
  'failed',
] as const;
export type CompletionKind = (typeof COMPLETION_KINDS)[number];

export interface CompletionVerdict {
  readonly kind: CompletionKind;
  readonly status: number;
  /** The answer's own words: the completion's text when ok, else the error message (at most 300 characters). */
  readonly said: string;
  /** What to do about it, for people. */
  readonly hint: string;
}

const CREDIT =
  /insufficient[_ ]quota|insufficient credits|exceeded your current quota|credit balance is too low|requires more credits|budget[_ ]exceeded|budget has been exceeded|out of credits/i;
const MODEL =
  /invalid model name passed|model_not_found|does not exist or you do not have access|is not a valid model|invalid model\b|no such model|unknown model/i;
const DOWN =
  /serviceunavailable|overloaded|apiconnectionerror|no available model provider|is down|timed? ?out|no deployments available/i;
/** A provider's error as LiteLLM relays it (`OpenAIException - …`): absent, the gateway itself answered. */
const PROVIDER = /\b([A-Z][A-Za-z_]*)Exception\b/;

/** The error object of a LiteLLM (or OpenAI-shaped) answer, or undefined when the body has none. */
function errorOf(body: string): { message: string; type: string; code: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (parsed.error === undefined || parsed.error === null) return undefined;
    const e = (typeof parsed.error === 'object' ? parsed.error : { message: parsed.error }) as Record<string, unknown>;
    const text = (v: unknown): string =>
      typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
    return { message: text(e['message']), type: text(e['type']), code: text(e['code']) };
  } catch {
    return undefined;
  }
}

function completionText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] };
    if (!Array.isArray(parsed.choices) || parsed.choices.length === 0) return undefined;
    const content = parsed.choices[0]?.message?.content;
    return typeof content === 'string' ? content : '';
  } catch {
    return undefined;
  }
}

/** The verdict on one answer: `status` 0 when no HTTP answer came at all (`body` is then the client's error). */
export function classifyCompletion(status: number, body: string): CompletionVerdict {
  const error = errorOf(body);
  const text = completionText(body);
  if (status >= 200 && status < 300 && error === undefined && text !== undefined) {
    return { kind: 'ok', status, said: `answered ${JSON.stringify(text.slice(0, 40))}`, hint: '' };
  }
  const said =
    (error ? error.message || error.type : body).replace(/\s+/g, ' ').trim().slice(0, 300) || `HTTP ${status}, no body`;
  const all = `${error?.message ?? body} ${error?.type ?? ''} ${error?.code ?? ''}`;
  const provider = PROVIDER.exec(error?.message ?? body)?.[1];
  const kind = kindOf(status, all);
  return { kind, status, said, hint: hintOf(kind, provider) };
}

function kindOf(status: number, all: string): CompletionKind {
  if (status === 402 || CREDIT.test(all)) return 'no-credit';
  if (status === 401 || /invalid[_ ]api[_ ]key|incorrect api key|invalid proxy server token/i.test(all))
    return 'bad-key';
  if (status === 404 || MODEL.test(all)) return 'model-missing';
  if (status === 429 || /rate limit/i.test(all)) return DOWN.test(all) ? 'provider-down' : 'rate-limited';
  if (status === 0 || status === 408 || status >= 500 || DOWN.test(all)) return 'provider-down';
  return 'failed';
}

function hintOf(kind: CompletionKind, provider: string | undefined): string {
  const who = provider === undefined ? 'the provider' : provider;
  switch (kind) {
    case 'ok':
      return '';
    case 'no-credit':
      return `no credit left: top up the ${who} account (or raise the LiteLLM budget named in the message); the stack itself is fine`;
    case 'bad-key':
      return provider === undefined
        ? 'LiteLLM refused the key rig sent: the master key of litellm.env (general_settings.master_key) does not match the running proxy; redeploy, or check the env file'
        : `${who} refused its API key: rotate the provider key in the vault (the variable litellm_env passes to it) and redeploy`;
    case 'model-missing':
      return 'the model is not there: check the model_name in litellm_model_list and the provider model id in its litellm_params.model';
    case 'rate-limited':
      return 'rate limited: transient; retry later (a lasting one means a limit below the load)';
    case 'provider-down':
      return `${who} or the way to it is failing: see its status page; nothing to change in the stack`;
    case 'failed':
      return "an error of another kind: see the message and LiteLLM's log (docker logs of the litellm container)";
  }
}
