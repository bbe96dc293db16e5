// Sample role: one directory, a config file and an env file rendered from templates. Used by tests and the early demo.
import { defineRole, sh, z } from 'rig';

export default defineRole({
  name: 'sample',
  description: 'A small app: a directory, a templated config file and an env file with a secret',
  vars: z.object({
    sample_dir: z.string().startsWith('/').describe('Where the app lives on the host'),
    sample_port: z.number().int().min(1).max(65535).describe('Port the app listens on'),
    sample_message: z.string().describe('Greeting written into the config'),
    sample_features: z.array(z.string()).default([]).describe('Feature flags'),
    sample_api_key: z.string().min(8).describe('Secret API key (keep it in the vault)'),
    sample_env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()])).default({}).describe('Extra environment'),
  }),
  tasks: ({ vars, template, copy, dir, command, handler }) => [
    dir(vars.sample_dir, { mode: 0o755 }),
    template('app.conf.hbs', `${vars.sample_dir}/app.conf`, { mode: 0o644, notify: ['restart app'] }),
    template('app.env.hbs', `${vars.sample_dir}/app.env`, {
      mode: 0o600,
      notify: ['restart app'],
      extra: { sample_app_env: { SAMPLE_API_KEY: vars.sample_api_key, SAMPLE_PORT: vars.sample_port, ...vars.sample_env } },
    }),
    copy('sample.bin', `${vars.sample_dir}/sample.bin`, { mode: 0o644 }),
    command('init data dir', sh('mkdir -p -m 0750 "$1"', `${vars.sample_dir}/data`), { creates: `${vars.sample_dir}/data` }),
    // The sample app has no process to restart: the handler records when it ran, which tests can observe.
    handler('restart app', sh('date +%s.%N > "$1"', `${vars.sample_dir}/.restarted`)),
  ],
});
