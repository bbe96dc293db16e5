// The incumbent's §10 lessons (shared reference incumbent.md) as tables: a valid deploy repo shaped like inventory/local
// (test/fixtures/lessons), one edit per row that brings a lesson's broken config back and what `rig plan` (before any
// host is contacted) and `rig lint` say; then the lessons rig makes impossible, each with the construction that does it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../../src/cli/main.js';
import { stepLines } from '../../../src/cli/output/plan-output.js';
import { compose, composeConfigCheck, composeUp } from '../../../src/compose/compose-cmd.js';
import { display } from '../../../src/core/cmd/render.js';
import { type Severity } from '../../../src/core/diagnostic.js';
import type { CommandOp, FileOp } from '../../../src/core/op.js';
import { PHASES } from '../../../src/core/service.js';
import { judge } from '../../../src/apply/health-gate.js';
import { planHost } from '../../../src/plan/planner.js';
import type { ServiceStep } from '../../../src/core/plan-types.js';
import { resolveMerges } from '../../../src/plan/yaml-merge.js';
import type { PathState } from '../../../src/facts/file-state.js';
import { load, REPO_ROOT } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { APP, BASELINE, type Edit, LOCK, OLD_SECRETS, PASSWORD, type Planned, SECRETS, SECRETS_FILE, SOCKET_GID, VERSIONS, VPN, baseline, deployed, fileAt, lint, lockDigest, opsOf, plan, repo, serviceOf, servicePlan, vaultFile } from './lessons-repo.js';


describe('the baseline (inventory/local\'s shape: five roles, vault secrets, pinned digests)', () => {
  it('loads, renders and plans with nothing said, and passes rig lint', async () => {
    const [planned, linted] = await baseline();
    expect(planned.said).toEqual([]);
    expect([...planned.hosts.keys()]).toEqual(['app', 'vpn']);
    expect(planned.hosts.get('app')?.desired.services.map((s) => s.container)).toEqual(['rigdemo_postgresql', 'rigdemo_db_init', 'rigdemo_redis', 'rigdemo_caddy', 'rigdemo_litellm', 'rigdemo_openclaw']);
    expect(planned.hosts.get('vpn')?.desired.services.map((s) => s.container)).toEqual(['rigvpn_headscale']);
    expect(linted).toEqual({ code: 0, lines: ['lint: 7 image references in files checked; 0 problems'] });
  });
});

/** The line that reports a role's own finding (not a variable's): its file:line:col, found in the role's source. */
function callSite(file: string, marker: string): string {
  const lines = readFileSync(path.join(REPO_ROOT, file), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  return `${file}:${line + 1}:${(lines[line] ?? '').indexOf('report(') + 1}`;
}

/** Who says it: `rig plan` (before any host), `rig lint`, or both. */
type By = 'plan' | 'lint' | 'plan+lint';
const LITELLM_SECRET_AT = callSite('roles/litellm/role.ts', 'would hold a secret but is world-readable');
const PIN = 'pin an exact version (and run make pin)';

describe('lint and plan refuse the broken configs of docs/lessons.md §10', () => {
  it.each<[string, Edit, Severity, By, string]>([
    ['1 MissingEnvVarError: os.environ/OPENROUTER_API_KEY not in litellm.env', [APP, ['  OPENROUTER_API_KEY: "{{ vault_openrouter_api_key }}"\n', '']], 'error', 'plan+lint', `${APP}:22:16: litellm_model_list.0.litellm_params.api_key: refers to OPENROUTER_API_KEY, which litellm_env (litellm.env) does not define`],
    ['1 MissingEnvVarError (§11.17): ${TELEGRAM_BOT_TOKEN} not in openclaw.env', [APP, ['  TELEGRAM_BOT_TOKEN: "{{ vault_telegram_bot_token }}"\n', '']], 'error', 'plan+lint', `${APP}:47:3: openclaw_env: \${TELEGRAM_BOT_TOKEN} is not defined in the env file`],
    ['3 health_check_interval in router_settings (v1.81.3 crash loop)', [APP, ['litellm_general_settings:', 'litellm_router_settings:\n  routing_strategy: usage-based-routing-v2\n  health_check_interval: 0\nlitellm_general_settings:']], 'error', 'plan+lint', `${APP}:26:26: litellm_router_settings.health_check_interval: not a router_settings parameter: LiteLLM v1.81.3 refuses to start with it`],
    ['3 health_check_interval: 0 in general_settings (continuous checks)', [APP, ['  background_health_checks: false\n', '  background_health_checks: false\n  health_check_interval: 0\n']], 'error', 'plan+lint', `${APP}:28:26: litellm_general_settings.health_check_interval: 0 means "check continuously" (about 2500 calls per model a day)`],
    ['3 background health checks on without the opt-in', [APP, ['background_health_checks: false', 'background_health_checks: true']], 'error', 'plan+lint', `${APP}:27:29: litellm_general_settings.background_health_checks: background health checks call every model of model_list`],
    ['3 background health checks on with the opt-in: the daily cost', [APP, ['background_health_checks: false', 'background_health_checks: true'], ['litellm_env:', 'litellm_background_health_checks_opt_in: true\nlitellm_env:']], 'warning', 'plan', `${APP}:27:29: warning: litellm_general_settings.background_health_checks: background health checks are on (litellm_background_health_checks_opt_in: true): 1 models × 288 checks a day (every 300 s, LiteLLM's default) ≈ 288 billed model calls a day`],
    ['3 the container healthcheck on /health (calls every model)', [APP, ['litellm_env:', 'litellm_healthcheck_path: /health\nlitellm_env:']], 'error', 'plan+lint', `${APP}:28:27: litellm_healthcheck_path: the healthcheck probes /health, which calls every model of model_list`],
    ['4 telegram channel without plugins.entries.telegram', [APP, ['openclaw_plugins:\n  telegram: { enabled: true }\n', '']], 'error', 'plan+lint', `${APP}:40:12: openclaw_telegram.enabled: channels.telegram is enabled but plugins.entries.telegram.enabled is not set`],
    ['4 telegram plugin entry with enabled: false', [APP, ['telegram: { enabled: true }', 'telegram: { enabled: false }']], 'error', 'plan+lint', `${APP}:45:24: openclaw_plugins.telegram.enabled: channels.telegram is enabled but plugins.entries.telegram.enabled is false`],
    ['5 workspace outside the state dir', [APP, ['openclaw_env:', 'openclaw_workspace: /srv/workspace\nopenclaw_env:']], 'error', 'plan+lint', `${APP}:46:21: openclaw_workspace: "/srv/workspace" is outside OPENCLAW_STATE_DIR "/opt/rigdemo/data/openclaw"`],
    ['5 state dir moved, workspace left behind', [APP, ['openclaw_env:', 'openclaw_state_dir: /srv/openclaw\nopenclaw_workspace: /opt/rigdemo/data/openclaw/workspace\nopenclaw_env:']], 'error', 'plan+lint', `${APP}:47:21: openclaw_workspace: "/opt/rigdemo/data/openclaw/workspace" is outside OPENCLAW_STATE_DIR "/srv/openclaw"`],
    ['7 headscale extra_records with an empty ip', [VPN, ['{ name: claw.rigdemo.localhost, ip: 100.64.0.1 }', '{ name: claw.rigdemo.localhost, ip: "" }']], 'error', 'plan+lint', `${VPN}:11:41: headscale_extra_records.1.ip: is empty: Headscale would get a record for claw.rigdemo.localhost without an address`],
    ['7 headscale override_local_dns: false', [VPN, ['headscale_publish:', 'headscale_settings:\n  dns.override_local_dns: false\nheadscale_publish:']], 'error', 'plan+lint', `${VPN}:8:27: headscale_settings.dns.override_local_dns: not settable here: the role always sets it to true`],
    ['7 caddy VPN ACL without the Docker frontend CIDR', [APP, ['caddy_vhosts:', 'caddy_docker_frontend_cidr: ""\ncaddy_vhosts:']], 'error', 'plan+lint', `${APP}:14:1: caddy_docker_frontend_cidr: empty, but llm.rigdemo.localhost, claw.rigdemo.localhost are vpn_only: HTTP/3 through Docker's NAT arrives from the frontend network and would get 403`],
    ['7 caddy VPN ACL without the VPN CIDR', [APP, ['caddy_vhosts:', 'caddy_vpn_cidr: ""\ncaddy_vhosts:']], 'error', 'plan+lint', `${APP}:14:1: caddy_vpn_cidr: empty, but llm.rigdemo.localhost, claw.rigdemo.localhost are vpn_only: no VPN client would get in`],
    ['7 a vpn_only Caddy site without a Headscale DNS record (two hosts, two files)', [VPN, ['  - { name: claw.rigdemo.localhost, ip: 100.64.0.1 }\n', '']], 'error', 'plan+lint', `${APP}:16:13: caddy_vhosts.1.host: claw.rigdemo.localhost is vpn_only but no Headscale DNS record resolves it: VPN clients would resolve its public address and get 403 (docs/lessons.md §10.7); add { name: claw.rigdemo.localhost, ip: <the tailnet IPv4 of app> } to headscale_extra_records (${VPN}:9:1, host vpn)`],
    ['7 caddy_vpn_cidr narrower than Headscale\'s tailnet', [APP, ['caddy_vhosts:', 'caddy_vpn_cidr: 100.64.0.0/16\ncaddy_vhosts:']], 'error', 'plan+lint', `${APP}:14:1: caddy_vpn_cidr: 100.64.0.0/16 does not cover the tailnet 100.64.0.0/10 of Headscale's default prefixes.v4 (host vpn: its headscale_settings sets none): VPN clients with addresses outside it get 403 from every vpn_only site (docs/lessons.md §10.7)`],
    ['7 a tailnet set in headscale_settings that Caddy\'s range does not cover', [VPN, ['headscale_publish:', 'headscale_settings: { prefixes.v4: 100.0.0.0/9 }\nheadscale_publish:']], 'error', 'plan+lint', `roles/caddy/defaults.yml:5:1: caddy_vpn_cidr: 100.64.0.0/10 does not cover the tailnet 100.0.0.0/9 of headscale_settings prefixes.v4 (${VPN}:7:36, host vpn)`],
    ['13 a WebSocket upstream (a service flagged websocket, here OpenClaw) without http1_only', [APP, [', vpn_only: true, http1_only: true }', ', vpn_only: true }']], 'error', 'plan+lint', `${APP}:16:47: caddy_vhosts.1.upstream: "openclaw:18789" is service openclaw (role openclaw), which serves WebSocket connections: set http1_only: true, over HTTP/2 Caddy drops the Upgrade header and its clients stay offline (docs/lessons.md §10.13)`],
    ['8 an image bumped in versions.yml but not pinned', [VERSIONS, ['openclaw:2026.9.6', 'openclaw:2026.9.7']], 'error', 'plan', `${VERSIONS}:7:1: image ghcr.io/openclaw/openclaw:2026.9.7 (service openclaw) is not in ${LOCK}: environment test deploys pinned digests only; run make pin ENV=test`],
    ['9 floating tag :latest', [VERSIONS, ['openclaw:2026.9.6', 'openclaw:latest']], 'error', 'lint', `${VERSIONS}:7:17: floating image tag "ghcr.io/openclaw/openclaw:latest": channel "latest": the image behind it moves; ${PIN}`],
    ['9 floating tag -stable (LiteLLM re-points it)', [VERSIONS, ['litellm:v1.83.3', 'litellm:v1.83.3-stable']], 'error', 'lint', `${VERSIONS}:5:16: floating image tag "ghcr.io/berriai/litellm:v1.83.3-stable": -stable suffix: the image behind it moves; ${PIN}`],
    ['9 no tag at all (means :latest)', [VERSIONS, ['caddy:2.8.4-alpine', 'caddy']], 'error', 'lint', `${VERSIONS}:4:14: floating image tag "caddy": no tag (means :latest); ${PIN}`],
    ['9 floating major', [VERSIONS, ['redis:7.4.1-bookworm', 'redis:7-bookworm']], 'error', 'lint', `${VERSIONS}:3:27: floating image tag "redis:7-bookworm": floating major: 7 moves with every 7.x.y; ${PIN}`],
    ['9 floating tag of an image that is no service (the sandbox)', [APP, ['rigdemo-sandbox:2026.9.6', 'rigdemo-sandbox:latest']], 'error', 'lint', `${APP}:37:20: floating image tag "rigdemo-sandbox:latest": channel "latest": the image behind it moves; ${PIN}`],
    ['12 a status code where a directive goes ("unrecognized directive: 200")', [APP, ['vpn_only: true }', 'vpn_only: true, directives: [{ name: "200" }] }']], 'error', 'plan+lint', `${APP}:15:99: caddy_vhosts.0.directives.0.name: a Caddyfile directive name`],
    ['12 a heredoc in a directive (REX-35: its status belongs on the marker line)', [APP, ['vpn_only: true }', 'vpn_only: true, directives: [{ name: respond, args: ["<<HTML\\n<p>up</p>\\nHTML", "200"] }] }']], 'error', 'plan+lint', `${APP}:15:115: caddy_vhosts.0.directives.0.args.0: no double quote or line break`],
    ['14 telegram retry (2026.9.6 rejects it)', [APP, ['  dmPolicy: allowlist\n', '  dmPolicy: allowlist\n  retry: { attempts: 5, minDelayMs: 1000, maxDelayMs: 10000, jitter: 0.3 }\n']], 'error', 'plan+lint', `${APP}:43:10: unknown key "retry"`],
    ['14 channels.telegram.direct', [APP, ['  dmPolicy: allowlist\n', '  dmPolicy: allowlist\n  direct: true\n']], 'error', 'plan+lint', `${APP}:43:11: unknown key "direct"`],
    ['14 workspaceAccess outside none|ro|rw', [APP, ['workspaceAccess: rw', 'workspaceAccess: write']], 'error', 'plan+lint', `${APP}:36:20: openclaw_sandbox.workspaceAccess: Invalid option: expected one of "none"|"ro"|"rw"`],
    ['14 agents.defaults.model beyond {primary}', [APP, ['openclaw_env:', 'openclaw_model_primary: { primary: anthropic/claude-sonnet-4-5, fallbacks: [openai/gpt-4o-mini] }\nopenclaw_env:']], 'error', 'plan+lint', `${APP}:46:25: openclaw_model_primary: expected string, got a mapping`],
    ['14 model fallbacks as a variable of their own', [APP, ['openclaw_env:', 'openclaw_model_fallbacks: [openai/gpt-4o-mini]\nopenclaw_env:']], 'error', 'plan+lint', `${APP}:46:1: unknown variable "openclaw_model_fallbacks" for role openclaw (did you mean "openclaw_model_primary"?)`],
    ['14 a root heartbeat', [APP, ['openclaw_env:', 'openclaw_heartbeat: { every: 0m }\nopenclaw_env:']], 'error', 'plan+lint', `${APP}:46:1: unknown variable "openclaw_heartbeat" for role openclaw`],
    ['19 an extra_records ip from a variable that was never gathered (empty)', [VPN, ['{ name: claw.rigdemo.localhost, ip: 100.64.0.1 }', '{ name: claw.rigdemo.localhost, ip: "{{ claw_tailnet_ip }}" }'], ['project_name: rigvpn\n', 'project_name: rigvpn\nclaw_tailnet_ip: ""\n']], 'error', 'plan+lint', `${VPN}:12:41: headscale_extra_records.1.ip: is empty: Headscale would get a record for claw.rigdemo.localhost`],
    ['21 a provider key written into the world-readable LiteLLM config', [APP, ['api_key: os.environ/OPENROUTER_API_KEY', 'api_key: "{{ vault_openrouter_api_key }}"']], 'error', 'plan+lint', `${APP}:22:16: litellm_model_list.0.litellm_params.api_key: must be "os.environ/NAME": the config file is world-readable (0644)`],
    ['21 a vault secret anywhere else in the LiteLLM config', [APP, ['      max_tokens: 8192\n', '      max_tokens: 8192\n      api_base: "https://llm.example/{{ vault_openrouter_api_key }}"\n']], 'error', 'plan+lint', `${LITELLM_SECRET_AT}: litellm_config.yaml would hold a secret but is world-readable (0644)`],
  ])('%s', async (_lesson, edit, severity, by, expected) => {
    const [fixed, fixedLint] = await baseline();
    expect(fixed.said).toEqual([]);
    expect(fixedLint.code).toBe(0);
    const root = repo(edit);
    const [planned, linted] = await Promise.all([by === 'lint' ? undefined : plan(root), by === 'plan' ? undefined : lint(root)]);
    const said = planned?.said.map((s) => s.text) ?? [];
    if (planned) expect(planned.said.filter((s) => s.text.startsWith(expected)).map((s) => s.severity), said.join('\n')).toEqual([severity]);
    if (linted) expect([linted.lines.filter((l) => l.startsWith(expected)).length, linted.code], linted.lines.join('\n')).toEqual([1, 1]);
    for (const secret of Object.values(SECRETS)) expect([...said, ...(linted?.lines ?? [])].join('\n')).not.toContain(secret);
  });
});

describe('a pair of hosts is checked whatever the run narrows to', () => {
  it('rig plan --limit app still sees the VPN host\'s records: a missing one stops the run before any host is contacted', async () => {
    const root = repo([VPN, ['  - { name: claw.rigdemo.localhost, ip: 100.64.0.1 }\n', '']]);
    const io = testIo({ cwd: root });
    const code = await main(['plan', '--env', 'test', '--limit', 'app'], io);
    expect(code).toBe(1);
    expect(io.errText()).toContain(`${APP}:16:13: caddy_vhosts.1.host: claw.rigdemo.localhost is vpn_only but no Headscale DNS record resolves it`);
    expect(io.outText()).not.toContain('app:');
  });
});

/** A role of the deploy repo whose service reads files it manages: lessons 2 and 16 live in a role's own definition. */
const MOUNTED_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'mounted',
  description: 'a service reading a file its role manages (lessons 2 and 16)',
  vars: z.object({ mounted_single_file: z.boolean(), mounted_owner: z.string(), mounted_mode: z.number() }),
  tasks: ({ vars, dir, content, service }) => [
    dir('/opt/rigdemo/configs/mounted', { mode: 0o755 }),
    content('/opt/rigdemo/configs/mounted/app.conf', 'x = 1\\n', { mode: vars.mounted_mode, owner: vars.mounted_owner, group: '0' }),
    service('mounted', {
      image: 'caddy:2.8.4-alpine',
      user: '1000:1000',
      mounts: [vars.mounted_single_file
        ? { type: 'bind', source: '/opt/rigdemo/configs/mounted/app.conf', target: '/etc/app/app.conf', readOnly: true }
        : { type: 'bind', source: '/opt/rigdemo/configs/mounted', target: '/etc/app', readOnly: true }],
    }, { reload: { paths: ['/opt/rigdemo/configs/mounted'], command: ['kill', '-HUP', '1'] } }),
  ],
});
`;
const MOUNTED_VARS = 'inventory/test/host_vars/app.yml';
const MOUNTED_AT = `roles/mounted/role.ts:${MOUNTED_ROLE.split('\n').findIndex((l) => l.includes("service('mounted'")) + 1}:5`;
const withMounted = (vars: string): Record<string, string> => ({
  'roles/mounted/role.ts': MOUNTED_ROLE,
  'playbooks/site.yml': `${BASELINE['playbooks/site.yml'] ?? ''}- name: a service reading its own files\n  hosts: [app_servers]\n  roles: [mounted]\n`,
  [MOUNTED_VARS]: vars,
});

describe('lint and plan refuse the lessons a role can write into its own definition', () => {
  const FIXED = 'mounted_single_file: false\nmounted_owner: "1000"\nmounted_mode: 0o600\n';
  it.each<[string, string, string]>([
    ['2 a reload over a single-file bind mount (the container keeps the replaced file\'s inode)', 'mounted_single_file: true', `${MOUNTED_AT}: service mounted: reloads in place when /opt/rigdemo/configs/mounted/app.conf changes, but it is bind-mounted as a single file (at /etc/app/app.conf): rig replaces the file (a new inode, renamed over it) and the container keeps the old one, so \`kill -HUP 1\` would read the old content (docs/lessons.md §10.2); mount its directory /opt/rigdemo/configs/mounted instead`],
    ['16 a managed file the container\'s user cannot read (mode and owner vs the service\'s user)', 'mounted_owner: "0"', `${MOUNTED_AT}: service mounted: runs as 1000:1000, which cannot read /opt/rigdemo/configs/mounted/app.conf (mounted at /etc/app/app.conf): it is 0600 owned by 0:0 (docs/lessons.md §10.16: PermissionError at start); make the service's user own it or give its group or others read access`],
  ])('%s', async (_lesson, broken, expected) => {
    const fixed = repo(undefined, withMounted(FIXED));
    const [ok, okLint] = await Promise.all([plan(fixed), lint(fixed)]);
    expect([ok.said, okLint.code]).toEqual([[], 0]);
    const key = broken.split(':')[0] ?? '';
    const root = repo(undefined, withMounted(FIXED.split('\n').map((l) => (l.startsWith(`${key}:`) ? broken : l)).join('\n')));
    const [planned, linted] = await Promise.all([plan(root), lint(root)]);
    expect(planned.said.map((d) => `${d.severity} ${d.text}`)).toEqual([`error ${expected} [host app]`]);
    expect([linted.lines.filter((l) => l.startsWith(expected)).length, linted.code]).toEqual([1, 1]);
  });
});

/** The host's files as a previous deploy left them (`p`'s files), as the fact query and the content fetch report them. */
function hostFiles(p: Planned, host: string): { facts: Map<string, PathState>; before: Map<string, Buffer> } {
  const files = [...opsOf(p, host), ...(p.hosts.get(host)?.desired.files ?? [])].filter((o): o is FileOp => o.kind === 'file');
  const facts = new Map(files.map((f): [string, PathState] => {
    const b = Buffer.from(f.content);
    const [owner, group] = [f.owner ?? '0', f.group ?? '0'];
    return [f.path, { kind: 'file', sha256: createHash('sha256').update(b).digest('hex'), size: b.length, mode: f.mode ?? 0o644, uid: Number(owner), gid: Number(group), owner, group }];
  }));
  return { facts, before: new Map(files.map((f) => [f.path, Buffer.from(f.content)])) };
}

describe('lessons rig makes impossible by construction', () => {
  const APPS_COMPOSE = '/opt/rigdemo/compose.apps.yml';
  it.each<[string, () => Promise<void> | void]>([
    ['1 a changed env file recreates its service (compose up --force-recreate), and only it: its env:<path> input', async () => {
      expect((await servicePlan(undefined)).lines).toEqual([]);
      const edit: Edit = [APP, ['@postgresql:5432/litellm', '@postgresql:5433/litellm']];
      expect((await servicePlan(edit)).lines).toEqual([expect.stringMatching(/^app: recreate litellm: env litellm\.env changed/)]);
    }],
    ['2 a changed bind-mounted config recreates its service (a single-file mount would pin the old inode)', async () => {
      expect((await servicePlan([APP, ['max_tokens: 8192', 'max_tokens: 4096']])).lines).toEqual(['app: recreate litellm: litellm_config.yaml changed']);
      expect((await servicePlan([APP, ['allowFrom: [100200300]', 'allowFrom: [100200301]']])).lines).toEqual(['app: recreate openclaw: openclaw.json changed']);
    }],
    ['5 the state dir is mounted at the identical path (sandboxes resolve it on the host)', async () => {
      const [p] = await baseline();
      expect(serviceOf(opsOf(p, 'app'), 'openclaw')?.spec.mounts[0]).toEqual({ type: 'bind', source: '/opt/rigdemo/data/openclaw', target: '/opt/rigdemo/data/openclaw', readOnly: false });
    }],
    ['6 the socket group comes from the host; the sandbox image is checked against the pinned OpenClaw image', async () => {
      const [p] = await baseline();
      const apps = parse(String(p.hosts.get('app')?.desired.files.find((f) => f.path === APPS_COMPOSE)?.content)) as { services: Record<string, { group_add?: number[] }> };
      expect(apps.services['openclaw']?.group_add).toEqual([SOCKET_GID]);
      expect((await plan(repo(), { socketGid: undefined })).said.map((s) => s.text)).toEqual([expect.stringMatching(/: service openclaw: groupAdd asks for the docker socket's group, but the host has no \/var\/run\/docker\.sock \[host app\]$/)]);
      const sandbox = opsOf(p, 'app').find((o): o is CommandOp => o.kind === 'command');
      const pinned = `ghcr.io/openclaw/openclaw:2026.9.6@${lockDigest('ghcr.io/openclaw/openclaw:2026.9.6')}`;
      expect(display(sandbox!.cmd)).toContain(` sh ${pinned} rigdemo-sandbox:2026.9.6 image /opt/rigdemo/configs/openclaw/sandbox`);
      expect('unless' in sandbox!.when && display(sandbox!.when.unless)).toContain(`sh ${pinned} rigdemo-sandbox:2026.9.6 image`);
    }],
    ['7 headscale gets override_local_dns: true and a record per gated vhost, whatever the host file said', async () => {
      const [p] = await baseline();
      const merged = resolveMerges(p.hosts.get('vpn')?.roleOps ?? [], new Map([['/opt/rigvpn/configs/headscale/config.yaml', Buffer.from('dns:\n  override_local_dns: false # the default\n')]]), 'vpn');
      const config = parse(String(fileAt(merged.roleOps.flatMap((r) => [...r.ops]), '/opt/rigvpn/configs/headscale/config.yaml')?.content)) as { dns: unknown };
      expect(config.dns).toMatchObject({ override_local_dns: true, extra_records: [{ name: 'llm.rigdemo.localhost', type: 'A', value: '100.64.0.1' }, { name: 'claw.rigdemo.localhost', type: 'A', value: '100.64.0.1' }] });
    }],
    ['8 on a host without the images, every image is pulled (pre-check) before any service changes', async () => {
      const [p] = await baseline();
      const steps = (await servicePlan(undefined, { fresh: true })).steps.get('app') ?? [];
      const pulled = steps.flatMap((s) => (s.kind === 'pull' ? [s.image] : []));
      const images = new Set(steps.flatMap((s) => (s.kind === 'service' ? [(p.hosts.get('app')?.desired.services.find((d) => d.op.name === s.service))?.op.spec.image] : [])));
      expect(pulled.sort()).toEqual([...images].sort());
      expect(pulled).toContain(`caddy:2.8.4-alpine@${lockDigest('caddy:2.8.4-alpine')}`);
      expect(steps.findIndex((s) => s.kind === 'service')).toBeGreaterThan(steps.findLastIndex((s) => s.kind === 'pull'));
    }],
    ['10 no compose command rig builds passes --remove-orphans; each ignores the other phase\'s containers', () => {
      const t = { flavor: 'v2', cli: 'plugin', project: 'rigdemo', projectDir: '/opt/rigdemo', file: APPS_COMPOSE } as const;
      for (const cmd of [compose(t, 'ps'), composeUp(t, ['litellm'], { forceRecreate: true }), composeUp(t, ['litellm'], { forceRecreate: false }), composeConfigCheck(t)]) {
        expect(cmd.argv).not.toContain('--remove-orphans');
        expect(cmd.env).toEqual({ COMPOSE_IGNORE_ORPHANS: '1' });
      }
    }],
    ['11 a one-shot init service is healthy when it exited 0, failed when it exited otherwise', async () => {
      const steps = (await servicePlan(undefined, { fresh: true })).steps.get('app') ?? [];
      const init = steps.find((s): s is ServiceStep => s.kind === 'service' && s.service === 'db-init');
      expect(init?.gate.oneShot).toBe(true);
      const c = deployed('rigdemo', (await baseline())[0].hosts.get('app')!.desired.services.find((s) => s.op.name === 'db-init')!);
      expect(judge(init!, c, c, 3)).toEqual({ done: true, ok: true, detail: 'exited 0' });
      expect(judge(init!, { ...c, exitCode: 1 }, c, 3)).toEqual({ done: true, ok: false, detail: 'exited 1' });
    }],
    ['12 the rendered Caddyfile is validated by caddy validate (same image) before it replaces the live one', async () => {
      const caddyfile = fileAt(opsOf((await baseline())[0], 'app'), '/opt/rigdemo/configs/caddy/Caddyfile');
      const cmd = display(caddyfile!.validate!('/opt/rigdemo/configs/caddy/.Caddyfile.rig-tmp'));
      expect(cmd).toMatch(/^docker run --rm --network none -v \/opt\/rigdemo\/configs\/caddy\/\.Caddyfile\.rig-tmp:\/etc\/caddy\/Caddyfile:ro caddy:2\.8\.4-alpine\S* caddy validate --config \/etc\/caddy\/Caddyfile --adapter caddyfile$/);
    }],
    ['13 http1_only renders HTTP/1.1 to the OpenClaw upstream (HTTP/2 drops the WebSocket Upgrade)', async () => {
      const text = String(fileAt(opsOf((await baseline())[0], 'app'), '/opt/rigdemo/configs/caddy/Caddyfile')?.content);
      expect(text).toContain('http://claw.rigdemo.localhost {\n\timport vpn_only\n\t# WebSocket upstream: HTTP/2 drops the Upgrade header, so HTTP/1.1 only (§10.13)\n\treverse_proxy openclaw:18789 {\n\t\ttransport http {\n\t\t\tversions 1.1\n');
    }],
    ['15 the gateway\'s healthcheck needs only node (every OpenClaw image has it; curl and wget are gone)', async () => {
      expect(serviceOf(opsOf((await baseline())[0], 'app'), 'openclaw')?.spec.healthcheck?.test[0]).toBe('node');
    }],
    ['16 the container user can read its config: LiteLLM\'s is 0644, OpenClaw\'s state is owned by the uid it runs as', async () => {
      for (const [edit, uid] of [[undefined, '1000'], [[APP, ['openclaw_mem_limit: 1536m', 'openclaw_mem_limit: 1536m\nopenclaw_uid: 1001']] as Edit, '1001']] as const) {
        const ops = opsOf(await plan(repo(edit)), 'app');
        expect(fileAt(ops, '/opt/rigdemo/configs/litellm/litellm_config.yaml')?.mode).toBe(0o644);
        expect(serviceOf(ops, 'openclaw')?.spec.user).toBe(`${uid}:1000`);
        const state = ops.filter((o) => (o.kind === 'file' || o.kind === 'dir') && o.path.startsWith('/opt/rigdemo/data/openclaw'));
        expect(state.map((o) => [o.kind, 'owner' in o && o.owner])).toEqual([['dir', uid], ['file', uid], ['dir', uid], ['file', uid]]);
      }
    }],
    ['17 every service is in exactly one compose file, its phase\'s, and its plan step carries that phase (apply runs `up` on that file)', async () => {
      const { desired } = (await baseline())[0].hosts.get('app')!;
      for (const s of desired.services) {
        const holding = desired.files.filter((f) => Object.keys((parse(String(f.content)) as { services: object }).services).includes(s.op.name));
        expect([s.op.name, holding.map((f) => f.path)]).toEqual([s.op.name, [`/opt/rigdemo/compose.${s.op.phase}.yml`]]);
      }
      const target = (await servicePlan(undefined, { fresh: true })).steps.get('app');
      expect(PHASES.map((ph) => target?.filter((s): s is ServiceStep => s.kind === 'service' && s.phase === ph).map((s) => s.service))).toEqual([['postgresql', 'redis', 'caddy'], ['db-init', 'litellm', 'openclaw']]);
    }],
    ['18 an image bump under --role openclaw re-renders the compose file and recreates OpenClaw only', async () => {
      const digest = lockDigest('ghcr.io/openclaw/openclaw:2026.9.6');
      const bumped = `sha256:${'2'.repeat(64)}`;
      const { lines } = await servicePlan([LOCK, [digest, bumped]], { roles: ['openclaw'] });
      expect(lines).toEqual([`app: recreate openclaw: image digest changed (${digest.slice(0, 19)} → ${bumped.slice(0, 19)})`]);
      const after = (await plan(repo([LOCK, [digest, bumped]]), { roles: ['openclaw'] })).hosts.get('app')?.desired.files.find((f) => f.path === APPS_COMPOSE);
      const before = (await baseline())[0].hosts.get('app')?.desired.files.find((f) => f.path === APPS_COMPOSE);
      const [was, now] = [before, after].map((f) => (parse(String(f?.content)) as { services: Record<string, { image: string }> }).services);
      expect(now?.['openclaw']?.image).toBe(`ghcr.io/openclaw/openclaw:2026.9.6@${bumped}`);
      expect([Object.keys(now ?? {}), now?.['litellm'], now?.['db-init']]).toEqual([['db-init', 'litellm', 'openclaw'], was?.['litellm'], was?.['db-init']]);
    }],
    ['21 a plan against hosts holding the previous secrets shows neither: env files by key, a Caddyfile with one masked', async () => {
      const edit: Edit = [APP, ['vpn_only: true }', 'vpn_only: true, directives: [{ name: header, args: [X-Upstream-Key, "{{ vault_openrouter_api_key }}"] }] }']];
      const [now, old] = await Promise.all([plan(repo(edit)), plan(repo(edit, { [SECRETS_FILE]: vaultFile(OLD_SECRETS) }))]);
      const roleOps = [...(now.hosts.get('app')?.roleOps ?? []), { role: 'compose', ops: now.hosts.get('app')?.desired.files ?? [], selected: true }];
      const steps = planHost({ host: 'app', roleOps, ...hostFiles(old, 'app'), guards: new Map(), redactor: now.project!.redactor }).steps;
      const text = steps.flatMap((s) => stepLines(s)).join('\n');
      expect(text).toContain('~ /opt/rigdemo/configs/litellm/litellm.env (mode 0600) sensitive: changed');
      expect(text).toContain(' keys ~DATABASE_URL ~LITELLM_MASTER_KEY ~OPENROUTER_API_KEY  [litellm] content changed');
      expect(text).toContain('~ /opt/rigdemo/configs/caddy/Caddyfile (mode 0640) sensitive: changed');
      for (const secret of [...Object.values(SECRETS), ...Object.values(OLD_SECRETS)]) expect(`${text}\n${JSON.stringify(steps)}`).not.toContain(secret);
    }],
    ['22 a per-run host override (the tailnet IP) replaces the inventory address', async () => {
      const project = await load(repo(), { vaultPassword: PASSWORD, extraVars: ['ansible_host=100.64.0.14'], limit: ['app'] });
      expect([...project.hosts.values()].map((h) => [h.name, h.connection.host])).toEqual([['app', '100.64.0.14']]);
    }],
  ])('%s', async (_lesson, check) => {
    await check();
  });
});
