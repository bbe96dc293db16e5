// SIGKILL of a real `node` process in the middle of applyFiles: targets hold the old or the new bytes, never a mix.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyFiles } from '../../../src/apply/apply-files.js';
import type { SshTransport } from '../../../src/transport/ssh/ssh-transport.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { connectTo } from '../../helpers/sshd/connect.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP apply-kill: ${unavailable}`);

// A private build of just the modules the child needs, inside the repo so `ssh2` resolves from node_modules.
const OUT = path.join(REPO_ROOT, 'node_modules', '.cache', `rig-apply-kill-${process.pid}`);
const CHILD = `import os from 'node:os';
import { pathToFileURL } from 'node:url';
const [out, specJson] = process.argv.slice(2);
const spec = JSON.parse(specJson);
const { SshTransport } = await import(pathToFileURL(out + '/src/transport/ssh/ssh-transport.js').href);
const { applyFiles } = await import(pathToFileURL(out + '/src/apply/apply-files.js').href);
const t = await SshTransport.connect(
  { name: 'h1', host: spec.address, port: spec.port, user: 'root', identityFiles: [spec.key] },
  { sshConfig: [], hostKeys: { files: [spec.knownHosts], writeTo: spec.knownHosts, acceptNew: false }, home: os.homedir(), localUser: os.userInfo().username, agentSocket: undefined },
);
const files = spec.files.map((f) => ({ path: f.path, content: Buffer.alloc(f.size, f.fill), contentChanged: true, mode: 0o644 }));
console.log('connected');
await applyFiles(t, files, []);
console.log('applied');
await t.close();
`;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const MB = 1024 * 1024;

interface Target {
  readonly path: string;
  readonly size: number;
  readonly fill: string;
}

describe.skipIf(unavailable !== undefined)('applyFiles killed with SIGKILL', () => {
  let fleet: SshdFleet;
  let t: SshTransport;

  beforeAll(async () => {
    const tsconfig = {
      extends: path.join(REPO_ROOT, 'tsconfig.json'),
      compilerOptions: { outDir: OUT, rootDir: REPO_ROOT, noEmit: false, incremental: false, sourceMap: false },
      files: [
        path.join(REPO_ROOT, 'src/apply/apply-files.ts'),
        path.join(REPO_ROOT, 'src/transport/ssh/ssh-transport.ts'),
      ],
      include: [],
    };
    await mkdir(OUT, { recursive: true });
    await writeFile(path.join(OUT, 'tsconfig.json'), JSON.stringify(tsconfig));
    await writeFile(path.join(OUT, 'child.mjs'), CHILD);
    const tsc = await execa('npx', ['tsc', '-p', path.join(OUT, 'tsconfig.json')], { cwd: REPO_ROOT, reject: false });
    if (!existsSync(path.join(OUT, 'src/apply/apply-files.js')))
      throw new Error(`tsc emitted nothing:\n${tsc.stdout}\n${tsc.stderr}`);
    fleet = await startSshdFleet(1, { firstOctet: 63 });
    t = await connectTo(fleet, fleet.hosts[0]!);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await fleet?.stop();
    await rm(OUT, { recursive: true, force: true });
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(await fleet.logs());
  });

  /** Starts the child applying `targets`; resolves its exit once it is killed or done. */
  function startChild(targets: readonly Target[]) {
    const h = fleet.hosts[0]!;
    const spec = {
      address: h.address,
      port: h.port,
      key: fleet.clientKey.path,
      knownHosts: fleet.knownHostsFile,
      files: targets,
    };
    const child = spawn(process.execPath, [path.join(OUT, 'child.mjs'), OUT, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, out })),
    );
    return { child, exited, output: () => out };
  }

  async function temps(dir: string): Promise<{ name: string; size: number }[]> {
    const names = (await readdir(dir)).filter((f) => f.includes('.rig-tmp-'));
    return Promise.all(
      names.map(async (name) => ({ name, size: (await stat(path.join(dir, name)).catch(() => ({ size: -1 }))).size })),
    );
  }

  async function poll<T>(
    what: string,
    deadlineMs: number,
    probe: () => Promise<T | undefined> | T | undefined,
  ): Promise<T> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it('mid-upload: every target keeps its old bytes, then a second apply converges and leaves no temp', async () => {
    const dir = path.join(fleet.dir, 'kill-upload');
    await mkdir(dir);
    const targets = [0, 1, 2].map((i) => ({ path: path.join(dir, `big-${i}.bin`), size: 20 * MB, fill: `new-${i}-` }));
    const old = targets.map((x, i) => Buffer.alloc(x.size - 1000 * i, `old-${i}-`));
    for (const [i, x] of targets.entries()) await writeFile(x.path, old[i]!);
    const fresh = targets.map((x) => Buffer.alloc(x.size, x.fill));
    const run = startChild(targets);
    const seen = await poll('a temp file over 2 MB', 30_000, async () => {
      const big = (await temps(dir)).filter((f) => f.size > 2 * MB);
      return big.length > 0 ? big : undefined;
    });
    run.child.kill('SIGKILL');
    const exit = await run.exited;
    expect(exit.signal, exit.out).toBe('SIGKILL');
    expect(exit.out).not.toContain('applied');
    const left = await temps(dir);
    console.log(`killed with temps ${JSON.stringify(seen)}; left behind: ${JSON.stringify(left)}`);
    expect(left.length).toBeGreaterThan(0);
    expect(left.some((f) => f.size < 20 * MB)).toBe(true); // a partial upload really was in flight
    for (const [i, x] of targets.entries()) {
      const h = sha(await readFile(x.path));
      expect([sha(old[i]!), sha(fresh[i]!)]).toContain(h);
    }
    const before = t.counters;
    await applyFiles(
      t,
      targets.map((x, i) => ({ path: x.path, content: fresh[i]!, contentChanged: true, mode: 0o644 })),
      [],
    );
    expect([t.counters.sftpChannels - before.sftpChannels, t.counters.execChannels - before.execChannels]).toEqual([
      0, 1,
    ]);
    for (const [i, x] of targets.entries()) expect(sha(await readFile(x.path))).toBe(sha(fresh[i]!));
    expect(await temps(dir)).toEqual([]);
  });

  it('killed at moments spread over a whole apply (upload and rename): never a partial target', async () => {
    const dir = path.join(fleet.dir, 'kill-spread');
    await mkdir(dir);
    const version = (v: number) =>
      [0, 1, 2, 3].map((i) => ({ path: path.join(dir, `f-${i}`), size: 2 * MB + i, fill: `v${v}-${i}-` }));
    const hashes = (v: number) => version(v).map((x) => sha(Buffer.alloc(x.size, x.fill)));
    for (const x of version(0)) await writeFile(x.path, Buffer.alloc(x.size, x.fill));
    // How long an unkilled apply takes, from the child's "connected" line.
    const probe = startChild(version(1));
    await poll('connected', 30_000, () => (probe.output().includes('connected') ? true : undefined));
    const started = Date.now();
    expect((await probe.exited).out).toContain('applied');
    const span = Date.now() - started;
    const outcomes: string[] = [];
    for (let k = 0; k < 8; k++) {
      const current = await Promise.all(version(0).map(async (x) => sha(await readFile(x.path))));
      const want = k % 2 === 0 ? 2 : 1;
      const run = startChild(version(want));
      await poll('connected', 30_000, () => (run.output().includes('connected') ? true : undefined));
      await new Promise((r) => setTimeout(r, (span * k) / 7));
      run.child.kill('SIGKILL');
      await run.exited;
      const now = await Promise.all(version(0).map(async (x) => sha(await readFile(x.path))));
      now.forEach((h, i) => expect([current[i], hashes(want)[i]]).toContain(h));
      outcomes.push(now.map((h, i) => (h === current[i] ? 'old' : 'new')).join('/'));
    }
    console.log(`unkilled apply: ${span} ms; outcomes of kills at 0..${span} ms: ${outcomes.join(', ')}`);
  });
});
