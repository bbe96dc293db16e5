// The opt-in litellm-completion smoke check on a real host against the LiteLLM stand-in, told to answer each case
// (LITELLM_STANDIN_ANSWERS): off by default (no billed call at all), run when named or as litellm_smoke_completion says
// (checklist: in rig checklist; always: every rig smoke), one max_tokens 5 request per model, each answer classified.
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChecklistReportSchema } from '../../../src/checklist/checklist-report.js';
import { main } from '../../../src/cli/main.js';
import { SmokeReportSchema, type SmokeReport } from '../../../src/smoke/smoke-report.js';
import { httpGetInContainer, imageId, removeContainers, removeNetworks } from '../../helpers/docker/index.js';
import { litellmStandinVars } from '../../helpers/litellm-standin-vars.js';
import { makeProject, REPO_ROOT } from '../../helpers/project.js';
import { testIo } from '../../helpers/test-io.js';
import { requireDocker, startHosts, type Testbed } from '../../helpers/testbed/index.js';

const IMAGE = 'local/litellm-standin:2';
const skip =
  (await requireDocker()) ?? ((await imageId(IMAGE)) ? undefined : `${IMAGE} missing (scripts/build-images.sh)`);
if (skip) console.warn(`SKIP litellm-completion: ${skip}`);

/** One model per case of the stand-in, named after the outcome it should be classified as. */
const CASES = {
  'm-ok': 'ok',
  'm-credit': 'no-credit',
  'm-quota': 'quota',
  'm-key': 'bad-key',
  'm-missing': 'model-missing',
  'm-rate': 'rate-limit',
  'm-down': 'provider-down',
} as const;
const answers = (map: Record<string, string>) =>
  Object.entries(map)
    .map(([m, c]) => `${m}=${c}`)
    .join(',');

describe.skipIf(skip !== undefined)('smoke check litellm-completion against the stand-in', () => {
  let tb: Testbed;
  let root: string;
  let prefix = '';
  let base: Record<string, unknown>;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));
  const outputs: string[] = [];

  beforeAll(async () => {
    tb = await startHosts(1);
    const h = tb.host('h1');
    prefix = h.composeProject.replace(/-/g, '_');
    const standin = litellmStandinVars(IMAGE);
    base = {
      ...standin,
      project_name: h.composeProject,
      project_dir: `${h.dataDir}/stack`,
      litellm_model_list: Object.keys(CASES).map((m) => ({
        model_name: m,
        litellm_params: { model: `openrouter/x/${m}`, api_key: 'os.environ/OPENROUTER_API_KEY', max_tokens: 100 },
      })),
      litellm_env: { ...(standin['litellm_env'] as object), LITELLM_STANDIN_ANSWERS: '*=ok' },
    };
    root = makeProject(
      {
        'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyPath} }\n`,
        'inventory/test/known_hosts': readFileSync(tb.knownHostsPath, 'utf8'),
        'inventory/test/host_vars/h1.yml': stringify(base),
        'lint.yml': 'images:\n  - image: local/litellm-standin\n    reason: the demo stand-in, built locally\n',
        'playbooks/site.yml': '- hosts: all\n  roles: [litellm]\n',
      },
      { roles: ['litellm'], asPackage: true },
    );
    mkdirSync(path.join(root, 'smoke-tests'));
    for (const id of ['litellm-completion', 'services-healthy'])
      symlinkSync(path.join(REPO_ROOT, 'smoke-tests', `${id}.ts`), path.join(root, 'smoke-tests', `${id}.ts`));
    const r = await rig(['deploy']);
    if (r.code !== 0) console.error(r.out, r.err);
    expect(r.code).toBe(0);
  }, 180_000);
  afterAll(async () => {
    if (prefix) {
      await removeContainers(prefix);
      await removeNetworks(prefix);
    }
    await tb?.stop();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(outputs.slice(-4).join('\n'));
  });

  async function rig(args: string[], vars: Record<string, unknown> = {}) {
    writeFileSync(path.join(root, 'inventory/test/host_vars/h1.yml'), stringify({ ...base, ...vars }));
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], USER: 'tester' } });
    const code = await main([...args, '--env', 'test'], io);
    outputs.push(io.outText(), io.errText());
    return { code, out: io.outText(), err: io.errText() };
  }
  async function smoke(
    args: string[],
    vars: Record<string, unknown> = {},
  ): Promise<{ code: number; report: SmokeReport }> {
    const r = await rig(['smoke', '--json', ...args], vars);
    return { code: r.code, report: SmokeReportSchema.parse(JSON.parse(r.out)) };
  }
  const completion = (report: SmokeReport) => report.results.find((x) => x.check === 'litellm-completion');
  const calls = async () => Number((await httpGetInContainer(`${prefix}_litellm`, '/stats/completions', 4000)).trim());

  it('off by default: rig smoke (the nightly) skips it and says why; the proxy gets no completion at all', async () => {
    const { code, report } = await smoke([]);
    expect(code).toBe(0);
    expect(completion(report)).toMatchObject({
      status: 'skip',
      evidence: [
        'opt-in (one billed completion per model), not run: litellm_smoke_completion is off; name it with rig smoke --only litellm-completion',
      ],
    });
    expect(await calls()).toBe(0);
  });

  it('named with --only: one max_tokens 5 completion per model, all answered', async () => {
    const { code, report } = await smoke(['--only', 'litellm-completion']);
    expect(code).toBe(0);
    expect(completion(report)?.status).toBe('pass');
    expect(completion(report)?.evidence[0]).toBe(
      `7 models answered a 5-token completion: ${Object.keys(CASES).join(', ')}`,
    );
    expect(await calls()).toBe(7);
    expect(JSON.parse(await httpGetInContainer(`${prefix}_litellm`, '/stats/last-completion', 4000))).toMatchObject({
      model: 'm-down',
      max_tokens: 5,
    });
  });

  it('each case classified by status and body: the ones to fix fail (exit 1), the transient ones only warn', async () => {
    const env = { ...(base['litellm_env'] as object), LITELLM_STANDIN_ANSWERS: answers(CASES) };
    expect((await rig(['deploy'], { litellm_env: env })).code).toBe(0);
    const { code, report } = await smoke(['--only', 'litellm-completion'], { litellm_env: env });
    expect([code, completion(report)?.status]).toEqual([1, 'fail']);
    const ev = completion(report)?.evidence ?? [];
    expect(ev[0]).toBe(
      'm-credit: no credit (HTTP 402); m-quota: no credit (HTTP 429); m-key: bad key (HTTP 401); m-missing: model missing (HTTP 404); m-rate: rate limited (HTTP 429); m-down: provider down (HTTP 503)',
    );
    expect(ev).toContain('m-ok: ok (HTTP 200): answered "OK"');
    expect(ev).toContain(
      '  no credit left: top up the Openrouter account (or raise the LiteLLM budget named in the message); the stack itself is fine',
    );
    expect(ev).toContain(
      '  OpenAI refused its API key: rotate the provider key in the vault (the variable litellm_env passes to it) and redeploy',
    );
    const transient = { ...env, LITELLM_STANDIN_ANSWERS: answers({ 'm-rate': 'rate-limit', 'm-down': 'bad-gateway' }) };
    expect((await rig(['deploy'], { litellm_env: transient })).code).toBe(0);
    const warn = await smoke(['--only', 'litellm-completion'], { litellm_env: transient });
    expect([warn.code, completion(warn.report)?.status, completion(warn.report)?.evidence[0]]).toEqual([
      0,
      'warn',
      'm-rate: rate limited (HTTP 429); m-down: provider down (HTTP 502)',
    ]);
  }, 120_000);

  it('litellm_smoke_completion: checklist runs it in rig checklist only; always in every rig smoke', async () => {
    const env = { ...(base['litellm_env'] as object), LITELLM_STANDIN_ANSWERS: answers({ 'm-credit': 'no-credit' }) };
    expect((await rig(['deploy'], { litellm_env: env })).code).toBe(0);
    const vars = {
      litellm_env: env,
      litellm_smoke_completion: 'checklist',
      litellm_smoke_completion_models: ['m-ok', 'm-credit'],
    };
    expect(completion((await smoke([], vars)).report)?.status).toBe('skip');
    const before = await calls();
    const r = await rig(['checklist', '--json'], vars);
    const smokeCheck = ChecklistReportSchema.parse(JSON.parse(r.out)).checks.find((c) => c.id === 'smoke');
    expect(smokeCheck?.status).toBe('fail');
    expect(smokeCheck?.evidence).toContainEqual(
      expect.stringMatching(/^h1: FAIL litellm-completion \S+: m-credit: no credit \(HTTP 402\)$/),
    );
    expect(await calls()).toBe(before + 2);
    const always = await smoke([], { ...vars, litellm_smoke_completion: 'always' });
    expect([always.code, completion(always.report)?.status]).toEqual([1, 'fail']);
  }, 180_000);
});
