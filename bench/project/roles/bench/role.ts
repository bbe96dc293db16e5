// The benchmark workload, the same as the Ansible baseline (bench/ansible/site.yml): per host one directory,
// 20 small config templates, one env file and one command that never changes anything.
import { defineRole, sh, z } from 'rig';

/** t01 … t20: the baseline's template numbers, zero-padded as in its file names. */
const NUMBERS = Array.from({ length: 20 }, (_, i) => String(i + 1).padStart(2, '0'));

export default defineRole({
  name: 'bench',
  description:
    'Benchmark workload: 1 directory, 20 templates, 1 env file, 1 no-op command (the Ansible baseline, task for task)',
  vars: z.object({
    bench_base_dir: z.string().startsWith('/').describe("Where the files go on the host (the baseline's base_dir)"),
    bench_app_name: z.string().describe('app_name of the baseline'),
    bench_base_port: z
      .number()
      .int()
      .min(1)
      .max(65515)
      .describe('base_port of the baseline; template N uses base_port + N'),
    bench_extra_keys: z.array(z.string().regex(/^[a-z]+$/)).describe('extra_keys of the baseline'),
  }),
  tasks: ({ vars, template, dir, command }) => {
    // Jinja's `k | upper` and `base_port + N` have no Handlebars form: the role computes them, the templates print
    // them.
    const keys = vars.bench_extra_keys.map((k) => ({ key: k, upper: k.toUpperCase() }));
    const env = Object.fromEntries(vars.bench_extra_keys.map((k) => [k.toUpperCase(), `${k}-value`]));
    return [
      dir(`${vars.bench_base_dir}/conf`, { mode: 0o755 }),
      ...NUMBERS.map((n) =>
        template(`t${n}.conf.hbs`, `${vars.bench_base_dir}/conf/t${n}.conf`, {
          mode: 0o644,
          extra: { bench_port: vars.bench_base_port + Number(n), bench_keys: keys },
        }),
      ),
      template('app.env.hbs', `${vars.bench_base_dir}/app.env`, {
        mode: 0o600,
        extra: { bench_app_env: { APP_NAME: vars.bench_app_name, APP_PORT: vars.bench_base_port, ...env } },
      }),
      // The baseline's `command: true` with `changed_when: false`: rig runs the read-only check on every run and
      // the command only when the check fails, so it never counts as a change.
      command('noop', sh('true'), { unless: sh('true') }),
    ];
  },
});
