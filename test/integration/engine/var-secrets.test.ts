// M1: a `--var` overriding a vault value, and a `--secret-var` read from stdin, stay secret in every output rig writes.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { useRoleBed, type RigRunOptions, type RoleBed } from '../../bed/index.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';
import { atPause, pauseEnv } from '../../helpers/test-pause.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP var-secrets: ${unavailable}`);
const run = promisify(execFile);

/** Every file under `dir` (but the release blobs: copies of deployed files, 0600, which hold the secret by design). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile() && !f.includes('/blobs/'));
}

describe.skipIf(unavailable !== undefined)('--var and --secret-var values stay secret', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: ['sample'],
      sshd: { firstOctet: 66 },
      vault: { sample_api_key: 'vault-value-000000' },
      hostVars: (h) => ({ sample_dir: `${h.dataDir}/app` }),
    },
    (b) => (bed = b),
  );
  const data = (): string => bed.host().dataDir;
  const pauses = mkdtempSync(path.join(os.tmpdir(), 'rig-pauses-'));
  afterAll(() => rmSync(pauses, { recursive: true, force: true }));

  async function rig(args: string[], opts: RigRunOptions = {}) {
    const r = await bed.rig(args, opts);
    return { code: r.code, text: `${r.out}\n${r.err}` };
  }

  /**
   * A deploy paused after its facts (the lock held): the lock file is read there, and `ps` is sampled on this machine
   * (the sshd host: every remote process rig starts) from start to end.
   */
  async function deployWatched(args: string[], stdin?: string) {
    const samples: string[] = [];
    let done = false;
    const sampler = (async () => {
      while (!done) samples.push((await run('ps', ['-eo', 'args'], { maxBuffer: 1 << 24 })).stdout);
    })();
    let lock = '';
    const start = () =>
      rig(['deploy', ...args], { env: pauseEnv(pauses, 'after-facts'), ...(stdin !== undefined ? { stdin } : {}) });
    const r = await atPause(pauses, 'after-facts', 'h1', start, async () => {
      lock = await readFile(path.join(data(), 'state', 'lock'), 'utf8');
    });
    done = true;
    await sampler;
    return { ...r, lock, ps: samples.join('\n'), samples: samples.length };
  }

  /**
   * What must never hold `value`: outputs, the lock, ps, the host's state dir and journal, the local journal, history.
   */
  async function expectNowhere(value: string, r: { text: string; lock: string; ps: string }) {
    expect(r.lock).toContain('"command"');
    for (const [where, text] of [
      ['output', r.text],
      ['lock', r.lock],
      ['ps', r.ps],
    ] as const)
      expect(text, where).not.toContain(value);
    for (const f of [...filesUnder(path.join(data(), 'state')), ...filesUnder(path.join(bed.root, '.rig', 'journal'))])
      expect(readFileSync(f, 'utf8'), f).not.toContain(value);
    const history = await rig(['history']);
    expect(history.text).toContain('deploy.started');
    expect(history.text).not.toContain(value);
  }

  it('a --var overriding a vault variable: masked in plan, deploy, lock, journal, history and ps; the lock names the variable', async () => {
    const value = 'cli-override-7f3e9a1b2c';
    const plan = await rig(['plan', '--var', `sample_api_key=${value}`]);
    const json = await rig(['plan', '--json', '-', '--var', `sample_api_key=${value}`]);
    const inventory = await rig(['inventory', '--var', `sample_api_key=${value}`]);
    for (const r of [plan, json, inventory]) expect(r.text).not.toContain(value);
    expect(inventory.text).toMatch(/sample_api_key\s+"<secret>"/);
    const r = await deployWatched(['--var', `sample_api_key=${value}`]);
    console.log(`ps sampled ${r.samples} times during the deploy`);
    expect(r.text).toContain('changed=1');
    expect(r.lock).toContain('--var sample_api_key=…');
    await expectNowhere(value, r);
    expect(readFileSync(path.join(data(), 'app', 'app.env'), 'utf8')).toContain(`SAMPLE_API_KEY=${value}`);
  });

  it('--secret-var reads the value from stdin: secret everywhere, and in no argv at all', async () => {
    const value = 'stdin-secret-2b8d4e6f10';
    const r = await deployWatched(['--secret-var', 'sample_api_key'], `${value}\n`);
    expect(r.text).toContain('changed=1');
    await expectNowhere(value, r);
    expect(readFileSync(path.join(data(), 'app', 'app.env'), 'utf8')).toContain(`SAMPLE_API_KEY=${value}\n`);
    const short = await rig(['plan', '--secret-var', 'sample_api_key', '--secret-var', 'sample_port'], {
      stdin: 'only-one\n',
    });
    expect(short.text).toContain('--secret-var sample_api_key, sample_port: stdin holds 1 value(s) for 2 name(s)');
  });
});
