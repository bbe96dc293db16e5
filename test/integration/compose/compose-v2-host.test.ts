// Compose v2 on a real host, seen from the host's side (issue 17). The host's docker client is wrapped by a script
// that records the argv head and every stderr line of the real client (and of the compose plugin it runs), then
// execs it: no warning from any command rig runs in a first deploy, a recreate, a reload, plan, drift, smoke, status
// and a rollback; a `compose run` one-off left out of plan, drift and smoke (and left alone by a deploy); and a
// compose rig cannot drive (none usable as root, or older than it supports) refused by the plan before any write.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ComposeBed } from '../../helpers/compose-bed.js';
import { docker, dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import { REPO_ROOT } from '../../helpers/project.js';
import { requireDocker } from '../../helpers/testbed/index.js';
import { useComposeBed } from '../../helpers/use-compose-bed.js';

const skip = await requireDocker();

const LOG = '/var/log/rig-docker-stderr.log';
const PARKED = '/usr/local/lib/rig-testbed'; // where rig/target:1 keeps both composes (scripts/images/target.sh)
const PLUGIN = '/usr/libexec/docker/cli-plugins/docker-compose';
/** The recorder: `+ <first three args>` per call, then the real client's stderr, also passed on to the caller. */
const RECORDER = `#!/bin/bash
printf '+ %s %s %s\\n' "$1" "$2" "$3" >>${LOG}
exec ${PARKED}/docker-real "$@" 2> >(tee -a ${LOG} >&2)
`;
/** What Compose v2.2.3 answers to the two questions rig and the docker client ask; anything else runs the real one. */
const OLD_V2 = `#!/bin/sh
case "$*" in
  docker-cli-plugin-metadata) echo '{"SchemaVersion":"0.1.0","Vendor":"Docker Inc.","Version":"v2.2.3"}'; exit 0 ;;
  "compose version"*) echo 'Docker Compose version v2.2.3'; exit 0 ;;
esac
exec ${PARKED}/docker-compose-v2 "$@"
`;

describe.skipIf(skip !== undefined)('Compose v2 on a real host: quiet, one-offs ignored, unsupported refused', () => {
  const used = useComposeBed('v2host', { compose: 'v2' });
  const rig = used.rig;
  let bed: ComposeBed;
  const onHost = (script: string) => dockerOk(['exec', bed.host.container, 'sh', '-c', script]);
  const envFile = () => onHost(`cat ${bed.host.dataDir}/proj/cfg/alpha.env`);
  /** Every file and directory under the project with its size and mtime: what "nothing was written" compares. */
  const tree = () => onHost(`find ${bed.host.dataDir}/proj -printf '%p %s %T@\\n' | sort`);
  const recorded = async () => (await onHost(`cat ${LOG}`)).split('\n').filter((l) => l !== '');

  beforeAll(async () => {
    bed = used.bed();
    mkdirSync(path.join(bed.root, 'smoke-tests'), { recursive: true });
    copyFileSync(
      path.join(REPO_ROOT, 'smoke-tests', 'services-healthy.ts'),
      path.join(bed.root, 'smoke-tests', 'services-healthy.ts'),
    );
    await dockerOk(
      [
        'exec',
        '-i',
        bed.host.container,
        'sh',
        '-c',
        `mv /usr/bin/docker ${PARKED}/docker-real && cat >/usr/bin/docker && chmod 0755 /usr/bin/docker`,
      ],
      { input: RECORDER },
    );
  });

  it('the recorder sees the warning v2 prints for a `version:` key (the control for the next test)', async () => {
    await onHost(
      `printf 'version: "2.4"\\nservices:\\n  x:\\n    image: local/busybox:1\\n' >/tmp/old.yml && docker compose -f /tmp/old.yml config -q`,
    );
    const lines = await recorded();
    expect(lines).toContain('+ compose -f /tmp/old.yml');
    expect(lines.filter((l) => /obsolete/.test(l))).toHaveLength(1);
  });

  it('no command rig runs on v2 prints a warning: deploy, recreate, reload, plan, drift, smoke, status, rollback', async () => {
    await onHost(`: >${LOG}`);
    expect((await rig(['deploy'])).code).toBe(0);
    bed.setVars({ stack_alpha_env: { FOO: 'two', API_KEY: '{{ vault_api_key }}' }, stack_alpha_reload: true });
    expect((await rig(['deploy'])).out).toContain('~ recreate alpha: env alpha.env changed (~FOO)');
    bed.setVars({
      stack_alpha_env: { FOO: 'two', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_reload: true,
      stack_alpha_conf: 'again\n',
    });
    expect((await rig(['deploy'])).out).toContain('reload alpha');
    for (const cmd of [['plan'], ['drift'], ['smoke'], ['status']]) {
      const r = await rig(cmd);
      expect(r.code, `rig ${cmd.join(' ')}: ${r.out}${r.err}`).toBe(0);
    }
    // the last deploy only reloaded alpha: rolling it back reloads it again, with the file it was created with
    const back = await rig(['rollback', '--yes']);
    expect(back.code, back.out).toBe(0);
    expect(back.out).toContain('reload alpha');
    expect(await onHost(`docker exec ${bed.container('alpha')} cat /tmp/reloads`)).toBe('x\nx');
    const lines = await recorded();
    expect(lines).toContainEqual(expect.stringMatching(/^\+ compose -p /)); // rig's compose went through the recorder
    expect(lines.filter((l) => /warn|obsolete|deprecat/i.test(l))).toEqual([]);
  });

  it('leaves a `compose run` one-off out of plan, drift and smoke, and a deploy leaves it alone', async () => {
    const { composeProject: p, dataDir } = bed.host;
    const run = `docker compose -p ${p} --project-directory ${dataDir}/proj -f ${dataDir}/proj/compose.apps.yml`;
    expect((await rig(['deploy'])).code).toBe(0); // forward again, after the rollback
    const id = (await onHost(`${run} run -d --no-deps alpha sleep 600`)).trim();
    try {
      expect(
        await dockerOk(['inspect', '--format', '{{.Name}} {{index .Config.Labels "com.docker.compose.oneoff"}}', id]),
      ).toMatch(new RegExp(`^/${p}-alpha-run-[0-9a-f]+ True$`));
      expect((await rig(['plan'])).out).toContain('h1: nothing to do');
      const drift = await rig(['drift']);
      expect(drift.code, drift.out).toBe(0);
      expect((await rig(['smoke'])).code).toBe(0);
      const deploy = await rig(['deploy']);
      expect(deploy.code).toBe(0);
      expect(deploy.out).not.toContain('alpha-run');
      expect((await inspectContainer(id))?.status).toBe('running');
    } finally {
      await docker(['rm', '-f', id]);
    }
  });

  it('refuses, before writing anything, a host with no compose usable as root, then one older than rig supports', async () => {
    const before = { env: await envFile(), tree: await tree() };
    bed.setVars({
      stack_alpha_env: { FOO: 'three', API_KEY: '{{ vault_api_key }}' },
      stack_alpha_reload: true,
      stack_alpha_conf: 'again\n',
    });

    await onHost(`rm ${PLUGIN}`);
    for (const cmd of ['plan', 'deploy']) {
      const r = await rig([cmd]);
      expect(r.code, r.out).toBe(1);
      expect(`${r.out}${r.err}`).toMatch(
        /^h1: failed\n {2}! neither `docker compose` \(v2\) nor `docker-compose` \(v1\) found on the host; install the Compose v2 plugin .*\[host h1\]$/m,
      );
    }

    await dockerOk(['exec', '-i', bed.host.container, 'sh', '-c', `cat >${PLUGIN} && chmod 0755 ${PLUGIN}`], {
      input: OLD_V2,
    });
    for (const cmd of ['plan', 'deploy']) {
      const r = await rig([cmd]);
      expect(r.code, r.out).toBe(1);
      expect(`${r.out}${r.err}`).toMatch(
        /^h1: failed\n {2}! docker compose 2\.2\.3 \(Compose v2\) is older than 2\.3\.0, the oldest v2 rig supports \(older releases ignore COMPOSE_IGNORE_ORPHANS.*\[host h1\]$/m,
      );
      expect(`${r.out}${r.err}`).toContain('upgrade it: install the Compose v2 plugin system-wide');
    }
    expect({ env: await envFile(), tree: await tree() }).toEqual(before);

    await onHost(`ln -sf ${PARKED}/docker-compose-v2 ${PLUGIN}`);
    const fixed = await rig(['deploy']);
    expect(fixed.out).toContain('~ recreate alpha: env alpha.env changed (~FOO)');
    expect(await envFile()).toContain('FOO=three');
  });
});
