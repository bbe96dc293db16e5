// The completion verdict on every answer the LiteLLM stand-in gives (scripts/fakes/litellm-completion-answers.json,
// each with the source of its shape), by status AND body; a few more edge answers; the answer parser of the check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyCompletion, type CompletionKind } from '../../../src/litellm/completion.js';
import { REPO_ROOT } from '../../helpers/project.js';

interface Answer {
  readonly status: number;
  readonly kind: CompletionKind;
  readonly body: string;
  readonly source: string;
}
const ANSWERS = Object.entries(
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'scripts/fakes/litellm-completion-answers.json'), 'utf8')) as Record<
    string,
    Answer | string
  >,
).flatMap(([name, a]) => (typeof a === 'string' ? [] : [[name, a] as const]));

describe("classifyCompletion on the stand-in's answers (each cites where its shape comes from)", () => {
  it('covers every outcome, and every answer names a source', () => {
    expect(new Set(ANSWERS.map(([, a]) => a.kind))).toEqual(
      new Set(['ok', 'no-credit', 'bad-key', 'model-missing', 'rate-limited', 'provider-down', 'failed']),
    );
    for (const [, a] of ANSWERS)
      expect(a.source).toMatch(/^(verbatim|composed): .*(github\.com|docs\.litellm\.ai|openrouter\.ai|openai\.com)/);
  });

  it.each(ANSWERS)('%s', (_name, a) => {
    const v = classifyCompletion(a.status, a.body.replace(/MODEL_NAME/g, 'qwen3-coder'));
    expect(v.kind).toBe(a.kind);
    expect(v.status).toBe(a.status);
    expect(v.said.length).toBeLessThanOrEqual(300);
    if (a.kind !== 'ok') expect(v.hint).not.toBe('');
  });
});

describe('classifyCompletion: what the status alone would get wrong', () => {
  const body = (name: string) => ANSWERS.find(([n]) => n === name)?.[1].body.replace(/MODEL_NAME/g, 'm') ?? '';
  it.each<[string, number, string, CompletionKind, RegExp]>([
    [
      "OpenAI's exhausted quota is a 429 but not a rate limit",
      429,
      body('quota'),
      'no-credit',
      /top up the OpenAI account/,
    ],
    ["Anthropic's exhausted credit is a 400", 400, body('credit-400'), 'no-credit', /top up the Anthropic account/],
    ['an error body under HTTP 200 is not ok', 200, body('error-in-200'), 'failed', /LiteLLM's log/],
    [
      'the gateway refusing the master key vs the provider refusing its key',
      401,
      body('proxy-key'),
      'bad-key',
      /master key of litellm\.env/,
    ],
    ['', 401, body('bad-key'), 'bad-key', /OpenAI refused its API key: rotate/],
    [
      "no HTTP answer at all (the proxy down): provider-down with the client's error",
      0,
      'Connection refused',
      'provider-down',
      /status page/,
    ],
    ['a body that is not JSON, 500', 500, '<html>Internal Server Error</html>', 'provider-down', /status page/],
  ])('%s', (_t, status, text, kind, hint) => {
    const v = classifyCompletion(status, text);
    expect([v.kind, v.hint]).toEqual([kind, expect.stringMatching(hint)]);
  });

  it('ok says what the model answered; an error says its message', () => {
    expect(classifyCompletion(200, body('ok')).said).toBe('answered "OK"');
    expect(classifyCompletion(402, body('no-credit')).said).toMatch(
      /^litellm\.APIError: APIError: OpenrouterException - \{"error":\{"message":"Insufficient credits\./,
    );
  });
});
