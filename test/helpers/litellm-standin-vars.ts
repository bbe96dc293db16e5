// The litellm role's variables for the LiteLLM stand-in on the egress network: the block the OpenClaw-side suites
// share.

/** litellm_* variables running `image` (the stand-in, by tag or from a test registry), probed with busybox wget. */
export function litellmStandinVars(image = 'local/litellm-standin:2'): Record<string, unknown> {
  return {
    litellm_image: image,
    litellm_healthcheck_probe: 'wget',
    litellm_health_timeout: 30,
    litellm_networks: { egress: {} },
    litellm_model_list: [
      {
        model_name: 'm',
        litellm_params: { model: 'openrouter/x/y:free', api_key: 'os.environ/OPENROUTER_API_KEY', max_tokens: 100 },
      },
    ],
    litellm_env: { LITELLM_MASTER_KEY: 'sk-master-not-secret', OPENROUTER_API_KEY: 'sk-or-not-used' },
  };
}
