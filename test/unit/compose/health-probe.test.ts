// The healthcheck-program pre-check, pure parts: which program a healthcheck needs, the planner attaching it to
// (re)created services only, the fact's parser on recorded output (docker 20.10), the messages, the workstation cache.
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { healthProbeOf, probeKey } from '../../../src/compose/health-probe.js';
import { planServices } from '../../../src/compose/plan-services.js';
import { serviceSpecSchema } from '../../../src/core/desired/service.js';
import { probeProblem } from '../../../src/apply/apply-probes.js';
import type { ServiceStep } from '../../../src/core/plan-data/plan-types.js';
import { fileProbeCache } from '../../../src/apply/probe-cache.js';
import { imageProgramCmd, parseImagePrograms } from '../../../src/facts/containers/image-program.js';
import { deployed, desiredOf, dockerState, ID_A, image, role, svc } from './compose-fixtures.js';

const spec = (over: Record<string, unknown>) => serviceSpecSchema.parse({ image: 'app:1', ...over });
const hc = (test: string | string[]) => ({ healthcheck: { test } });

describe('healthProbeOf', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['no healthcheck: nothing to look for', {}, undefined],
    ['CMD: argv[0]', hc(['wget', '-q', 'http://x']), { image: 'app:1', program: 'wget' }],
    ["CMD-SHELL: the image's shell (program undefined)", hc('curl -f http://x || exit 1'), { image: 'app:1' }],
    [
      "the service's PATH and working dir override the image's",
      { ...hc(['probe']), environment: { PATH: '/opt/bin' }, workingDir: '/app' },
      { image: 'app:1', program: 'probe', path: '/opt/bin', workingDir: '/app' },
    ],
  ])('%s', (_t, over, expected) => {
    expect(healthProbeOf(spec(over))).toEqual(expected);
  });

  it('keys a lookup by program, PATH and working dir, not by image', () => {
    expect(probeKey({ program: 'wget' })).toBe(probeKey({ program: 'wget' }));
    expect(
      new Set([
        probeKey({ program: 'wget' }),
        probeKey({}),
        probeKey({ program: 'wget', path: '/bin' }),
        probeKey({ program: 'wget', workingDir: '/' }),
      ]).size,
    ).toBe(4);
  });
});

describe('the planner attaches the probe to created and recreated services only', () => {
  const ops = (health: string[]) => [role('web', [svc('web', { image: 'app:1', healthcheck: { test: health } })])];
  const probeOf = (steps: readonly unknown[]) => (steps as ServiceStep[]).find((s) => s.kind === 'service')?.probe;

  it('create: the image ID is not known yet (pulled at apply)', () => {
    const desired = desiredOf(ops(['wget']));
    const plan = planServices({ host: 'h', desired, docker: dockerState({}), fileSteps: [], removeUndeclared: true });
    expect(probeOf(plan.steps)).toEqual({ image: 'app:1', program: 'wget' });
  });

  it('recreate: the image ID from the facts (the cache key); nothing to do: no step, no probe', () => {
    const before = desiredOf(ops(['wget']));
    const running = deployed(before.services[0]!);
    const after = desiredOf(ops(['curl']));
    const recreate = planServices({
      host: 'h',
      desired: after,
      docker: dockerState({ containers: [running], images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(probeOf(recreate.steps)).toEqual({ image: 'app:1', program: 'curl', imageId: ID_A });
    const same = planServices({
      host: 'h',
      desired: before,
      docker: dockerState({ containers: [running], images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect(same.steps).toEqual([]);
  });

  it('start (a stopped container, same definition): no probe', () => {
    const before = desiredOf(ops(['wget']));
    const stopped = deployed(before.services[0]!, { status: 'exited', running: false, exitCode: 1 });
    const plan = planServices({
      host: 'h',
      desired: before,
      docker: dockerState({ containers: [stopped], images: { 'app:1': image(ID_A) } }),
      fileSteps: [],
      removeUndeclared: true,
    });
    expect((plan.steps as ServiceStep[]).map((s) => [s.action, s.probe])).toEqual([['start', undefined]]);
  });
});

/** Recorded on this machine's docker 20.10.24 (local/busybox:1, local/headscale-standin:1, a target host's CLI). */
const RECORDED = [
  'probe\t1\tsha256:9b844dfbbfa81b226d22bfc28afd3a5e932adf4c2415260ee7961d8a55b350c9',
  'cand\t1\t/usr/local/sbin/wget\t! Error response from daemon: Could not find the file /usr/local/sbin/wget in container 03f80cc08cc9',
  'cand\t1\t/usr/bin/wget\t-rwxr-xr-x root/root   1982256 2026-12-05 09:09 busybox',
  'probe\t2\tsha256:9b844dfbbfa81b226d22bfc28afd3a5e932adf4c2415260ee7961d8a55b350c9',
  'cand\t2\t/usr/bin/nope\t! Error: No such container:path: 90a785dcc88e:/usr/bin/nope',
  'cand\t2\t/bin/nope\t! Error response from daemon: Could not find the file /bin/nope in container 03f80cc08cc9',
  'probe\t3\tsha256:9b844dfbbfa81b226d22bfc28afd3a5e932adf4c2415260ee7961d8a55b350c9',
  'cand\t3\t/etc/passwd\t-rw-r--r-- root/root        82 2026-12-05 09:09 passwd',
  'probe\t4\t-\t Error response from daemon: no such image: local/nonexistent:9: No such image: local/nonexistent:9',
  'probe\t5\tsha256:b6ad158435cf3b00028c50ac3f83535ae1e13a29a358c3570ba57d5731a2414d',
  'cand\t5\t/bin/sh\t! Error response from daemon: error while creating mount source path: permission denied',
  '',
].join('\n');

describe('fact image-program', () => {
  it('parses each answer: found, missing (either docker wording), not executable, image errors, other cp errors', () => {
    const id = 'sha256:9b844dfbbfa81b226d22bfc28afd3a5e932adf4c2415260ee7961d8a55b350c9';
    expect(parseImagePrograms(RECORDED, 5)).toEqual([
      { kind: 'found', imageId: id, path: '/usr/bin/wget', mode: '-rwxr-xr-x' },
      { kind: 'missing', imageId: id, searched: ['/usr/bin/nope', '/bin/nope'] },
      { kind: 'not-executable', imageId: id, path: '/etc/passwd', mode: '-rw-r--r--' },
      {
        kind: 'error',
        message: 'Error response from daemon: no such image: local/nonexistent:9: No such image: local/nonexistent:9',
      },
      {
        kind: 'error',
        imageId: 'sha256:b6ad158435cf3b00028c50ac3f83535ae1e13a29a358c3570ba57d5731a2414d',
        message:
          'docker cp /bin/sh: Error response from daemon: error while creating mount source path: permission denied',
      },
    ]);
  });

  it('throws on a missing answer or an unknown line', () => {
    expect(() => parseImagePrograms(RECORDED, 6)).toThrow('image-program: no answer for healthcheck 6 of 6');
    expect(() => parseImagePrograms('junk\t1\n', 1)).toThrow('image-program: unexpected line "junk\\t1"');
  });

  it('passes every query as positional arguments, never in the script text', () => {
    const cmd = imageProgramCmd(
      [
        { image: "a'b:1", program: '$(touch /x)' },
        { image: 'c:2', path: '/opt' },
      ],
      { pull: true },
    );
    expect(cmd.argv.slice(3)).toEqual([
      'sh',
      'pull',
      '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      "a'b:1",
      '$(touch /x)',
      '',
      '',
      'c:2',
      '',
      '/opt',
      '',
    ]);
    expect(cmd.argv[2]).not.toContain('touch');
  });
});

describe("probeProblem: the pre-check's words", () => {
  const probe = { image: 'ghcr.io/juanfont/headscale:0.23.0@sha256:abc', program: 'wget' };
  it.each<[string, Parameters<typeof probeProblem>[2], string | undefined]>([
    ['found: no problem', { kind: 'found', imageId: ID_A, path: '/usr/bin/wget', mode: '-rwxr-xr-x' }, undefined],
    [
      'missing',
      { kind: 'missing', imageId: ID_A, searched: ['/usr/bin/wget', '/ko-app/wget'] },
      'service headscale: its healthcheck runs "wget", which image ghcr.io/juanfont/headscale:0.23.0@sha256:abc does not have (looked for /usr/bin/wget, /ko-app/wget): the container could never become healthy; give the service a healthcheck the image can run',
    ],
    [
      'not executable',
      { kind: 'not-executable', imageId: ID_A, path: '/usr/bin/wget', mode: '-rw-r--r--' },
      'service headscale: its healthcheck runs "wget", but /usr/bin/wget in image ghcr.io/juanfont/headscale:0.23.0@sha256:abc is not an executable file (-rw-r--r--): the container could never become healthy',
    ],
    [
      'could not look',
      { kind: 'error', message: 'docker: command not found' },
      'service headscale: its healthcheck runs "wget", which could not be looked for in image ghcr.io/juanfont/headscale:0.23.0@sha256:abc: docker: command not found',
    ],
  ])('%s', (_t, lookup, expected) => {
    expect(probeProblem('headscale', probe, lookup)).toBe(expected);
  });

  it('a CMD-SHELL test names the shell', () => {
    expect(probeProblem('x', { image: 'i' }, { kind: 'missing', imageId: ID_A, searched: ['/bin/sh'] })).toMatch(
      /^service x: its healthcheck runs the shell of its CMD-SHELL test, which image i does not have \(looked for \/bin\/sh\)/,
    );
  });
});

describe('the workstation probe cache', () => {
  it('keeps answers by image ID across instances (files 0600 in 0700 dirs), never an error, and shrugs off a damaged file', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rig-probe-cache-'));
    const found = { kind: 'found' as const, imageId: ID_A, path: '/bin/sh', mode: '-rwxr-xr-x' };
    const a = fileProbeCache(root);
    expect(a.get(ID_A, 'k')).toBeUndefined();
    a.put(ID_A, 'k', found);
    a.put(ID_A, 'e', { kind: 'error', imageId: ID_A, message: 'daemon down' });
    a.put('not-an-id', 'k', found);
    const dir = path.join(root, '.rig', 'cache', 'probes');
    expect(readdirSync(dir)).toEqual([`${'a'.repeat(64)}.json`]);
    expect([statSync(dir).mode & 0o777, statSync(path.join(dir, readdirSync(dir)[0]!)).mode & 0o777]).toEqual([
      0o700, 0o600,
    ]);
    const b = fileProbeCache(root);
    expect([b.get(ID_A, 'k'), b.get(ID_A, 'e')]).toEqual([found, undefined]);
    writeFileSync(path.join(dir, `${'a'.repeat(64)}.json`), '{ not json');
    expect(fileProbeCache(root).get(ID_A, 'k')).toBeUndefined();
  });
});
