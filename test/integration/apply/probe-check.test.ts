// The healthcheck-program pre-check on a real host and engine: a (re)created service whose healthcheck program is not
// in its image stops the deploy before anything is written or stopped; answers are cached by image ID on the
// workstation.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startComposeBed, type ComposeBed } from '../../helpers/compose-bed.js';
import { dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();
if (skip) console.warn(`SKIP probe-check: ${skip}`);

interface DeployJson {
  results: { host: string; status: string; changes: number; error?: string; roundTrips: { execChannels: number } }[];
}

describe.skipIf(skip !== undefined)('healthcheck programs are checked in the image before anything stops', () => {
  let bed: ComposeBed;
  const outputs: string[] = [];
  const rig = async (args: string[]) => {
    const r = await bed.rig(args);
    outputs.push(r.out, r.err);
    return r;
  };
  const deployJson = async (): Promise<DeployJson['results'][number]> => {
    const r = await rig(['deploy', '--json', '-']);
    return (JSON.parse(r.out) as DeployJson).results[0] as DeployJson['results'][number];
  };
  const cacheDir = () => path.join(bed.root, '.rig', 'cache', 'probes');
  /** `run`'s result and how many probe containers of alpha's image the engine created meanwhile. */
  const probesCreatedDuring = async <T>(run: () => Promise<T>): Promise<{ result: T; probes: number }> => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const result = await run();
    const until = Math.ceil(Date.now() / 1000) + 1;
    const filters = [
      '--filter',
      'event=create',
      '--filter',
      'label=rig.probe=1',
      '--filter',
      `image=${bed.images.alpha}`,
    ];
    const events = await dockerOk([
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      ...filters,
      '--format',
      '{{.ID}}',
    ]);
    return { result, probes: events.split('\n').filter((l) => l.trim() !== '').length };
  };
  /**
   * Probe containers of this bed's alpha image: by the name they were created with, not `ancestor=`, which matches the
   * image id, shared by every suite's rig-svc tag (another suite's lookup may be under way).
   */
  const leftovers = async () =>
    (await dockerOk(['ps', '-a', '--filter', 'label=rig.probe', '--format', '{{.ID}} {{.Image}}']))
      .split('\n')
      .filter((l) => l.split(' ')[1] === bed.images.alpha)
      .join('\n');

  beforeAll(async () => {
    bed = await startComposeBed('probe');
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') {
      console.error(outputs.slice(-6).join('\n'));
      await bed.tb.dumpLogs();
    }
  });

  it('a first deploy whose healthcheck program is missing refuses with the service, the image and where it looked; nothing is created', async () => {
    bed.setVars({ stack_alpha_health: ['curl', '-fsS', 'http://127.0.0.1:8080/cgi-bin/health'] });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    const looked = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']
      .map((d) => `${d}/curl`)
      .join(', ');
    expect(r.out).toContain('h1: pre-checks failed, nothing was changed:\n');
    expect(r.out).toContain(
      `  - service alpha: its healthcheck runs "curl", which image ${bed.images.alpha} does not have (looked for ${looked}): the container could never become healthy`,
    );
    expect(r.out).not.toContain('service beta');
    expect(await inspectContainer(bed.container('alpha'))).toBeUndefined();
    expect(await inspectContainer(bed.container('beta'))).toBeUndefined();
    expect(existsSync(path.join(bed.host.dataDir, 'proj', 'compose.apps.yml'))).toBe(false);
    expect(await leftovers()).toBe('');
  });

  it('a program that is there but not executable, and a relative one, are refused the same way', async () => {
    bed.setVars({ stack_alpha_health: ['/etc/passwd'] });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `service alpha: its healthcheck runs "/etc/passwd", but /etc/passwd in image ${bed.images.alpha} is not an executable file (-rw-r--r--)`,
    );
    bed.setVars({ stack_alpha_health: ['usr/local/bin/nope.sh'] });
    const relative = await rig(['deploy']);
    expect(relative.out).toContain(
      `service alpha: its healthcheck runs "usr/local/bin/nope.sh", which image ${bed.images.alpha} does not have (looked for /usr/local/bin/nope.sh)`,
    );
    expect(await inspectContainer(bed.container('alpha'))).toBeUndefined();
  });

  it('with the program there the deploy goes on; a no-op deploy asks nothing (1 exec); a recreate on a known image asks the cache only', async () => {
    bed.setVars({ stack_alpha_health: ['/usr/local/bin/healthcheck.sh'] });
    const first = await deployJson();
    expect([first.status, first.error]).toEqual(['changed', undefined]);
    expect((await inspectContainer(bed.container('alpha')))?.health).toBe('healthy');
    expect(readdirSync(cacheDir()).length).toBeGreaterThan(0);
    expect((await deployJson()).roundTrips.execChannels).toBe(1);

    // an env change recreates alpha on the same image: answered from the cache, no exec for it
    // (counted as the probe containers the engine created: exec counts also hold the gate's polls, which vary)
    bed.setVars({
      stack_alpha_health: ['/usr/local/bin/healthcheck.sh'],
      stack_alpha_env: { FOO: 'two', API_KEY: '{{ vault_api_key }}' },
    });
    const cached = await probesCreatedDuring(deployJson);
    expect([cached.result.status, cached.probes]).toEqual(['changed', 0]);
    // the same change again without the cache: the lookup on the host, one probe container
    rmSync(cacheDir(), { recursive: true });
    bed.setVars({
      stack_alpha_health: ['/usr/local/bin/healthcheck.sh'],
      stack_alpha_env: { FOO: 'three', API_KEY: '{{ vault_api_key }}' },
    });
    const asked = await probesCreatedDuring(deployJson);
    expect([asked.result.status, asked.probes]).toEqual(['changed', 1]);
    expect(await leftovers()).toBe('');
  });

  it('a recreate to a missing program leaves the running container untouched', async () => {
    const before = await inspectContainer(bed.container('alpha'));
    bed.setVars({
      stack_alpha_health: 'exec curl -fsS http://127.0.0.1:8080/cgi-bin/health',
      stack_alpha_env: { FOO: 'three', API_KEY: '{{ vault_api_key }}' },
    });
    // a shell line needs the image's shell only: rig-svc has /bin/sh, so this one passes the pre-check
    expect((await rig(['plan'])).out).toContain('~ recreate alpha: definition changed (healthcheck)');
    bed.setVars({ stack_alpha_health: ['curl'], stack_alpha_env: { FOO: 'three', API_KEY: '{{ vault_api_key }}' } });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('service alpha: its healthcheck runs "curl"');
    const after = await inspectContainer(bed.container('alpha'));
    expect([after?.id, after?.startedAt]).toEqual([before?.id, before?.startedAt]);
  });
});
