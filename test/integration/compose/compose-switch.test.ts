// A host deployed with Compose v1 whose compose becomes v2 (v1 removed, the plugin installed, as an upgrade to
// Docker CE does): the next deploys run cleanly on v2, with no second container of a service and no port clash.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ComposeBed } from '../../helpers/compose-bed.js';
import { docker, dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import { freePort, requireDocker } from '../../helpers/testbed/index.js';
import { useComposeBed } from '../../helpers/use-compose-bed.js';

const skip = await requireDocker();

/** What the host's admin does: v1's program gone, v2's plugin in place (the paths of rig/target:1's entrypoint). */
const TO_V2 = [
  'rm -f /usr/bin/docker-compose',
  'mkdir -p /usr/libexec/docker/cli-plugins',
  'ln -sf /usr/local/lib/rig-testbed/docker-compose-v2 /usr/libexec/docker/cli-plugins/docker-compose',
].join(' && ');

describe.skipIf(skip !== undefined)('a host moving from Compose v1 to v2', () => {
  const used = useComposeBed('switch', { compose: 'v1' });
  const rig = used.rig;
  let bed: ComposeBed;
  let port: number;
  /** Every container of the project, by name, with its compose version label. */
  const containers = async (): Promise<string[]> => {
    const f = ['ps', '-a', '--filter', `label=com.docker.compose.project=${bed.host.composeProject}`];
    const out = await dockerOk([...f, '--format', '{{.Names}} {{.Label "com.docker.compose.version"}}']);
    return out
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  };

  beforeAll(async () => {
    bed = used.bed();
    port = await freePort();
    bed.setVars({ stack_alpha_ports: [`127.0.0.1:${port}:8080`] });
  });

  it('deploys on v1, then on v2 without a second container; a change on v2 recreates only its service', async () => {
    expect((await rig(['deploy'])).code).toBe(0);
    const onV1 = await containers();
    expect(onV1).toEqual([`${bed.container('alpha')} 1.29.2`, `${bed.container('beta')} 1.29.2`]);
    const before = {
      alpha: await inspectContainer(bed.container('alpha')),
      beta: await inspectContainer(bed.container('beta')),
    };

    await dockerOk(['exec', bed.host.container, 'sh', '-c', TO_V2]);
    const plan = await rig(['plan']);
    expect(plan.code).not.toBe(1);
    const first = await rig(['deploy']);
    expect(first.code).toBe(0);
    // the files lose `version:` (v2 warns about it); nothing about the services changed, so nothing is recreated
    expect(
      (await docker(['exec', bed.host.container, 'cat', `${bed.host.dataDir}/proj/compose.apps.yml`])).stdout,
    ).not.toMatch(/^version:/m);
    expect(await containers()).toEqual(onV1);
    expect((await inspectContainer(bed.container('alpha')))?.id).toBe(before.alpha?.id);
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');

    bed.setVars({
      stack_alpha_ports: [`127.0.0.1:${port}:8080`],
      stack_alpha_env: { FOO: 'two', API_KEY: '{{ vault_api_key }}' },
    });
    const change = await rig(['deploy']);
    expect(change.code).toBe(0);
    expect(change.out).toContain('~ recreate alpha: env alpha.env changed (~FOO)  [stack]');
    // one container per service, alpha now made by v2 on the same published port, beta untouched
    expect(await containers()).toEqual([`${bed.container('alpha')} 2.26.1`, `${bed.container('beta')} 1.29.2`]);
    expect((await inspectContainer(bed.container('beta')))?.id).toBe(before.beta?.id);
    expect((await inspectContainer(bed.container('alpha')))?.health).toBe('healthy');
    expect((await rig(['plan'])).out).toContain('h1: nothing to do');
  });
});
