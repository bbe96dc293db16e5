// Role openclaw through the real loader and renderer: the exact openclaw.json, the env file, the DooD service, the
// sandbox-image command following the service's (pinned) image, and the incumbent's OpenClaw lessons (§10.4, 10.5,
// 10.6, 10.14) refused at the offending variable's file:line:col before anything is rendered.
import { describe, expect, it } from 'vitest';
import { renderProject } from '../../../src/config/roles/render-roles.js';
import type { CommandOp, FileOp, Op, ServiceOp } from '../../../src/core/desired/op.js';
import { display } from '../../../src/core/cmd/render.js';
import { DOCKER_SOCKET_GROUP } from '../../../src/core/desired/service.js';
import { resolveServiceImages } from '../../../src/pin/service-images.js';
import { load, loadErrors, makeProject, replaceOnce } from '../../helpers/project.js';

const VARS = 'inventory/test/group_vars/all/openclaw.yml';
const OPENCLAW_YML = `project_name: javisi
openclaw_image: ghcr.io/openclaw/openclaw:2026.9.6
openclaw_trusted_proxies: [172.20.1.0/24]
openclaw_telegram:
  enabled: true
  botToken: "\${TELEGRAM_BOT_TOKEN}"
  dmPolicy: allowlist
  allowFrom: [123456789]
openclaw_plugins:
  telegram: { enabled: true }
openclaw_env:
  OPENCLAW_GATEWAY_TOKEN: gw-not-a-secret-here
  TELEGRAM_BOT_TOKEN: "4242:not-a-real-token"
`;

const files = (yml: string): Record<string, string> => ({
  'inventory/test/hosts.yml':
    'all:\n  children:\n    app:\n      hosts:\n        app1:\n          ansible_host: 127.0.0.1\n',
  [VARS]: yml,
  'playbooks/site.yml': '- hosts: app\n  roles: [openclaw]\n',
});

/** `OPENCLAW_YML` with `from` replaced by `to` (each must occur once). */
const edit = (...pairs: [string, string][]): string => replaceOnce(OPENCLAW_YML, ...pairs);

async function render(yml: string): Promise<readonly Op[]> {
  const project = await load(makeProject(files(yml), { roles: ['openclaw'] }));
  return (
    resolveServiceImages(renderProject(project))
      .get('app1')
      ?.find((r) => r.role === 'openclaw')?.ops ?? []
  );
}
const errorsOf = (yml: string): Promise<string[]> => loadErrors(makeProject(files(yml), { roles: ['openclaw'] }));
const fileAt = (ops: readonly Op[], p: string) => ops.find((o): o is FileOp => o.kind === 'file' && o.path === p);
const STATE = '/opt/javisi/data/openclaw';

describe('role openclaw renders', () => {
  it('openclaw.json from the typed variables: gateway lan + token ref, sandbox, telegram + its plugin entry', async () => {
    const ops = await render(OPENCLAW_YML);
    const file = fileAt(ops, `${STATE}/openclaw.json`);
    expect(file).toMatchObject({ mode: 0o600, owner: '1000', group: '1000', sensitive: false });
    expect(JSON.parse(String(file?.content))).toEqual({
      gateway: {
        mode: 'local',
        port: 18789,
        bind: 'lan',
        auth: { mode: 'token', token: '${OPENCLAW_GATEWAY_TOKEN}' },
        trustedProxies: ['172.20.1.0/24'],
      },
      agents: {
        defaults: {
          model: { primary: 'anthropic/claude-sonnet-4-5' },
          workspace: `${STATE}/workspace`,
          sandbox: {
            mode: 'non-main',
            scope: 'agent',
            workspaceAccess: 'rw',
            docker: {
              image: 'openclaw-sandbox:bookworm-slim',
              network: 'javisi_sandbox',
              user: '1000:1000',
              readOnlyRoot: false,
              capDrop: ['ALL'],
              pidsLimit: 512,
              memory: '1g',
              cpus: 1,
            },
            prune: { idleHours: 24, maxAgeDays: 7 },
          },
        },
      },
      channels: {
        telegram: { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', dmPolicy: 'allowlist', allowFrom: [123456789] },
      },
      plugins: { entries: { telegram: { enabled: true } } },
    });
  });

  it('openclaw.env (0600) holds the secrets and the state paths the role fixes', async () => {
    const env = fileAt(await render(OPENCLAW_YML), '/opt/javisi/configs/openclaw/openclaw.env');
    expect(env?.mode).toBe(0o600);
    expect(String(env?.content).split('\n')).toEqual([
      'OPENCLAW_GATEWAY_TOKEN=gw-not-a-secret-here',
      'TELEGRAM_BOT_TOKEN=4242:not-a-real-token',
      `OPENCLAW_STATE_DIR=${STATE}`,
      `OPENCLAW_CONFIG_PATH=${STATE}/openclaw.json`,
      'OPENCLAW_GATEWAY_PORT=18789',
      'HOME=/home/node',
      '',
    ]);
  });

  it('the service: state dir at the identical path, docker socket, the socket group, stable hostname, graceful stop', async () => {
    const svc = (await render(OPENCLAW_YML)).find((o): o is ServiceOp => o.kind === 'service');
    expect(svc?.spec).toMatchObject({
      image: 'ghcr.io/openclaw/openclaw:2026.9.6',
      user: '1000:1000',
      hostname: 'openclaw',
      groupAdd: [DOCKER_SOCKET_GROUP],
      stopGracePeriod: '30s',
      networks: ['frontend', 'backend', 'egress'],
      mounts: [
        { type: 'bind', source: STATE, target: STATE, readOnly: false },
        { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false },
      ],
    });
    expect(svc?.spec.healthcheck?.test).toEqual([
      'node',
      '-e',
      expect.stringContaining("fetch('http://127.0.0.1:18789/healthz'"),
    ]);
  });

  it('the sandbox image command names the image the service runs (pinned digest included), checked by labels', async () => {
    const pinnedYml = edit([
      'openclaw_image: ghcr.io/openclaw/openclaw:2026.9.6',
      'openclaw_image: ghcr.io/openclaw/openclaw:2026.9.6@sha256:' + 'a'.repeat(64),
    ]);
    const cmd = (await render(pinnedYml)).find((o): o is CommandOp => o.kind === 'command');
    expect(cmd?.name).toBe('sandbox image openclaw-sandbox:bookworm-slim');
    expect(display(cmd!.cmd)).toContain(
      ` sh ghcr.io/openclaw/openclaw:2026.9.6@sha256:${'a'.repeat(64)} openclaw-sandbox:bookworm-slim image /opt/javisi/configs/openclaw/sandbox`,
    );
    expect('unless' in cmd!.when && display(cmd!.when.unless)).toContain('rig.openclaw.image-id');
  });

  it('no sandbox image work when sandboxes are off', async () => {
    const ops = await render(edit(['openclaw_env:', 'openclaw_sandbox_build: none\nopenclaw_env:']));
    expect(ops.filter((o) => o.kind === 'command')).toEqual([]);
  });
});

describe('role openclaw refuses the incumbent lessons at the variable', () => {
  const at = (line: number, col: number, msg: string) => `${VARS}:${line}:${col}: ${msg}`;
  it.each([
    [
      '§10.4 telegram channel without its plugin entry',
      edit(['openclaw_plugins:\n  telegram: { enabled: true }\n', '']),
      at(
        5,
        12,
        'openclaw_telegram.enabled: channels.telegram is enabled but plugins.entries.telegram.enabled is not set',
      ),
    ],
    [
      '§10.4 plugin entry disabled',
      edit(['telegram: { enabled: true }', 'telegram: { enabled: false }']),
      at(
        10,
        24,
        'openclaw_plugins.telegram.enabled: channels.telegram is enabled but plugins.entries.telegram.enabled is false',
      ),
    ],
    [
      '§10.17 ${VAR} not in openclaw.env',
      edit(['  TELEGRAM_BOT_TOKEN: "4242:not-a-real-token"\n', '']),
      at(12, 3, 'openclaw_env: ${TELEGRAM_BOT_TOKEN} is not defined in the env file'),
    ],
    [
      '§10.5 workspace outside the state dir',
      edit(['openclaw_env:', 'openclaw_workspace: /srv/workspace\nopenclaw_env:']),
      at(11, 21, 'openclaw_workspace: "/srv/workspace" is outside OPENCLAW_STATE_DIR'),
    ],
    [
      '§10.14 workspaceAccess outside none|ro|rw',
      edit([
        'openclaw_env:',
        'openclaw_sandbox: { mode: all, workspaceAccess: write, docker: { image: x } }\nopenclaw_env:',
      ]),
      at(11, 49, 'openclaw_sandbox.workspaceAccess: Invalid option: expected one of "none"|"ro"|"rw"'),
    ],
    [
      '§10.14 unknown key in telegram (retry)',
      edit(['  dmPolicy: allowlist\n', '  dmPolicy: allowlist\n  retry: { attempts: 5 }\n']),
      at(8, 10, 'unknown key "retry"'),
    ],
    [
      'a Dockerfile FROM that is no image reference',
      edit(['project_name: javisi\n', 'project_name: javisi\nopenclaw_sandbox_base_image: "debian\\nRUN curl x|sh"\n']),
      at(2, 30, 'openclaw_sandbox_base_image: invalid image reference "debian\\nRUN curl x|sh"'),
    ],
  ])('%s', async (_name, yml, expected) => {
    const errs = await errorsOf(yml);
    expect(
      errs.some((e) => e.startsWith(expected)),
      errs.join('\n'),
    ).toBe(true);
  });
});
