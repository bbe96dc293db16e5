// The recreation matrix on a real engine: exactly the services whose env, mounted config or image changed are
// recreated.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  afterStartOf,
  composeUpByHand,
  editComposeEntryByHand,
  projectEvents,
  snapshot,
  startComposeBed,
  type ComposeBed,
} from '../../helpers/compose-bed.js';
import { docker, dockerOk, httpGetInContainer, inspectContainer, retagVariant } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();

describe.skipIf(skip !== undefined)('compose recreation matrix', () => {
  let bed: ComposeBed;
  const outputs: string[] = [];
  const rig = async (args: string[]) => {
    const r = await bed.rig(args);
    outputs.push(r.out, r.err);
    return r;
  };

  beforeAll(async () => {
    bed = await startComposeBed('matrix');
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

  it('first deploy creates both services healthy, then a second deploy touches nothing and issues no compose up', async () => {
    const first = await rig(['deploy']);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('+ create beta: new service  [stack]');
    expect(first.out).toContain('+ create alpha: new service  [stack]');
    expect((await inspectContainer(bed.container('alpha')))?.health).toBe('healthy');
    expect((await inspectContainer(bed.container('beta')))?.health).toBe('healthy');
    expect(await httpGetInContainer(bed.container('alpha'), '/env')).toContain('FOO=one');

    const before = await snapshot(bed, ['alpha', 'beta']);
    const t0 = Math.floor(Date.now() / 1000);
    const plan = await rig(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.out).toContain('h1: nothing to do');
    const again = await rig(['deploy', '--json', '-']);
    expect(again.code).toBe(0);
    const json = JSON.parse(again.out) as { results: { changes: number; roundTrips: unknown }[] };
    expect(json.results[0]?.changes).toBe(0);
    // every fact and the lock check in one exec; nothing to do, so no lock is taken and nothing is written
    expect(json.results[0]?.roundTrips).toEqual({ connections: 1, execChannels: 1, sftpChannels: 0 });
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
    expect(await projectEvents(bed, t0)).toEqual([]);
  });

  it('an env value change recreates only that service, which then sees the new value; the reason names the key', async () => {
    const before = await snapshot(bed, ['alpha', 'beta']);
    bed.setVars({ stack_alpha_env: { FOO: 'two', NEW: 'x', API_KEY: '{{ vault_api_key }}' } });
    const plan = await rig(['plan']);
    expect(plan.out).toContain('~ recreate alpha: env alpha.env changed (+NEW ~FOO)  [stack]');
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    const after = await snapshot(bed, ['alpha', 'beta']);
    expect(after['alpha']?.id).not.toBe(before['alpha']?.id);
    expect(after['beta']).toEqual(before['beta']);
    const env = await httpGetInContainer(bed.container('alpha'), '/env');
    expect(env).toContain('FOO=two');
    expect(env).toContain('NEW=x');
  });

  it('a replaced bind-mounted config file recreates only its service, which sees the new content', async () => {
    const before = await snapshot(bed, ['alpha', 'beta']);
    bed.setVars({
      stack_alpha_env: { FOO: 'two', NEW: 'x', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_conf: 'hello again\n',
    });
    const r = await rig(['deploy']);
    expect(r.out).toContain('~ recreate alpha: app.conf changed  [stack]');
    expect(r.code).toBe(0);
    const after = await snapshot(bed, ['alpha', 'beta']);
    expect(after['alpha']?.id).not.toBe(before['alpha']?.id);
    expect(after['beta']).toEqual(before['beta']);
    expect(await httpGetInContainer(bed.container('alpha'), '/files/app.conf')).toBe('hello again\n');
  });

  it('an image that changed under its tag recreates only that service, on the new image', async () => {
    const before = await snapshot(bed, ['alpha', 'beta']);
    const newId = await retagVariant('local/rig-svc:1', bed.images.beta, 'matrix-2');
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    const changed = `~ recreate beta: image changed: ${bed.images.beta} is now sha256:[0-9a-f]{12}, the container runs sha256:[0-9a-f]{12}`;
    expect(r.out).toMatch(new RegExp(changed.replaceAll('.', '\\.')));
    const after = await snapshot(bed, ['alpha', 'beta']);
    expect(after['beta']?.id).not.toBe(before['beta']?.id);
    expect(after['alpha']).toEqual(before['alpha']);
    expect((await inspectContainer(bed.container('beta')))?.image).toBe(newId);
  });

  it('a service added is the only one created; removed, the only one removed', async () => {
    const vars = {
      stack_alpha_env: { FOO: 'two', NEW: 'x', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_conf: 'hello again\n',
    };
    const before = await snapshot(bed, ['alpha', 'beta']);
    bed.setVars({ ...vars, stack_gamma: true });
    const add = await rig(['deploy']);
    expect(add.code).toBe(0);
    expect(add.out).toContain('+ create gamma: new service  [stack]');
    expect((await inspectContainer(bed.container('gamma')))?.running).toBe(true);
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
    bed.setVars(vars);
    const remove = await rig(['deploy']);
    expect(remove.code).toBe(0);
    expect(remove.out).toContain('- remove gamma: no longer declared  [stack]');
    expect(await inspectContainer(bed.container('gamma'))).toBeUndefined();
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
  });

  it('a one-shot service passes by exiting 0 and is left exited; one exiting 3 fails the gate and is rolled back', async () => {
    const vars = {
      stack_alpha_env: { FOO: 'two', NEW: 'x', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_conf: 'hello again\n',
    };
    bed.setVars({ ...vars, stack_init_exit: 0 });
    const ok = await rig(['deploy']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('+ create init: new service  [stack]');
    expect(ok.out).toMatch(/✓ init exited 0 \(/);
    expect(await inspectContainer(bed.container('init'))).toMatchObject({ status: 'exited', exitCode: 0 });
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    bed.setVars({ ...vars, stack_init_exit: 3 });
    const bad = await rig(['deploy']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/✗ init exited 3 \(/);
    expect(bad.out).toContain('health gate failed: init exited 3; rolled back to release');
    expect(await inspectContainer(bed.container('init'))).toMatchObject({ status: 'exited', exitCode: 0 });
    bed.setVars(vars);
    expect((await rig(['deploy'])).out).toContain('- remove init: no longer declared  [stack]');
  });

  it('a compose file that does not validate puts the files back and stops nothing', async () => {
    const before = await snapshot(bed, ['alpha', 'beta']);
    const read = async (f: string) =>
      (await docker(['exec', bed.host.container, 'cat', `${bed.host.dataDir}/proj/${f}`])).stdout;
    const [env, apps] = [await read('cfg/alpha.env'), await read('compose.apps.yml')];
    bed.setVars({
      stack_alpha_env: { FOO: 'four', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_conf: 'hello again\n',
      stack_alpha_ports: ['not:a:valid:port'],
    });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${bed.host.dataDir}/proj/compose.apps.yml does not validate`);
    // compose's own reason, in each flavor's words (v1: its JSON schema; v2: compose-go's port parser)
    const reason = { v1: 'services.alpha.ports contains an invalid type', v2: 'Invalid ip address not:a' };
    expect(r.out).toContain(reason[bed.compose]);
    expect(await read('cfg/alpha.env')).toBe(env);
    expect(await read('compose.apps.yml')).toBe(apps);
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
  });

  it('a file whose check fails on the uploaded copy is not committed, nor anything else of the apply', async () => {
    const before = await snapshot(bed, ['alpha', 'beta']);
    const read = async (f: string) =>
      (
        await docker([
          'exec',
          bed.host.container,
          'sh',
          '-c',
          `cat ${bed.host.dataDir}/proj/${f}; ls -a ${bed.host.dataDir}/proj/cfg/alpha`,
        ])
      ).stdout;
    const [conf, env] = [await read('cfg/alpha/app.conf'), await read('cfg/alpha.env')];
    bed.setVars({ stack_alpha_env: { FOO: 'five', API_KEY: '{{ vault_api_key }}' }, stack_alpha_conf: 'BROKEN\n' });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      `the new ${bed.host.dataDir}/proj/cfg/alpha/app.conf failed its check, nothing was changed: /bin/sh -c '! grep -q BROKEN "$1"' sh `,
    );
    expect(await read('cfg/alpha/app.conf')).toBe(conf);
    expect(await read('cfg/alpha.env')).toBe(env);
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
  });

  it('an image that cannot be found aborts before anything stops: containers and files unchanged', async () => {
    const before = await snapshot(bed, ['alpha', 'beta']);
    const conf = await docker(['exec', bed.host.container, 'cat', `${bed.host.dataDir}/proj/cfg/alpha.env`]);
    // a registry on loopback that is not there: the pull fails at once without leaving the machine
    bed.setVars({
      stack_alpha_env: { FOO: 'three', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_conf: 'hello again\n',
      stack_beta_image: '127.0.0.1:9/rigtest/none:1',
    });
    const r = await rig(['deploy']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('pre-checks failed, nothing was changed');
    expect(r.out).toContain('image 127.0.0.1:9/rigtest/none:1 is not on the host and cannot be pulled');
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
    expect((await docker(['exec', bed.host.container, 'cat', `${bed.host.dataDir}/proj/cfg/alpha.env`])).stdout).toBe(
      conf.stdout,
    );
  });

  it('a service with reload paths is reloaded in place when only its config changed; a second deploy does nothing', async () => {
    const vars = {
      stack_alpha_env: { FOO: 'two', NEW: 'x', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_reload: true,
    };
    bed.setVars({ ...vars, stack_alpha_conf: 'hello again\n' });
    expect((await rig(['deploy'])).code).toBe(0);
    const before = await snapshot(bed, ['alpha', 'beta']);
    bed.setVars({ ...vars, stack_alpha_conf: 'reloaded content\n' });
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '↻ reload alpha: app.conf changed (reload in place: sh -c echo x >> /tmp/reloads)  [stack]',
    );
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(before);
    expect((await docker(['exec', bed.container('alpha'), 'cat', '/tmp/reloads'])).stdout.trim()).toBe('x');
    expect(await httpGetInContainer(bed.container('alpha'), '/files/app.conf')).toBe('reloaded content\n');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    // anything else than the reload paths still recreates, and the new container starts from its own labels
    bed.setVars({
      ...vars,
      stack_alpha_env: { FOO: 'six', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_conf: 'reloaded content\n',
    });
    expect((await rig(['deploy'])).out).toContain('~ recreate alpha: env alpha.env changed (~FOO -NEW)  [stack]');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    bed.setVars({ stack_alpha_env: { FOO: 'six', API_KEY: '{{ vault_api_key }}' }, stack_alpha_conf: 'hello again\n' });
    expect((await rig(['deploy'])).code).toBe(0);
  });

  it('a file edited by hand is written back: the container is kept when it started before the edit, recreated when it started after it (compose up by hand)', async () => {
    const vars = { stack_alpha_env: { FOO: 'six', API_KEY: '{{ vault_api_key }}' }, stack_alpha_conf: 'hello again\n' };
    bed.setVars(vars);
    expect((await rig(['deploy'])).code).toBe(0);
    const cfg = `${bed.host.dataDir}/proj/cfg`;
    const onHost = (script: string) => dockerOk(['exec', bed.host.container, 'sh', '-c', script]);

    // edited in place after the start: the container started from the very bytes written back, and is kept
    await afterStartOf(bed.container('alpha'));
    const kept = await snapshot(bed, ['alpha', 'beta']);
    await onHost(`printf 'edited by hand\n' > ${cfg}/alpha/app.conf`);
    expect(await httpGetInContainer(bed.container('alpha'), '/files/app.conf')).toBe('edited by hand\n');
    const r1 = await rig(['deploy']);
    expect(r1.code).toBe(0);
    expect(r1.out).toContain(`~ ${cfg}/alpha/app.conf (mode 0644): changed`);
    expect(r1.out).not.toMatch(/recreate alpha/);
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(kept);
    expect(await httpGetInContainer(bed.container('alpha'), '/files/app.conf')).toBe('hello again\n');

    // the env file edited, then the container recreated by hand from it: it runs FOO=by-hand until rig recreates it
    await afterStartOf(bed.container('alpha'));
    await onHost(`sed -i 's/^FOO=six$/FOO=by-hand/' ${cfg}/alpha.env`);
    await composeUpByHand(bed, 'alpha');
    expect(await httpGetInContainer(bed.container('alpha'), '/env')).toContain('FOO=by-hand');
    const byHand = await snapshot(bed, ['alpha', 'beta']);
    const r2 = await rig(['deploy']);
    expect(r2.code).toBe(0);
    expect(r2.out).toContain(
      '~ recreate alpha: env alpha.env changed on the host, then the container started (restart, compose up by hand?): written back  [stack]',
    );
    const fixed = await snapshot(bed, ['alpha', 'beta']);
    expect(fixed['alpha']?.id).not.toBe(byHand['alpha']?.id);
    expect(fixed['beta']).toEqual(byHand['beta']);
    expect(await httpGetInContainer(bed.container('alpha'), '/env')).toContain('FOO=six');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
  });

  it('a file bind-mounted on its own, edited in place after the start, is written back and its container recreated', async () => {
    const vars = { stack_alpha_env: { FOO: 'six', API_KEY: '{{ vault_api_key }}' }, stack_alpha_conf: 'hello again\n' };
    const single = `${bed.host.dataDir}/proj/cfg/single.conf`;
    const inAlpha = async (): Promise<string> =>
      (await dockerOk(['exec', bed.container('alpha'), 'cat', '/single.conf'])).trim();
    bed.setVars({ ...vars, stack_alpha_single: 'single one\n' });
    expect((await rig(['deploy'])).code).toBe(0);
    expect(await inAlpha()).toBe('single one');
    // in place (same inode), in a later second than the start: the container sees the edit at once
    await afterStartOf(bed.container('alpha'));
    await dockerOk(['exec', bed.host.container, 'sh', '-c', `printf 'by hand\n' > ${single}`]);
    expect(await inAlpha()).toBe('by hand');
    // the write-back renames a new file over the path: the container would keep the edited inode
    const r = await rig(['deploy']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '~ recreate alpha: single.conf changed on the host; mounted as a single file, the container keeps the copy it started with (edited in place?): written back  [stack]',
    );
    expect(await inAlpha()).toBe('single one');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    bed.setVars(vars);
    expect((await rig(['deploy'])).code).toBe(0);
  });

  it("alpha's entry in the compose file edited by hand: written back; its container recreated when compose up made it from that copy", async () => {
    bed.setVars({ stack_alpha_env: { FOO: 'six', API_KEY: '{{ vault_api_key }}' }, stack_alpha_conf: 'hello again\n' });
    const env = async (): Promise<string[]> => (await inspectContainer(bed.container('alpha')))?.env ?? [];
    expect((await rig(['deploy'])).code).toBe(0);
    // edited after the container started, no compose up: the container runs rig's entry, and is kept
    await afterStartOf(bed.container('alpha'));
    await editComposeEntryByHand(bed, 'alpha');
    const kept = await snapshot(bed, ['alpha', 'beta']);
    const r1 = await rig(['deploy']);
    expect(r1.code).toBe(0);
    expect(r1.out).toContain('-    environment: {HAND: by-hand}');
    expect(r1.out).not.toMatch(/recreate alpha/);
    expect(await snapshot(bed, ['alpha', 'beta'])).toEqual(kept);
    // edited, then `docker compose up` by hand: the container runs HAND=by-hand under rig's labels
    await afterStartOf(bed.container('alpha'));
    await editComposeEntryByHand(bed, 'alpha');
    await composeUpByHand(bed, 'alpha');
    expect(await env()).toContain('HAND=by-hand');
    const r2 = await rig(['deploy']);
    expect(r2.code).toBe(0);
    expect(r2.out).toContain(
      '~ recreate alpha: its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?): written back  [stack]',
    );
    expect(r2.out).not.toMatch(/recreate beta/);
    expect(await env()).not.toContain('HAND=by-hand');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
  });

  it('a paused container (docker reports it running) drifts as such, and the deploy recreates it, gated', async () => {
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    const before = await snapshot(bed, ['alpha', 'beta']);
    await dockerOk(['pause', bed.container('alpha')]);
    const drift = await rig(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.out).toContain('  ! alpha: not running (paused)');
    expect(drift.out).not.toContain('~ alpha');
    const r = await rig(['deploy']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('~ recreate alpha: paused (docker pause by hand?)  [stack]');
    expect(r.out).toMatch(/✓ alpha healthy/);
    expect((await inspectContainer(bed.container('alpha')))?.status).toBe('running');
    const after = await snapshot(bed, ['alpha', 'beta']);
    expect(after['alpha']?.id).not.toBe(before['alpha']?.id);
    expect(after['beta']).toEqual(before['beta']);
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    expect((await rig(['drift'])).code).toBe(0);
  });

  it('name, networks and limits changed in place (docker rename, network disconnect/connect, docker update) drift, and the deploy recreates them as declared', async () => {
    const vars = { stack_alpha_env: { FOO: 'six', API_KEY: '{{ vault_api_key }}' }, stack_alpha_conf: 'hello again\n' };
    const project = bed.host.composeProject;
    // rig's networks are `<project>_<name>` with `-` as `_`; compose's default one keeps the project as it is
    const backend = `${project.replace(/-/g, '_')}_backend`;
    const settings = async (service: 'alpha' | 'beta' | 'gamma'): Promise<string> =>
      dockerOk([
        'inspect',
        bed.container(service),
        '--format',
        '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} {{json .HostConfig.PidsLimit}}',
      ]);
    // gamma: on the default network, with every limit: as compose creates it, it matches (no recreate loop)
    bed.setVars({ ...vars, stack_gamma: true, stack_gamma_limits: true });
    expect((await rig(['deploy'])).code).toBe(0);
    const all = async () => ({
      alpha: await settings('alpha'),
      beta: await settings('beta'),
      gamma: await settings('gamma'),
    });
    const declared = await all();
    expect(declared.gamma).toBe(`${project}_default on-failure 1610612736 104857600 570000000 50`);
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    const kept = await snapshot(bed, ['beta']);
    await dockerOk(['network', 'disconnect', backend, bed.container('alpha')]);
    await dockerOk(['network', 'connect', backend, bed.container('gamma')]);
    const gamma = bed.container('gamma');
    await dockerOk(['update', '--restart', 'no', '--memory', '1g', '--cpus', '1', '--pids-limit', '100', gamma]);
    await dockerOk(['rename', gamma, `${gamma}_old`]);
    const drift = await rig(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.out).toContain(
      `~ alpha: container runs other inputs than the release: not on network ${backend} (docker network disconnect by hand?)`,
    );
    expect(drift.out).toMatch(
      /~ gamma: container runs other inputs than the release: named \S+_old instead of \S+ \(docker rename by hand\?\); also on network \S+ \(docker network connect by hand\?\); restart policy no instead of on-failure, .* \(docker update by hand\?\)\n/,
    );
    expect(drift.out).not.toContain('~ beta');
    const r = await rig(['deploy']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain(
      `~ recreate alpha: not on network ${backend} (docker network disconnect by hand?)  [stack]`,
    );
    expect(r.out).toContain(
      `~ recreate gamma: named ${gamma}_old instead of ${gamma} (docker rename by hand?); also on network ${backend} (docker network connect by hand?); restart policy no instead of on-failure, memory limit 1g instead of 1536m, CPUs 1 instead of 0.57, pids limit 100 instead of 50 (docker update by hand?)  [stack]`,
    );
    expect(r.out).not.toMatch(/recreate beta/);
    expect(await all()).toEqual(declared);
    expect(await snapshot(bed, ['beta'])).toEqual(kept);
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
    expect((await rig(['drift'])).code).toBe(0);
    bed.setVars(vars);
    expect((await rig(['deploy'])).code).toBe(0);
  });

  it('never shows the vault secret: not in output, plans, the journal or release metadata', async () => {
    const journal = await docker(['exec', bed.host.container, 'cat', `${bed.stateDir}/journal.jsonl`]);
    const mirror = readFileSync(path.join(bed.root, '.rig', 'journal', 'test', 'h1.jsonl'), 'utf8');
    expect(mirror.split('\n').length).toBeGreaterThan(10);
    const releases = await docker([
      'exec',
      bed.host.container,
      'sh',
      '-c',
      `cat ${bed.stateDir}/releases/*/release.json`,
    ]);
    expect(journal.stdout).toContain('deploy.finished');
    expect(releases.stdout).toContain('"kind":"deploy"');
    for (const text of [...outputs, journal.stdout, mirror, releases.stdout]) expect(text).not.toContain(bed.secret);
    // the secret did reach the container's env file on the host (so the test would see a leak)
    expect(await httpGetInContainer(bed.container('alpha'), '/env')).toContain(`API_KEY=${bed.secret}`);
  });
});
