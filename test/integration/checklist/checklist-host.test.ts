// rig checklist on a real host running LiteLLM (stand-in) and the real OpenClaw 2026.9.6, every image pinned from a
// real registry: GO on the healthy stack with the upgrade planned and validated in the target image; NO-GO with a held
// lock, an unresolvable target tag, a missing vault secret and a target image without OpenClaw; WARNING for a stale
// lock and for a disk threshold alone. Read-only throughout: no lock left, no container replaced. Needs the opt-in
// OpenClaw image. Pushing OpenClaw's 900 MB takes about two minutes, so its registry storage is kept between runs under
// the system temp dir, keyed by the local image id (rebuilt image, new storage); the small images are pushed into it on
// every run.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecklistReportSchema, type ChecklistReport } from '../../../src/checklist/checklist-report.js';
import { main } from '../../../src/cli/main.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { acquireLock, newLockInfo, releaseLock } from '../../../src/lock/lock.js';
import { sshConnector } from '../../../src/engine/fleet.js';
import {
  docker,
  dockerOk,
  imageId,
  inspectContainer,
  removeContainers,
  removeNetworks,
} from '../../helpers/docker/index.js';
import { litellmStandinVars } from '../../helpers/litellm-standin-vars.js';
import { makeProject, REPO_ROOT } from '../../helpers/project.js';
import { pushImage, startTestRegistry, type TestRegistry } from '../../helpers/registry/index.js';
import { testIo } from '../../helpers/test-io.js';
import { requireDocker, startHosts, type Testbed } from '../../helpers/testbed/index.js';

const OPENCLAW = 'local/openclaw:2026.9.6';
const LITELLM = 'local/litellm-standin:2';
async function missing(): Promise<string | undefined> {
  for (const img of [OPENCLAW, LITELLM])
    if ((await imageId(img)) === undefined) return `${img} missing (RIG_IMAGES_OPENCLAW=1 scripts/build-images.sh)`;
  if (!existsSync('/usr/bin/docker-registry')) return '/usr/bin/docker-registry missing (scripts/ensure-deps.sh)';
  return undefined;
}
const skip = (await requireDocker()) ?? (await missing());
if (skip) console.warn(`SKIP checklist on a host: ${skip}`);

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** A registry storage holding OpenClaw as rigtest/openclaw:2026.9.6, pushed once per local image id. */
async function openclawStorage(): Promise<string> {
  const id = (await imageId(OPENCLAW))?.replace('sha256:', '').slice(0, 16) ?? 'none';
  const storage = path.join(os.tmpdir(), 'rig-test-registry-cache', `openclaw-${id}`);
  if (existsSync(path.join(storage, '.complete'))) return storage;
  mkdirSync(storage, { recursive: true });
  const once = await startTestRegistry({ storage });
  try {
    const ref = `${once.host}/rigtest/openclaw:2026.9.6`;
    await dockerOk(['tag', OPENCLAW, ref]);
    await dockerOk(['push', ref], { timeout: 600_000 });
    await dockerOk(['rmi', ref]);
    writeFileSync(path.join(storage, '.complete'), `${id}\n`);
  } finally {
    await once.stop();
  }
  return storage;
}

/** Tags the manifest of `from` as `to` too, through the Registry API (the same bytes: the same digest). */
async function retag(url: string, repository: string, from: string, to: string): Promise<void> {
  const got = await fetch(`${url}/v2/${repository}/manifests/${from}`, { headers: { accept: DOCKER_MANIFEST } });
  if (!got.ok) throw new Error(`GET manifest ${repository}:${from}: ${got.status}`);
  const put = await fetch(`${url}/v2/${repository}/manifests/${to}`, {
    method: 'PUT',
    headers: { 'content-type': got.headers.get('content-type') ?? DOCKER_MANIFEST },
    body: Buffer.from(await got.arrayBuffer()),
  });
  if (put.status !== 201) throw new Error(`PUT manifest ${repository}:${to}: ${put.status}`);
}

const GATEWAY_TOKEN = 'gw-token-checklist-9d3e1f';
const BOT_TOKEN = '5150:bot-token-checklist-a7b8';

describe.skipIf(skip !== undefined)('rig checklist on a real host', () => {
  let tb: Testbed;
  let reg: TestRegistry;
  let root: string;
  let prefix: string;
  let vars: Record<string, unknown>;
  let stateDir: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const ring = VaultKeyring.fromPasswords([{ password: 'cl-pw' }]);
  const secrets = `vault_gateway_token: ${GATEWAY_TOKEN}\nvault_bot_token: ${BOT_TOKEN}\n`;
  const file = (rel: string) => path.join(root, rel);
  const setVars = (extra: Record<string, unknown>) =>
    writeFileSync(file('inventory/test/host_vars/h1.yml'), stringify({ ...vars, ...extra }));

  beforeAll(async () => {
    const [started, storage] = await Promise.all([startHosts(1), openclawStorage()]);
    tb = started;
    reg = await startTestRegistry({ storage });
    const h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    stateDir = `${h.dataDir}/stack/.rig`;
    // the same OpenClaw image under two tags (the upgrade), and a target that is not OpenClaw at all
    await retag(reg.url, 'rigtest/openclaw', '2026.9.6', '2026.9.7');
    await pushImage(LITELLM, reg.host, 'rigtest/openclaw:not-openclaw');
    await pushImage(LITELLM, reg.host, 'rigtest/litellm:1');
    vars = {
      project_name: h.composeProject,
      project_dir: `${h.dataDir}/stack`,
      openclaw_image: `${reg.host}/rigtest/openclaw:2026.9.6`,
      openclaw_sandbox_build: 'none',
      openclaw_sandbox: { mode: 'off', workspaceAccess: 'none', docker: { image: 'rigtest/sandbox-unused:2026.9.6' } },
      openclaw_telegram: { enabled: true, botToken: '${TELEGRAM_BOT_TOKEN}', apiRoot: 'http://127.0.0.1:9' },
      openclaw_plugins: { telegram: { enabled: true } },
      openclaw_env: {
        OPENCLAW_GATEWAY_TOKEN: '{{ vault_gateway_token }}',
        TELEGRAM_BOT_TOKEN: '{{ vault_bot_token }}',
      },
      openclaw_networks: { egress: {} },
      ...litellmStandinVars(`${reg.host}/rigtest/litellm:1`),
    };
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/env.yml': 'pinned: true\n',
        'inventory/test/group_vars/all/secrets.yml': ring.encrypt(secrets),
        'inventory/test/host_vars/h1.yml': stringify(vars),
        '.vault_password': 'cl-pw\n',
        'lint.yml': `images:\n  - image: ${reg.host}/rigtest/litellm\n    reason: test registry\n  - image: ${reg.host}/rigtest/openclaw\n    reason: test registry\n`,
        'playbooks/site.yml': '- hosts: all\n  roles: [litellm, openclaw]\n',
      },
      { roles: ['litellm', 'openclaw'], asPackage: true },
    );
    // only the quick smoke check: the others need the Telegram stand-in and sandboxes (see smoke-checks.test.ts)
    mkdirSync(path.join(root, 'smoke-tests'));
    symlinkSync(
      path.join(REPO_ROOT, 'smoke-tests', 'services-healthy.ts'),
      path.join(root, 'smoke-tests', 'services-healthy.ts'),
    );
    for (const step of [['pin'], ['deploy']]) {
      const r = await rig(step);
      if (r.code !== 0) console.error(r.out, r.err);
      expect(r.code).toBe(0);
    }
  }, 600_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
    }
    await tb?.stop();
    await reg?.stop();
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    return { code, out: io.outText(), err: io.errText() };
  }
  async function checklist(
    args: string[] = [],
  ): Promise<{ code: number; report: ChecklistReport; err: string; ms: number }> {
    const t0 = performance.now();
    const r = await rig(['checklist', '--json', ...args]);
    const ms = performance.now() - t0;
    for (const s of [GATEWAY_TOKEN, BOT_TOKEN]) expect(r.out + r.err).not.toContain(s);
    try {
      return { code: r.code, report: ChecklistReportSchema.parse(JSON.parse(r.out)), err: r.err, ms };
    } catch (err) {
      console.error(r.out, r.err);
      throw err;
    }
  }
  const check = (r: ChecklistReport, id: string) => r.checks.find((c) => c.id === id);
  const statuses = (r: ChecklistReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
  const connect = async () =>
    (
      await sshConnector({
        acceptNewHostKeys: false,
        env: { HOME: home },
        connectTimeoutSec: 10,
        repoKnownHosts: tb.knownHostsPath,
      })
    )('h1', {
      host: tb.host('h1').address,
      port: tb.host('h1').port,
      user: 'root',
      sshKey: tb.host('h1').keyPath,
      become: false,
    });

  it('GO on the healthy stack: the upgrade recreates exactly openclaw, validates in the target image; nothing taken or deployed', async () => {
    const before = await Promise.all([inspectContainer(`${prefix}_openclaw`), inspectContainer(`${prefix}_litellm`)]);
    const releases = JSON.parse((await rig(['releases', '--json'])).out) as [{ current: string }];
    const { code, report, ms } = await checklist(['--upgrade', 'openclaw=2026.9.7']);
    console.log(
      `[checklist] GO run on 1 host with the OpenClaw probe: ${Math.round(ms)} ms (report ${report.durationMs} ms)`,
    );
    if (code !== 0) console.error(JSON.stringify(report.checks, null, 2));
    expect(report.decision).toBe('GO');
    expect(code).toBe(0);
    expect(statuses(report)).toEqual({
      config: 'pass',
      secrets: 'pass',
      'deploy-lock': 'pass',
      headroom: 'pass',
      smoke: 'pass',
      rollback: 'pass',
      images: 'pass',
      'upgrade-plan': 'pass',
      'healthcheck-probes': 'pass',
      'openclaw-target': 'pass',
    });
    expect(report.upgrades).toEqual([
      {
        name: 'openclaw',
        kind: 'service',
        variable: 'openclaw_image',
        from: [`${reg.host}/rigtest/openclaw:2026.9.6`],
        to: `${reg.host}/rigtest/openclaw:2026.9.7`,
        hosts: ['h1'],
        services: ['openclaw'],
      },
    ]);
    const plan = check(report, 'upgrade-plan')?.details;
    expect(plan?.kind === 'upgrade-plan' && plan.hosts[0]?.services.map((s) => `${s.action} ${s.service}`)).toEqual([
      'recreate openclaw',
    ]);
    expect(check(report, 'upgrade-plan')?.evidence[0]).toBe('h1: recreates openclaw, and 1 other step');
    expect(check(report, 'upgrade-plan')?.evidence).toContain(
      `h1: write ${tb.host('h1').dataDir}/stack/compose.apps.yml: content changed`,
    );
    expect(check(report, 'openclaw-target')?.evidence[1]).toMatch(
      new RegExp(
        `^h1: ${reg.host.replace(/\./g, '\\.')}/rigtest/openclaw:2026\\.9\\.7@sha256:[0-9a-f]{64}: openclaw config validate: valid; telegram loaded$`,
      ),
    );
    const rollback = check(report, 'rollback')?.details;
    expect(rollback?.kind === 'rollback' && rollback.hosts[0]?.current).toBe(releases[0].current);
    expect(check(report, 'rollback')?.evidence[0]).toBe('a release to roll back to on 1 host');
    expect(check(report, 'rollback')?.evidence[1]).toContain(`h1: rollback returns to ${releases[0].current}`);
    expect(
      check(report, 'images')?.evidence.some(
        (e) => e.includes(':2026.9.7: resolves to sha256:') && e.includes('what rig pin would write'),
      ),
    ).toBe(true);
    // read-only: no lock, no container replaced, no temp file left, the lock file untouched; the decision journaled
    expect(existsSync(`${stateDir}/lock`)).toBe(false);
    expect(readdirSync(stateDir).filter((f) => f.startsWith('checklist-'))).toEqual([]);
    const after = await Promise.all([inspectContainer(`${prefix}_openclaw`), inspectContainer(`${prefix}_litellm`)]);
    expect(after.map((c) => c?.id)).toEqual(before.map((c) => c?.id));
    expect((await docker(['ps', '-aq', '-f', 'label=rig.checklist=openclaw-target'])).stdout.trim()).toBe('');
    for (const journal of [`${stateDir}/journal.jsonl`, file('.rig/journal/test/h1.jsonl')]) {
      const last = JSON.parse(readFileSync(journal, 'utf8').trim().split('\n').at(-1) ?? '{}') as {
        event: string;
        decision: string;
        deployId: string;
        summary: string;
      };
      expect(last).toMatchObject({ event: 'checklist.decision', decision: 'GO', deployId: report.runId });
      expect(last.summary).toMatch(/^checklist: GO \(10 pass, 0 warn, 0 fail, 0 skip\) for .*:2026\.9\.7$/);
    }
    expect((await rig(['history'])).out).toContain('checklist: GO');
  }, 300_000);

  it('the text report: one line per check, the decision line last', async () => {
    const r = await rig(['checklist']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(' ')).slice(0, 10)).toEqual([
      'PASS config',
      'PASS secrets',
      'PASS deploy-lock',
      'PASS headroom',
      'PASS smoke',
      'PASS rollback',
      'PASS images',
      'PASS upgrade-plan',
      'PASS healthcheck-probes',
      'PASS openclaw-target',
    ]);
    expect(lines.at(-1)).toMatch(/^checklist test: GO \(10 pass, 0 warn, 0 fail, 0 skip\) in \d+\.\d\ds$/);
    expect(r.out).toMatch(/PASS {2}upgrade-plan +\d+\.\d\ds {2}h1: no service changes/);
  }, 300_000);

  it('NO-GO while a deploy holds the lock, naming the holder; WARNING once the lock is stale', async () => {
    const t = await connect();
    try {
      const held = await acquireLock(t, stateDir, newLockInfo('rig deploy --env test', 1800, { USER: 'alice' }));
      const { code, report } = await checklist(['--upgrade', 'openclaw=2026.9.7']);
      expect(check(report, 'deploy-lock')?.status).toBe('fail');
      expect(check(report, 'deploy-lock')?.evidence[0]).toMatch(
        /^h1: deploy lock held by alice@.+ \(pid \d+, "rig deploy --env test", since \S+; renewed \d+s ago, lease 30m00s\): that deploy is running: /,
      );
      expect([report.decision, code]).toEqual(['NO-GO', 1]);
      expect(Object.values(statuses(report)).filter((s) => s !== 'pass')).toEqual(['fail']);
      utimesSync(`${stateDir}/lock`, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
      const stale = await checklist();
      expect(check(stale.report, 'deploy-lock')?.evidence[0]).toMatch(/^h1: expired deploy lock held by alice@/);
      expect([stale.report.decision, stale.code]).toEqual(['WARNING', 2]);
      expect(await releaseLock(t, held)).toBe('released');
    } finally {
      await t.close();
    }
  }, 300_000);

  it('NO-GO when the target tag does not exist: images fails, nothing is planned or probed for it', async () => {
    const { code, report } = await checklist(['--upgrade', 'openclaw=does-not-exist']);
    expect([report.decision, code]).toEqual(['NO-GO', 1]);
    expect(check(report, 'images')?.status).toBe('fail');
    expect(check(report, 'images')?.evidence[0]).toMatch(
      new RegExp(
        `^${reg.host.replace(/\./g, '\\.')}: ${reg.host.replace(/\./g, '\\.')}/rigtest/openclaw:does-not-exist: .*\\(the upgrade could not pull it\\)$`,
      ),
    );
    expect(check(report, 'upgrade-plan')?.evidence[0]).toBe(
      `not run: ${reg.host}/rigtest/openclaw:does-not-exist does not resolve (see images)`,
    );
    expect(check(report, 'openclaw-target')?.status).toBe('skip');
  }, 300_000);

  it('NO-GO when the target image is not OpenClaw: its healthcheck program (node) is not in it, and the probe fails in it', async () => {
    const { code, report } = await checklist(['--upgrade', 'openclaw=not-openclaw']);
    expect([report.decision, code]).toEqual(['NO-GO', 1]);
    expect(Object.entries(statuses(report)).filter(([, s]) => s !== 'pass')).toEqual([
      ['healthcheck-probes', 'fail'],
      ['openclaw-target', 'fail'],
    ]);
    expect(check(report, 'healthcheck-probes')?.evidence[0]).toMatch(
      new RegExp(
        `^h1: service openclaw: its healthcheck runs "node", which image ${reg.host.replace(/\./g, '\\.')}/rigtest/openclaw:not-openclaw@sha256:[0-9a-f]{64} does not have \\(looked for /usr/local/sbin/node, `,
      ),
    );
    expect(check(report, 'openclaw-target')?.evidence[0]).toMatch(/openclaw config validate: invalid \(exit 127\)/);
  }, 300_000);

  it('NO-GO when a vault secret a role needs was removed: secrets fails at the variable', async () => {
    writeFileSync(
      file('inventory/test/group_vars/all/secrets.yml'),
      ring.encrypt(`vault_gateway_token: ${GATEWAY_TOKEN}\n`),
    );
    try {
      const { code, report } = await checklist(['--upgrade', 'openclaw=2026.9.7']);
      expect([report.decision, code]).toEqual(['NO-GO', 1]);
      expect(statuses(report)).toMatchObject({
        config: 'pass',
        secrets: 'fail',
        'deploy-lock': 'skip',
        'openclaw-target': 'skip',
      });
      expect(check(report, 'secrets')?.evidence[0]).toMatch(
        /^inventory\/test\/host_vars\/h1\.yml:\d+:\d+: missing variable "vault_bot_token" \(not defined for this host\)$/,
      );
    } finally {
      writeFileSync(file('inventory/test/group_vars/all/secrets.yml'), ring.encrypt(secrets));
    }
  }, 300_000);

  it('WARNING when only the disk threshold fails (100% free asked), and an unknown --upgrade name is a usage error', async () => {
    setVars({ rig_checklist_min_disk_free_pct: 100 });
    try {
      const { code, report } = await checklist();
      expect([report.decision, code]).toEqual(['WARNING', 2]);
      expect(Object.entries(statuses(report)).filter(([, s]) => s !== 'pass')).toEqual([['headroom', 'warn']]);
      expect(check(report, 'headroom')?.evidence[0]).toMatch(/^h1: low disk: \d+\.\d% free on .+; threshold 100%\)$/);
    } finally {
      setVars({});
    }
    const r = await rig(['checklist', '--upgrade', 'opencalw=2026.9.7']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'rig: rig checklist --upgrade opencalw: no service or role of environment test is called "opencalw" (did you mean "openclaw"?) (services: litellm, openclaw; roles: litellm, openclaw)',
    );
  }, 300_000);
});
