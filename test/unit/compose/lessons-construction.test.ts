// docs/lessons.md §10, the lessons rig makes impossible by construction: each row checks the construction that does it
// on the lessons' deploy repo (lessons-repo.ts), its plan, its compose files and its commands.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stepLines } from '../../../src/cli/output/plan-output.js';
import { compose, composeConfigCheck, composeUp } from '../../../src/compose/compose-cmd.js';
import { display } from '../../../src/core/cmd/render.js';
import type { CommandOp, FileOp } from '../../../src/core/desired/op.js';
import { PHASES } from '../../../src/core/desired/service.js';
import { judge } from '../../../src/apply/health-gate.js';
import { planHost } from '../../../src/plan/planner.js';
import type { ServiceStep } from '../../../src/core/plan-data/plan-types.js';
import { resolveMerges } from '../../../src/plan/yaml-merge.js';
import type { PathState } from '../../../src/facts/files/file-state.js';
import { load } from '../../helpers/project.js';
import {
  APP,
  baseline,
  deployed,
  type Edit,
  fileAt,
  LOCK,
  lockDigest,
  OLD_SECRETS,
  opsOf,
  PASSWORD,
  plan,
  type Planned,
  repo,
  SECRETS,
  SECRETS_FILE,
  serviceOf,
  servicePlan,
  SOCKET_GID,
  vaultFile,
} from './lessons-repo.js';

/**
 * The host's files as a previous deploy left them (`p`'s files), as the fact query and the content fetch report them.
 */
function hostFiles(p: Planned, host: string): { facts: Map<string, PathState>; before: Map<string, Buffer> } {
  const files = [...opsOf(p, host), ...(p.hosts.get(host)?.desired.files ?? [])].filter(
    (o): o is FileOp => o.kind === 'file',
  );
  const facts = new Map(
    files.map((f): [string, PathState] => {
      const b = Buffer.from(f.content);
      const [owner, group] = [f.owner ?? '0', f.group ?? '0'];
      return [
        f.path,
        {
          kind: 'file',
          sha256: createHash('sha256').update(b).digest('hex'),
          size: b.length,
          modifiedAt: 0,
          mode: f.mode ?? 0o644,
          uid: Number(owner),
          gid: Number(group),
          owner,
          group,
        },
      ];
    }),
  );
  return { facts, before: new Map(files.map((f) => [f.path, Buffer.from(f.content)])) };
}

describe('lessons rig makes impossible by construction', () => {
  const APPS_COMPOSE = '/opt/rigdemo/compose.apps.yml';
  it.each<[string, () => Promise<void> | void]>([
    [
      '1 a changed env file recreates its service (compose up --force-recreate), and only it: its env:<path> input',
      async () => {
        expect((await servicePlan(undefined)).lines).toEqual([]);
        const edit: Edit = [APP, ['@postgresql:5432/litellm', '@postgresql:5433/litellm']];
        expect((await servicePlan(edit)).lines).toEqual([
          expect.stringMatching(/^app: recreate litellm: env litellm\.env changed/),
        ]);
      },
    ],
    [
      '2 a changed bind-mounted config recreates its service (a single-file mount would pin the old inode)',
      async () => {
        expect((await servicePlan([APP, ['max_tokens: 8192', 'max_tokens: 4096']])).lines).toEqual([
          'app: recreate litellm: litellm_config.yaml changed',
        ]);
        expect((await servicePlan([APP, ['allowFrom: [100200300]', 'allowFrom: [100200301]']])).lines).toEqual([
          'app: recreate openclaw: openclaw.json changed',
        ]);
      },
    ],
    [
      '5 the state dir is mounted at the identical path (sandboxes resolve it on the host)',
      async () => {
        const [p] = await baseline();
        expect(serviceOf(opsOf(p, 'app'), 'openclaw')?.spec.mounts[0]).toEqual({
          type: 'bind',
          source: '/opt/rigdemo/data/openclaw',
          target: '/opt/rigdemo/data/openclaw',
          readOnly: false,
        });
      },
    ],
    [
      '6 the socket group comes from the host; the sandbox image is checked against the pinned OpenClaw image',
      async () => {
        const [p] = await baseline();
        const apps = parse(String(p.hosts.get('app')?.desired.files.find((f) => f.path === APPS_COMPOSE)?.content)) as {
          services: Record<string, { group_add?: number[] }>;
        };
        expect(apps.services['openclaw']?.group_add).toEqual([SOCKET_GID]);
        expect((await plan(repo(), { socketGid: undefined })).said.map((s) => s.text)).toEqual([
          expect.stringMatching(
            /: service openclaw: groupAdd asks for the docker socket's group, but the host has no \/var\/run\/docker\.sock \[host app\]$/,
          ),
        ]);
        const sandbox = opsOf(p, 'app').find((o): o is CommandOp => o.kind === 'command');
        const pinned = `ghcr.io/openclaw/openclaw:2026.9.6@${lockDigest('ghcr.io/openclaw/openclaw:2026.9.6')}`;
        expect(display(sandbox!.cmd)).toContain(
          ` sh ${pinned} rigdemo-sandbox:2026.9.6 image /opt/rigdemo/configs/openclaw/sandbox`,
        );
        expect('unless' in sandbox!.when && display(sandbox!.when.unless)).toContain(
          `sh ${pinned} rigdemo-sandbox:2026.9.6 image`,
        );
      },
    ],
    [
      '7 headscale gets override_local_dns: true and a record per gated vhost, whatever the host file said',
      async () => {
        const [p] = await baseline();
        const merged = resolveMerges(
          p.hosts.get('vpn')?.roleOps ?? [],
          new Map([
            [
              '/opt/rigvpn/configs/headscale/config.yaml',
              Buffer.from('dns:\n  override_local_dns: false # the default\n'),
            ],
          ]),
          'vpn',
        );
        const config = parse(
          String(
            fileAt(
              merged.roleOps.flatMap((r) => [...r.ops]),
              '/opt/rigvpn/configs/headscale/config.yaml',
            )?.content,
          ),
        ) as { dns: unknown };
        expect(config.dns).toMatchObject({
          override_local_dns: true,
          extra_records: [
            { name: 'llm.rigdemo.localhost', type: 'A', value: '100.64.0.1' },
            { name: 'claw.rigdemo.localhost', type: 'A', value: '100.64.0.1' },
          ],
        });
      },
    ],
    [
      '8 on a host without the images, every image is pulled (pre-check) before any service changes',
      async () => {
        const [p] = await baseline();
        const steps = (await servicePlan(undefined, { fresh: true })).steps.get('app') ?? [];
        const pulled = steps.flatMap((s) => (s.kind === 'pull' ? [s.image] : []));
        const images = new Set(
          steps.flatMap((s) =>
            s.kind === 'service'
              ? [p.hosts.get('app')?.desired.services.find((d) => d.op.name === s.service)?.op.spec.image]
              : [],
          ),
        );
        expect(pulled.sort()).toEqual([...images].sort());
        expect(pulled).toContain(`caddy:2.8.4-alpine@${lockDigest('caddy:2.8.4-alpine')}`);
        expect(steps.findIndex((s) => s.kind === 'service')).toBeGreaterThan(
          steps.findLastIndex((s) => s.kind === 'pull'),
        );
      },
    ],
    [
      "10 no compose command rig builds passes --remove-orphans; each ignores the other phase's containers",
      () => {
        const t = {
          flavor: 'v2',
          cli: 'plugin',
          project: 'rigdemo',
          projectDir: '/opt/rigdemo',
          file: APPS_COMPOSE,
        } as const;
        for (const cmd of [
          compose(t, 'ps'),
          composeUp(t, ['litellm'], { forceRecreate: true }),
          composeUp(t, ['litellm'], { forceRecreate: false }),
          composeConfigCheck(t),
        ]) {
          expect(cmd.argv).not.toContain('--remove-orphans');
          expect(cmd.env).toEqual({ COMPOSE_IGNORE_ORPHANS: '1' });
        }
      },
    ],
    [
      '11 a one-shot init service is healthy when it exited 0, failed when it exited otherwise',
      async () => {
        const steps = (await servicePlan(undefined, { fresh: true })).steps.get('app') ?? [];
        const init = steps.find((s): s is ServiceStep => s.kind === 'service' && s.service === 'db-init');
        expect(init?.gate.oneShot).toBe(true);
        const c = deployed(
          'rigdemo',
          (await baseline())[0].hosts.get('app')!.desired.services.find((s) => s.op.name === 'db-init')!,
        );
        expect(judge(init!, c, c, 3)).toEqual({ done: true, ok: true, detail: 'exited 0' });
        expect(judge(init!, { ...c, exitCode: 1 }, c, 3)).toEqual({ done: true, ok: false, detail: 'exited 1' });
      },
    ],
    [
      '12 the rendered Caddyfile is validated by caddy validate (same image) before it replaces the live one',
      async () => {
        const caddyfile = fileAt(opsOf((await baseline())[0], 'app'), '/opt/rigdemo/configs/caddy/Caddyfile');
        const cmd = display(caddyfile!.validate!('/opt/rigdemo/configs/caddy/.Caddyfile.rig-tmp'));
        expect(cmd).toMatch(
          /^docker run --rm --network none -v \/opt\/rigdemo\/configs\/caddy\/\.Caddyfile\.rig-tmp:\/etc\/caddy\/Caddyfile:ro caddy:2\.8\.4-alpine\S* caddy validate --config \/etc\/caddy\/Caddyfile --adapter caddyfile$/,
        );
      },
    ],
    [
      '13 http1_only renders HTTP/1.1 to the OpenClaw upstream (HTTP/2 drops the WebSocket Upgrade)',
      async () => {
        const text = String(
          fileAt(opsOf((await baseline())[0], 'app'), '/opt/rigdemo/configs/caddy/Caddyfile')?.content,
        );
        expect(text).toContain(
          'http://claw.rigdemo.localhost {\n\timport vpn_only\n\t# WebSocket upstream: HTTP/2 drops the Upgrade header, so HTTP/1.1 only (§10.13)\n\treverse_proxy openclaw:18789 {\n\t\ttransport http {\n\t\t\tversions 1.1\n',
        );
      },
    ],
    [
      "15 the gateway's healthcheck needs only node (every OpenClaw image has it; curl and wget are gone)",
      async () => {
        expect(serviceOf(opsOf((await baseline())[0], 'app'), 'openclaw')?.spec.healthcheck?.test[0]).toBe('node');
      },
    ],
    [
      "16 the container user can read its config: LiteLLM's is 0644, OpenClaw's state is owned by the uid it runs as",
      async () => {
        for (const [edit, uid] of [
          [undefined, '1000'],
          [[APP, ['openclaw_mem_limit: 1536m', 'openclaw_mem_limit: 1536m\nopenclaw_uid: 1001']] as Edit, '1001'],
        ] as const) {
          const ops = opsOf(await plan(repo(edit)), 'app');
          expect(fileAt(ops, '/opt/rigdemo/configs/litellm/litellm_config.yaml')?.mode).toBe(0o644);
          expect(serviceOf(ops, 'openclaw')?.spec.user).toBe(`${uid}:1000`);
          const state = ops.filter(
            (o) => (o.kind === 'file' || o.kind === 'dir') && o.path.startsWith('/opt/rigdemo/data/openclaw'),
          );
          expect(state.map((o) => [o.kind, 'owner' in o && o.owner])).toEqual([
            ['dir', uid],
            ['file', uid],
            ['dir', uid],
            ['file', uid],
          ]);
        }
      },
    ],
    [
      "17 every service is in exactly one compose file, its phase's, and its plan step carries that phase (apply runs `up` on that file)",
      async () => {
        const { desired } = (await baseline())[0].hosts.get('app')!;
        for (const s of desired.services) {
          const holding = desired.files.filter((f) =>
            Object.keys((parse(String(f.content)) as { services: object }).services).includes(s.op.name),
          );
          expect([s.op.name, holding.map((f) => f.path)]).toEqual([
            s.op.name,
            [`/opt/rigdemo/compose.${s.op.phase}.yml`],
          ]);
        }
        const target = (await servicePlan(undefined, { fresh: true })).steps.get('app');
        expect(
          PHASES.map((ph) =>
            target?.filter((s): s is ServiceStep => s.kind === 'service' && s.phase === ph).map((s) => s.service),
          ),
        ).toEqual([
          ['postgresql', 'redis', 'caddy'],
          ['db-init', 'litellm', 'openclaw'],
        ]);
      },
    ],
    [
      '18 an image bump under --role openclaw re-renders the compose file and recreates OpenClaw only',
      async () => {
        const digest = lockDigest('ghcr.io/openclaw/openclaw:2026.9.6');
        const bumped = `sha256:${'2'.repeat(64)}`;
        const { lines } = await servicePlan([LOCK, [digest, bumped]], { roles: ['openclaw'] });
        expect(lines).toEqual([
          `app: recreate openclaw: image digest changed (${digest.slice(0, 19)} → ${bumped.slice(0, 19)})`,
        ]);
        const after = (await plan(repo([LOCK, [digest, bumped]]), { roles: ['openclaw'] })).hosts
          .get('app')
          ?.desired.files.find((f) => f.path === APPS_COMPOSE);
        const before = (await baseline())[0].hosts.get('app')?.desired.files.find((f) => f.path === APPS_COMPOSE);
        const [was, now] = [before, after].map(
          (f) => (parse(String(f?.content)) as { services: Record<string, { image: string }> }).services,
        );
        expect(now?.['openclaw']?.image).toBe(`ghcr.io/openclaw/openclaw:2026.9.6@${bumped}`);
        expect([Object.keys(now ?? {}), now?.['litellm'], now?.['db-init']]).toEqual([
          ['db-init', 'litellm', 'openclaw'],
          was?.['litellm'],
          was?.['db-init'],
        ]);
      },
    ],
    [
      '21 a plan against hosts holding the previous secrets shows neither: env files by key, a Caddyfile with one masked',
      async () => {
        const edit: Edit = [
          APP,
          [
            'vpn_only: true }',
            'vpn_only: true, directives: [{ name: header, args: [X-Upstream-Key, "{{ vault_openrouter_api_key }}"] }] }',
          ],
        ];
        const [now, old] = await Promise.all([
          plan(repo(edit)),
          plan(repo(edit, { [SECRETS_FILE]: vaultFile(OLD_SECRETS) })),
        ]);
        const roleOps = [
          ...(now.hosts.get('app')?.roleOps ?? []),
          { role: 'compose', ops: now.hosts.get('app')?.desired.files ?? [], selected: true },
        ];
        const steps = planHost({
          host: 'app',
          roleOps,
          ...hostFiles(old, 'app'),
          guards: new Map(),
          redactor: now.project!.redactor,
        }).steps;
        const text = steps.flatMap((s) => stepLines(s)).join('\n');
        expect(text).toContain('~ /opt/rigdemo/configs/litellm/litellm.env (mode 0600) sensitive: changed');
        expect(text).toContain(
          ' keys ~DATABASE_URL ~LITELLM_MASTER_KEY ~OPENROUTER_API_KEY  [litellm] content changed',
        );
        expect(text).toContain('~ /opt/rigdemo/configs/caddy/Caddyfile (mode 0640) sensitive: changed');
        for (const secret of [...Object.values(SECRETS), ...Object.values(OLD_SECRETS)])
          expect(`${text}\n${JSON.stringify(steps)}`).not.toContain(secret);
      },
    ],
    [
      '22 a per-run host override (the tailnet IP) replaces the inventory address',
      async () => {
        const project = await load(repo(), {
          vaultPassword: PASSWORD,
          extraVars: ['ansible_host=100.64.0.14'],
          limit: ['app'],
        });
        expect([...project.hosts.values()].map((h) => [h.name, h.connection.host])).toEqual([['app', '100.64.0.14']]);
      },
    ],
  ])('%s', async (_lesson, check) => {
    await check();
  });
});
