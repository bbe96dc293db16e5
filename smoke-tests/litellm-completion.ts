// LiteLLM completion, opt-in (docs/lessons.md §10.20: "No API key found" that was really a 402): one chat completion of
// at most 5 tokens per model through the proxy, from inside its container, classified by status AND body: ok, no
// credit, bad key, model missing, rate limited, provider down. Each run is billed (a fraction of a cent): it runs only
// when `rig smoke --only litellm-completion` names it, or as litellm_smoke_completion says (checklist / always).
import {
  classifyCompletion,
  completionRequestCmd,
  defineSmoke,
  parseCompletionAnswers,
  type CompletionKind,
  type SmokeContext,
} from 'rig';

const MAX_TOKENS = 5;
/** Outcomes that are ours to fix fail the check; transient ones outside the stack warn. */
const WARN: readonly CompletionKind[] = ['rate-limited', 'provider-down'];
const WORDS: Readonly<Record<CompletionKind, string>> = {
  ok: 'ok',
  'no-credit': 'no credit',
  'bad-key': 'bad key',
  'model-missing': 'model missing',
  'rate-limited': 'rate limited',
  'provider-down': 'provider down',
  failed: 'failed',
};

/** Why the check does not run here, or undefined when it does. */
function offBecause(ctx: SmokeContext): string | undefined {
  const set = ctx.vars['litellm_smoke_completion'];
  const mode = typeof set === 'string' ? set : 'off';
  if (ctx.named || mode === 'always' || (mode === 'checklist' && ctx.occasion === 'checklist')) return undefined;
  return `opt-in (one billed completion per model), not run: litellm_smoke_completion is ${mode}${mode === 'checklist' ? ', which runs it in rig checklist' : ''}; name it with rig smoke --only litellm-completion`;
}

function modelsOf(ctx: SmokeContext): string[] {
  const named = ctx.vars['litellm_smoke_completion_models'];
  if (Array.isArray(named)) return named.map(String);
  return ((ctx.vars['litellm_model_list'] ?? []) as { model_name: string }[]).map((m) => m.model_name);
}

export default defineSmoke({
  id: 'litellm-completion',
  description:
    'opt-in: a max_tokens 5 completion per model through LiteLLM answers; else why (no credit, bad key, model missing, rate limited, provider down)',
  target: { roles: ['litellm'], services: ['litellm'] },
  deadlineSec: 120,
  blocking: true,
  async run(ctx) {
    const off = offBecause(ctx);
    if (off !== undefined) return { status: 'skip', evidence: [off] };
    const key = (ctx.vars['litellm_general_settings'] as { master_key?: unknown } | undefined)?.master_key;
    const masterKey = typeof key === 'string' ? key : '';
    const keyVar = /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/.exec(masterKey)?.[1];
    if (keyVar === undefined)
      return {
        status: 'fail',
        evidence: [
          `general_settings.master_key is not os.environ/NAME (${masterKey || 'unset'}): the check has no key to ask with`,
        ],
      };
    const models = modelsOf(ctx);
    const tool = ctx.vars['litellm_healthcheck_probe'] === 'wget' ? 'sh' : 'python';
    const r = await ctx.exec(
      completionRequestCmd(ctx.container('litellm'), {
        port: Number(ctx.vars['litellm_port']),
        keyVar,
        maxTokens: MAX_TOKENS,
        models,
        tool,
      }),
    );
    if (r.code !== 0)
      return {
        status: 'fail',
        evidence: [
          `the request could not run in ${ctx.container('litellm')} (exit ${r.code})`,
          ...r.stderr.trim().split('\n').slice(-3),
        ],
      };
    const verdicts = parseCompletionAnswers(r.stdoutBytes).map((a) => ({
      model: a.model,
      ...classifyCompletion(a.status, a.body),
    }));
    const bad = verdicts.filter((v) => v.kind !== 'ok');
    const status = bad.some((v) => !WARN.includes(v.kind)) ? 'fail' : bad.length > 0 ? 'warn' : 'pass';
    const headline =
      bad.length === 0
        ? `${verdicts.length} model${verdicts.length === 1 ? '' : 's'} answered a ${MAX_TOKENS}-token completion: ${verdicts.map((v) => v.model).join(', ')}`
        : `${bad.map((v) => `${v.model}: ${WORDS[v.kind]} (HTTP ${v.status})`).join('; ')}`;
    const lines = verdicts.flatMap((v) => [
      `${v.model}: ${WORDS[v.kind]} (HTTP ${v.status}): ${v.said}`,
      ...(v.hint ? [`  ${v.hint}`] : []),
    ]);
    return { status, evidence: [headline, ...lines] };
  },
});
