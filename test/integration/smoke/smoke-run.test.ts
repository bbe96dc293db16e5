// `rig smoke` against real hosts: a deployed stack on h1, a sample host h2; parallel checks, deadlines, targets, the
// output formats, exit codes, the journal, no deploy lock, a killed container and an unreachable host.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SmokeReportSchema, type SmokeReport } from '../../../src/smoke/smoke-report.js';
import { startComposeBed, type ComposeBed } from '../../helpers/compose-bed.js';
import { docker, dockerOk, inspectContainer, waitFor } from '../../helpers/docker/index.js';
import { REPO_ROOT, roleDir } from '../../helpers/project.js';
import { requireDocker, startHosts, type Testbed, type TestbedHost } from '../../helpers/testbed/index.js';
import { buildCli } from '../../helpers/build-cli.js';

const skip = await requireDocker();
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/smoke');
const XSD = path.join(REPO_ROOT, 'test/fixtures/junit/junit-10.xsd');

/** `check host status` of every result, in report order. */
const triples = (r: SmokeReport) => r.results.map((x) => `${x.check} ${x.host} ${x.status}`);

describe.skipIf(skip !== undefined)('rig smoke on real hosts', () => {
  let bed: ComposeBed;
  let tb2: Testbed;
  let h2: TestbedHost;
  const h2StateDir = () => `${h2.dataDir}/proj/.rig`;

  beforeAll(async () => {
    bed = await startComposeBed('smoke');
    tb2 = await startHosts(1);
    h2 = tb2.host('h1');
    const { root, host: h1 } = bed;
    writeFileSync(
      path.join(root, 'inventory/test/hosts.yml'),
      stringify({
        all: {
          children: {
            stack: {
              hosts: {
                h1: {
                  ansible_host: h1.address,
                  ansible_port: h1.port,
                  ansible_user: 'root',
                  ansible_ssh_private_key_file: h1.keyPath,
                },
              },
            },
            app: {
              hosts: {
                h2: {
                  ansible_host: h2.address,
                  ansible_port: h2.port,
                  ansible_user: 'root',
                  ansible_ssh_private_key_file: h2.keyPath,
                },
              },
            },
          },
        },
      }),
    );
    writeFileSync(
      path.join(root, 'inventory/test/known_hosts'),
      readFileSync(bed.tb.knownHostsPath, 'utf8') + readFileSync(tb2.knownHostsPath, 'utf8'),
    );
    writeFileSync(
      path.join(root, 'inventory/test/host_vars/h2.yml'),
      stringify({
        project_name: h2.composeProject,
        project_dir: `${h2.dataDir}/proj`,
        sample_dir: `${h2.dataDir}/app`,
        sample_api_key: 'not-a-real-key-123',
      }),
    );
    writeFileSync(
      path.join(root, 'playbooks/site.yml'),
      '- hosts: stack\n  roles: [stack]\n- hosts: app\n  roles: [sample]\n',
    );
    symlinkSync(roleDir('sample'), path.join(root, 'roles/sample'));
    mkdirSync(path.join(root, 'smoke-tests'));
    copyFileSync(
      path.join(REPO_ROOT, 'smoke-tests/services-healthy.ts'),
      path.join(root, 'smoke-tests/services-healthy.ts'),
    );
    for (const f of readdirSync(FIXTURES)) copyFileSync(path.join(FIXTURES, f), path.join(root, 'smoke-tests', f));
    await buildCli();
    const d = await bed.rig(['deploy', '--limit', 'h1']);
    if (d.code !== 0) console.error(d.out, d.err);
    expect(d.code).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await tb2?.stop();
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bed.tb.dumpLogs();
  });

  async function smokeJson(args: string[]): Promise<{ code: number; report: SmokeReport; err: string }> {
    const r = await bed.rig(['smoke', '--json', ...args]);
    return { code: r.code, err: r.err, report: SmokeReportSchema.parse(JSON.parse(r.out)) };
  }

  it('--json: every check on every targeted host, in parallel; the deadline fails over-deadline; no result where no target', async () => {
    const { code, report, err } = await smokeJson([]);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(triples(report)).toEqual([
      'advisory h1 fail',
      'fast h1 pass',
      'leaky h1 warn',
      'over-deadline h1 fail',
      'services-healthy h1 pass',
      'slow h1 pass',
      'advisory h2 fail',
      'fast h2 pass',
      'sample-only h2 skip',
    ]);
    const by = (check: string, host = 'h1') => report.results.find((r) => r.check === check && r.host === host)!;
    expect(by('over-deadline').evidence).toEqual(['deadline 1s exceeded', 'aborted: sleep 30']);
    expect(by('over-deadline').failsRun).toBe(true);
    // The deadline killed the command on the host, not only the wait for it.
    const script =
      'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < "$f"; echo; done 2>/dev/null | grep -c "^sleep 30" || true';
    const sleeping = async () => (await docker(['exec', bed.host.container, 'sh', '-c', script])).stdout.trim();
    await waitFor('sleep 30 killed on h1', async () => ((await sleeping()) === '0' ? true : undefined), 5000);
    expect(by('advisory').failsRun).toBe(false);
    expect(by('services-healthy').evidence[0]).toBe('2 services up: alpha, beta');
    expect(by('sample-only', 'h2').evidence).toEqual(['nothing to check for sample on h2 (port 8080)']);
    expect(report.summary).toEqual({ hosts: 2, total: 9, pass: 4, warn: 1, fail: 3, skip: 1 });
    // Parallel: the run takes about as long as its slowest check, far less than the checks' sum.
    const slowest = Math.max(...report.results.map((r) => r.durationMs));
    const sum = report.results.reduce((a, r) => a + r.durationMs, 0);
    console.log(
      `smoke wall ${report.durationMs} ms, slowest check ${slowest} ms (slow ${by('slow').durationMs} ms, fast ${by('fast').durationMs} ms), sum of checks ${sum} ms`,
    );
    expect(by('slow').durationMs).toBeGreaterThanOrEqual(2000);
    expect(report.durationMs).toBeLessThan(sum);
  }, 60_000);

  it('text: one line per host × check and a summary; exit 0 with warn, skip and a non-blocking failure; secrets masked', async () => {
    const r = await bed.rig([
      'smoke',
      '--only',
      'services-healthy,slow,fast,advisory',
      '--only',
      'sample-only',
      '--only',
      'leaky',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/\d+\.\d\ds/, 'T'))).toEqual([
      'FAIL  advisory          h1  T  advisory threshold crossed on h1  (non-blocking)',
      `PASS  fast              h1  T  h1 answers as ${bed.host.name}`,
      `WARN  leaky             h1  T  the api key *** is ${bed.secret.length} bytes long`,
      'PASS  services-healthy  h1  T  2 services up: alpha, beta',
      'PASS  slow              h1  T  slept on h1',
      'FAIL  advisory          h2  T  advisory threshold crossed on h2  (non-blocking)',
      `PASS  fast              h2  T  h2 answers as ${h2.name}`,
      'SKIP  sample-only       h2  T  nothing to check for sample on h2 (port 8080)',
      'smoke test: 8 results on 2 hosts: 4 pass, 1 warn, 2 fail, 1 skip in T: ok',
    ]);
    expect(r.out).not.toContain(bed.secret);
    const verbose = await bed.rig(['smoke', '--only', 'leaky', '-v']);
    expect(verbose.out).toContain(
      `      | container ${bed.container('alpha')} on ${bed.container('alpha').replace(/_alpha$/, '_backend')}`,
    );
    expect(verbose.out).not.toContain(bed.secret);
  }, 60_000);

  it('the built CLI (`node bin/rig.js smoke`, as cron runs it: no TTY, no stdin) loads the checks from source and exits as the suite does', async () => {
    const r = await execa(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/rig.js'), 'smoke', '--env', 'test', '--only', 'fast,services-healthy'],
      { cwd: bed.root, reject: false, stdin: 'ignore' },
    );
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(
      /^PASS {2}fast {14}h1 .*\nPASS {2}services-healthy {2}h1 .*\nPASS {2}fast {14}h2 .*\nsmoke test: 3 results on 2 hosts: 3 pass, 0 warn, 0 fail, 0 skip in \d+\.\d\ds: ok$/,
    );
    // Node strips the checks' types as it loads them: nothing is compiled into the repository
    expect(existsSync(path.join(bed.root, '.rig/build'))).toBe(false);
    const failing = await execa(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/rig.js'), 'smoke', '--env', 'test', '--only', 'over-deadline'],
      { cwd: bed.root, reject: false, stdin: 'ignore' },
    );
    expect(failing.exitCode).toBe(1);
  }, 60_000);

  it('--strict fails on a warning and on a non-blocking failure; usage errors name the flag or check', async () => {
    expect((await bed.rig(['smoke', '--only', 'fast', '--strict'])).code).toBe(0);
    expect((await bed.rig(['smoke', '--only', 'fast,leaky', '--strict'])).code).toBe(1);
    const advisory = await smokeJson(['--only', 'advisory', '--strict']);
    expect(advisory.code).toBe(1);
    expect(advisory.report.results.every((x) => x.failsRun)).toBe(true);
    const typo = await bed.rig(['smoke', '--only', 'fsat']);
    expect(typo.code).toBe(1);
    expect(typo.err).toBe(
      'rig: rig smoke --only: no check "fsat" (did you mean "fast"?) (checks: advisory, fast, leaky, over-deadline, sample-only, services-healthy, slow)',
    );
    expect((await bed.rig(['smoke', '--json', '--tap'])).err).toBe(
      'rig: rig smoke: --json and --tap both write to stdout: choose one',
    );
    expect((await bed.rig(['smoke', '--stirct'])).err).toMatch(
      /^rig: rig smoke: Unknown option '--stirct'.* \(did you mean "--strict"\?\)$/,
    );
  }, 60_000);

  it('--tap prints TAP 13 and --junit FILE writes JUnit XML that validates against the JUnit XSD', async () => {
    const file = path.join(bed.root, 'smoke-junit.xml');
    const r = await bed.rig(['smoke', '--only', 'fast,advisory,sample-only', '--tap', '--junit', file]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 3)).toEqual([
      'TAP version 13',
      '1..5',
      'not ok 1 - advisory on h1 # TODO non-blocking',
    ]);
    expect(r.out).toContain('ok 5 - sample-only on h2 # SKIP nothing to check for sample on h2 (port 8080)\n');
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('<testsuite name="h2" tests="3" failures="1" errors="0" skipped="1"');
    const lint = await execa('xmllint', ['--noout', '--schema', XSD, file], { reject: false });
    expect(lint.stderr).toBe(`${file} validates`);
  }, 60_000);

  it('takes no deploy lock (none is created, a held one is left alone) and journals one smoke.result per host', async () => {
    const lock = path.join(bed.stateDir, 'lock');
    expect(existsSync(lock)).toBe(false);
    expect((await bed.rig(['smoke', '--only', 'fast'])).code).toBe(0);
    expect(existsSync(lock)).toBe(false);
    const held = '{"holder":"someone else mid-deploy"}\n';
    writeFileSync(lock, held);
    expect((await bed.rig(['smoke', '--only', 'fast'])).code).toBe(0);
    expect(readFileSync(lock, 'utf8')).toBe(held);
    await dockerOk(['exec', bed.host.container, 'rm', '-f', `${bed.stateDir}/lock`]);
    const hostLines = readFileSync(path.join(bed.stateDir, 'journal.jsonl'), 'utf8').trimEnd().split('\n');
    const last = JSON.parse(hostLines.at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({
      event: 'smoke.result',
      env: 'test',
      host: 'h1',
      user: 'tester',
      command: 'smoke',
      ok: true,
      summary: 'smoke: 1 pass, 0 warn, 0 fail, 0 skip',
    });
    expect(last['results']).toEqual([
      {
        check: 'fast',
        status: 'pass',
        blocking: true,
        durationMs: expect.any(Number),
        evidence: [`h1 answers as ${bed.host.name}`],
      },
    ]);
    // h2 was never deployed to: no state dir, so nothing is written there; the workstation's mirror has both hosts.
    expect(existsSync(h2StateDir())).toBe(false);
    for (const h of ['h1', 'h2']) {
      const mirror = readFileSync(path.join(bed.root, '.rig/journal/test', `${h}.jsonl`), 'utf8');
      expect(mirror.trimEnd().split('\n').at(-1)).toContain('"event":"smoke.result"');
    }
    const journalText =
      readFileSync(path.join(bed.stateDir, 'journal.jsonl'), 'utf8') +
      readFileSync(path.join(bed.root, '.rig/journal/test/h1.jsonl'), 'utf8');
    expect(journalText).not.toContain(bed.secret);
    const history = await bed.rig(['history', '--host', 'h1']);
    expect(history.out).toMatch(/ h1 smoke\.result tester smoke: 1 pass, 0 warn, 0 fail, 0 skip command=smoke /);
  }, 60_000);

  it('a killed container makes services-healthy fail with the container and its state', async () => {
    await dockerOk(['kill', bed.container('alpha')]);
    await waitFor(
      'alpha killed',
      async () => ((await inspectContainer(bed.container('alpha')))?.running === false ? true : undefined),
      10_000,
    );
    const { code, report } = await smokeJson(['--only', 'services-healthy']);
    expect(code).toBe(1);
    expect(report.results.map((r) => [r.host, r.status, r.evidence])).toEqual([
      [
        'h1',
        'fail',
        [
          `1 of 2 services not healthy: ${bed.container('alpha')} (exited with code 137)`,
          `${bed.container('alpha')}: exited with code 137`,
          `${bed.container('beta')}: running, healthy`,
        ],
      ],
    ]);
    await dockerOk(['start', bed.container('alpha')]);
  }, 60_000);

  it('an unreachable host: each of its checks fails naming the host and the error; the other host goes on', async () => {
    await tb2.stopHost('h1');
    try {
      const { code, report } = await smokeJson(['--only', 'fast,advisory']);
      expect(code).toBe(1);
      expect(triples(report)).toEqual(['advisory h1 fail', 'fast h1 pass', 'advisory h2 fail', 'fast h2 fail']);
      for (const r of report.results.filter((x) => x.host === 'h2'))
        expect(r.evidence).toEqual([expect.stringMatching(/^h2: unreachable: .*ECONNREFUSED/)]);
    } finally {
      await tb2.startHost('h1');
    }
  }, 60_000);
});
