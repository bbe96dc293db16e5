// LiteLLM config placement + health: the deployed config passes the role's placement rules (the same code), and the
// proxy answers /health/liveliness and /health/readiness from inside its network. Never /health: it calls every model.
import { checkLiteLLMConfig, defineSmoke, parseEnvFile, parseYaml, sh } from 'rig';

const PATHS = ['/health/liveliness', '/health/readiness'] as const;

// $1 container, $2 network, $3 probe (wget|python), $4 host, $5 port, $6… paths. One line per path: "ok|fail PATH
// TEXT".
const PROBE = `c=$1 net=$2 probe=$3 host=$4 port=$5; shift 5
img=$(docker inspect -f '{{.Image}}' "$c") || exit 3
if [ "$probe" = wget ]; then
  docker run --rm --network "$net" --entrypoint sh "$img" -c 'h=$1 p=$2; shift 2; for u in "$@"; do if o=$(timeout 5 wget -q -O- "http://$h:$p$u" 2>&1); then echo "ok $u $o"; else echo "fail $u $o"; fi; done' sh "$host" "$port" "$@"
else
  docker run --rm --network "$net" --entrypoint python3 "$img" -c 'import sys, urllib.request
h, p = sys.argv[1], sys.argv[2]
for u in sys.argv[3:]:
    try: print("ok", u, urllib.request.urlopen("http://%s:%s%s" % (h, p, u), timeout=5).read(300).decode(errors="replace").replace("\\n", " "))
    except Exception as e: print("fail", u, e)' "$host" "$port" "$@"
fi`;

export default defineSmoke({
  id: 'litellm-config',
  description:
    'the deployed LiteLLM config passes the placement rules, and /health/liveliness + /health/readiness answer inside the network',
  target: { roles: ['litellm'], services: ['litellm'] },
  deadlineSec: 60,
  blocking: true,
  async run(ctx) {
    const v = ctx.vars;
    const dir = `${String(v['project_dir'])}/configs/litellm`;
    const files = await ctx.exec(
      sh('cat "$1" && printf "\\n\\0" && cat "$2"', `${dir}/litellm_config.yaml`, `${dir}/litellm.env`),
    );
    if (files.code !== 0)
      return {
        status: 'fail',
        evidence: [
          `cannot read the deployed config in ${dir} (exit ${files.code})`,
          ...files.stderr.trim().split('\n').slice(-3),
        ],
      };
    const [configText = '', envText = ''] = files.stdout.split('\n\0');
    // the env file holds secrets: only its names are used
    const env = Object.fromEntries(parseEnvFile(envText));
    const config: unknown = parseYaml(configText);
    const findings = checkLiteLLMConfig(config, env, {
      backgroundHealthChecksOptIn: v['litellm_background_health_checks_opt_in'] === true,
      paidModels: (v['litellm_paid_models'] as string[] | undefined) ?? [],
    });
    const errors = findings
      .filter((f) => f.severity === 'error')
      .map((f) => `placement: ${f.path.join('.')}: ${f.message}`);
    const warnings = findings
      .filter((f) => f.severity === 'warning')
      .map((f) => `placement (warning): ${f.path.join('.')}: ${f.message}`);
    const svc = ctx.services.find((s) => s.name === 'litellm');
    const net = svc?.networks[0];
    if (net === undefined) return { status: 'fail', evidence: ['the litellm service has no network to probe it from'] };
    const probe = v['litellm_healthcheck_probe'] === 'wget' ? 'wget' : 'python';
    const r = await ctx.exec(
      sh(PROBE, ctx.container('litellm'), ctx.network(net), probe, 'litellm', String(v['litellm_port']), ...PATHS),
    );
    const lines = r.stdout
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    const bad = PATHS.filter((p) => !lines.some((l) => l.startsWith(`ok ${p} `) || l === `ok ${p}`));
    const health =
      bad.length === 0
        ? [`${PATHS.join(' and ')} answered from inside ${ctx.network(net)} (/health not called)`]
        : [
            `${bad.join(', ')} did not answer from inside ${ctx.network(net)} (exit ${r.code})`,
            ...lines,
            ...r.stderr.trim().split('\n').slice(-3),
          ];
    if (errors.length > 0 || bad.length > 0)
      return {
        status: 'fail',
        evidence: [...errors, ...(bad.length > 0 ? health : []), ...warnings, ...(bad.length === 0 ? health : [])],
      };
    return {
      status: warnings.length > 0 ? 'warn' : 'pass',
      evidence: [`${dir}/litellm_config.yaml passes the placement rules`, ...health, ...warnings],
    };
  },
});
