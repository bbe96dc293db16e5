// `rig drift` on a real host: never deployed (error), in sync after a deploy, hand edits, a chmod, a container
// recreated by hand from another image, a removed and a stopped one, a compose file edited by hand and a container
// made from it; exit codes 0/2/1; no lock, nothing written, 2 round trips.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  afterStartOf,
  composeUpByHand,
  editComposeEntryByHand,
  startComposeBed,
  type ComposeBed,
} from '../../helpers/compose-bed.js';
import { docker, dockerOk, imageId, inspectContainer, retagVariant } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();

interface DriftJson {
  exitCode: number;
  hosts: {
    host: string;
    status: string;
    error?: string;
    items?: { kind: string; subject: string; what: string; line: string; diff?: string[] }[];
    execs?: number;
  }[];
}

describe.skipIf(skip !== undefined)('rig drift on a real host', () => {
  let bed: ComposeBed;
  const other = 'rigtest-drift/other:1';
  const cfg = () => `${bed.host.dataDir}/proj/cfg`;
  const onHost = (script: string) => dockerOk(['exec', bed.host.container, 'sh', '-c', script]);
  /** Every path under the project dir with size, mode and mtime: equal before and after means nothing was written. */
  const tree = () => onHost(`find ${bed.host.dataDir}/proj -printf '%p %s %m %T@\\n' | sort`);
  const drift = async (args: string[] = []) => {
    const before = await tree();
    const r = await bed.rig(['drift', ...args]);
    expect(await tree()).toBe(before);
    return r;
  };
  const json = async () => {
    const r = await drift(['--json']);
    return { code: r.code, report: JSON.parse(r.out) as DriftJson };
  };

  beforeAll(async () => {
    bed = await startComposeBed('drift');
  }, 180_000);
  afterAll(async () => {
    await bed?.stop();
    await docker(['rmi', '-f', other]);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await bed.tb.dumpLogs();
  });

  it('a host rig never deployed is an error for that host (exit 1)', async () => {
    const r = await bed.rig(['drift']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`h1: error: never deployed by rig: no release in ${bed.stateDir}/releases`);
    expect(r.out).toContain('drift: env test: 1 host, 0 in sync, 0 drifted, 1 not compared');
  });

  it('right after a deploy: in sync (exit 0), in 2 round trips, with no lock taken and nothing written', async () => {
    const d = await bed.rig(['deploy']);
    expect(d.code).toBe(0);
    const r = await drift();
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^h1: in sync with release \d{8}T\d{6}Z-[0-9a-f]{4} by tester \(3 files, 2 dirs, 2 services, 1 network\)$/m,
    );
    const { report } = await json();
    expect(report.hosts[0]).toMatchObject({ host: 'h1', status: 'in-sync', items: [], execs: 2 });
    expect((await docker(['exec', bed.host.container, 'test', '-e', `${bed.stateDir}/lock`])).code).not.toBe(0);
  });

  it('hand edits: a diff for the plain file, only "content changed" for the sensitive env file, and a chmod (exit 2)', async () => {
    await onHost(
      `printf 'hand edit\\n' >> ${cfg()}/alpha/app.conf && printf 'EXTRA=by-hand\\n' >> ${cfg()}/alpha.env && chmod 0644 ${cfg()}/beta.env`,
    );
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.out).toContain('h1: 3 drifted from release ');
    expect(r.out).toMatch(
      new RegExp(
        `  ~ ${cfg()}/alpha/app.conf: content changed \\(hand edit\\?\\): sha256 [0-9a-f]{12}… in the release, [0-9a-f]{12}… on the host \\(1 line → 2 lines\\)\\n`,
      ),
    );
    expect(r.out).toContain(
      `      --- ${cfg()}/alpha/app.conf (release)\n      +++ ${cfg()}/alpha/app.conf (host)\n      @@ -1,1 +1,2 @@\n       hello\n      +hand edit\n`,
    );
    expect(r.out).toMatch(
      new RegExp(
        `  ~ ${cfg()}/alpha.env: content changed \\(hand edit\\?\\): sha256 [0-9a-f]{12}… in the release, [0-9a-f]{12}… on the host; sensitive, content not shown\\n`,
      ),
    );
    expect(r.out).toContain(`  ~ ${cfg()}/beta.env: mode 0644, release says 0600\n`);
    expect(r.out).not.toContain('EXTRA');
    expect(r.out).not.toContain(bed.secret);
    // The env file change is not (yet) seen by the running container: its fingerprint still matches the release.
    expect(r.out).not.toContain('alpha: container');
    const { report } = await json();
    expect(report.hosts[0]?.execs).toBe(3);
    expect(report.hosts[0]?.items?.map((i) => `${i.what} ${i.subject}`)).toEqual([
      `content ${cfg()}/alpha.env`,
      `attrs ${cfg()}/beta.env`,
      `content ${cfg()}/alpha/app.conf`,
    ]);
  });

  it('a deploy puts it back: in sync again', async () => {
    expect((await bed.rig(['deploy'])).code).toBe(0);
    expect((await drift()).code).toBe(0);
  });

  it('a container recreated by hand from another image, one removed and one deleted file (exit 2)', async () => {
    const alpha = await inspectContainer(bed.container('alpha'));
    const released = await imageId(bed.images.alpha);
    const otherId = await retagVariant('local/rig-svc:1', other, 'drift');
    await dockerOk(['rm', '-f', bed.container('alpha')]);
    await dockerOk([
      'run',
      '-d',
      '--name',
      bed.container('alpha'),
      ...Object.entries(alpha?.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      other,
    ]);
    await dockerOk(['rm', '-f', bed.container('beta')]);
    await onHost(`rm ${cfg()}/alpha/app.conf`);
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.out).toContain(`  - ${cfg()}/alpha/app.conf: missing (the release has a file here)\n`);
    expect(r.out).toContain(
      `  ~ alpha: container runs image sha256:${otherId.slice(7, 19)}…, release says sha256:${released?.slice(7, 19)}…\n`,
    );
    expect(r.out).toContain(`  - beta: container missing (${bed.container('beta')})\n`);
    expect(r.out).not.toContain('rig.fingerprint');
    expect((await bed.rig(['deploy'])).code).toBe(0);
    expect((await drift()).code).toBe(0);
  });

  it('a stopped service and a container of the project the release does not have', async () => {
    await dockerOk(['stop', '-t', '1', bed.container('beta')]);
    const alpha = await inspectContainer(bed.container('alpha'));
    const labels = { ...alpha?.labels, 'com.docker.compose.service': 'stray', 'rig.fingerprint': 'f'.repeat(64) };
    await dockerOk([
      'run',
      '-d',
      '--name',
      `${bed.container('alpha')}_stray`,
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      bed.images.alpha,
    ]);
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/ {2}! beta: not running \(exited \d+\)\n/);
    expect(r.out).toContain(
      `  + stray: container ${bed.container('alpha')}_stray of the project is not in the release\n`,
    );
    await dockerOk(['rm', '-f', `${bed.container('alpha')}_stray`]);
  });

  it("a service reloaded in place (labels of its creation, newer config) is in sync, and so it stays when compose recreates it from rig's file", async () => {
    bed.setVars({ stack_alpha_reload: true });
    expect((await bed.rig(['deploy'])).code).toBe(0);
    bed.setVars({ stack_alpha_reload: true, stack_alpha_conf: 'reloaded\n' });
    const d = await bed.rig(['deploy']);
    expect(d.out).toMatch(/reload alpha: app\.conf changed \(reload in place/);
    const alphaBefore = await inspectContainer(bed.container('alpha'));
    const r = await drift();
    expect(r.out).toMatch(/^h1: in sync with release /m);
    expect(r.code).toBe(0);
    await composeUpByHand(bed, 'alpha');
    // The new container carries the compose file's labels: the release's fingerprint, no reload record needed.
    expect((await inspectContainer(bed.container('alpha')))?.labels['rig.fingerprint']).not.toBe(
      alphaBefore?.labels['rig.fingerprint'],
    );
    expect((await drift()).code).toBe(0);
    // a reload record of this very container with another app.conf than the release's (a later deploy cut short
    // after its reload): its labels are the release's, what it took in since is not
    const record = `${bed.stateDir}/reloads/${bed.container('alpha')}.json`;
    const id = (await inspectContainer(bed.container('alpha')))?.id;
    const took = JSON.stringify({ id, inputs: { [`file:${cfg()}/alpha/app.conf`]: 'c'.repeat(16) } });
    await onHost(`printf '%s' '${took}' > ${record}`);
    const stale = await drift();
    expect(stale.code).toBe(2);
    expect(stale.out).toContain(
      '~ alpha: container runs other inputs than the release: app.conf changed (reload in place',
    );
    await onHost(`rm ${record}`);
    expect((await drift()).code).toBe(0);
  });

  it("a container made by hand under a service's name is named as such; a deploy replaces it", async () => {
    await dockerOk(['rm', '-f', bed.container('beta')]);
    await dockerOk(['run', '-d', '--name', bed.container('beta'), bed.images.beta]);
    const r = await drift();
    expect(r.code).toBe(2);
    expect(r.out).toContain(
      `  ~ beta: ${bed.container('beta')} is a container outside the compose project (made by hand?); the service's own is missing\n`,
    );
    expect((await bed.rig(['deploy'])).code).toBe(0);
    expect((await drift()).code).toBe(0);
  });

  it('the compose file edited by hand: its diff; the service it changed once compose up made its container from it', async () => {
    const file = `${bed.host.dataDir}/proj/compose.apps.yml`;
    // in a later second than alpha's start: the edit falls after it
    await afterStartOf(bed.container('alpha'));
    await editComposeEntryByHand(bed, 'alpha');
    const edited = await drift();
    expect(edited.code).toBe(2);
    expect(edited.out).toContain(`  ~ ${file}: content changed (hand edit?)`);
    expect(edited.out).toContain('+    environment: {HAND: by-hand}');
    // the container was created before the edit: it runs the release's entry
    expect(edited.out).not.toMatch(/~ alpha:/);

    await composeUpByHand(bed, 'alpha');
    const made = await drift();
    expect(made.code).toBe(2);
    expect(made.out).toContain(
      '  ~ alpha: container runs other inputs than the release: its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?)\n',
    );
    expect(made.out).not.toMatch(/~ beta:/);
    expect((await bed.rig(['deploy'])).code).toBe(0);
    expect((await drift()).code).toBe(0);
  });
});
