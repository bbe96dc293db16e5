// `deploy --role R` on a real host whose other role has changes nobody deployed: the compose file keeps the other
// role's service as it runs (not as the repository has it now), its new image is not pulled (here: cannot be), and a
// full deploy then brings it. A `--role` deploy after an interrupted drift repair of the other role finishes it too,
// and recreates its container made by hand from an edited compose entry. A service moved to another role changes its
// entry, which is not a hand edit.
// Then the host loses its state dir (releases included).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  afterStartOf,
  composeUpByHand,
  editComposeEntryByHand,
  startComposeBed,
  type ComposeBed,
} from '../../helpers/compose-bed.js';
import { holdDeployAt, interrupt } from '../../helpers/crash.js';
import { dockerOk, httpGetInContainer, inspectContainer } from '../../helpers/docker/index.js';
import { requireDocker } from '../../helpers/testbed/index.js';

const skip = await requireDocker();

// a second role beside the bed's `stack`: one service with an env file, on stack's network
const SIDE_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'side',
  description: 'one more service, in a role of its own',
  vars: z.object({ side_dir: z.string(), side_image: z.string(), side_env: z.string() }),
  tasks: ({ vars, content, service }) => [
    content(\`\${vars.side_dir}/side.env\`, vars.side_env, { mode: 0o600 }),
    service('side', { image: vars.side_image, envFiles: [\`\${vars.side_dir}/side.env\`], networks: ['backend'] }),
  ],
});
`;

describe.skipIf(skip !== undefined)('deploy --role: the other roles as deployed; a host without its releases', () => {
  let bed: ComposeBed;
  const composeFile = () => `${bed.host.dataDir}/proj/compose.apps.yml`;
  const sideContainer = () => bed.container('alpha').replace(/_alpha$/, '_side');
  const sideEntry = async (): Promise<unknown> => {
    const text = await dockerOk(['exec', bed.host.container, 'cat', composeFile()]);
    return (parseYaml(text) as { services: Record<string, unknown> }).services['side'];
  };

  beforeAll(async () => {
    bed = await startComposeBed('rolescope');
    mkdirSync(path.join(bed.root, 'roles/side'));
    writeFileSync(path.join(bed.root, 'roles/side/role.ts'), SIDE_ROLE);
    writeFileSync(path.join(bed.root, 'playbooks/site.yml'), '- hosts: all\n  roles: [side, stack]\n');
  }, 120_000);
  afterAll(async () => {
    await bed?.stop();
  });

  it('a deploy of stack alone keeps side as it runs, although the repository has another image and env for it', async () => {
    const sideDir = `${bed.host.dataDir}/proj/cfg`;
    const side = { side_dir: sideDir, side_image: bed.images.beta, side_env: 'SIDE=one\n' };
    bed.setVars(side);
    const first = await bed.rig(['deploy']);
    expect(first.code, first.out + first.err).toBe(0);
    expect(first.out).toContain('+ create side: new service  [side]');
    const deployed = { entry: await sideEntry(), container: (await inspectContainer(sideContainer()))?.id };

    // side: an image nobody pushed (it cannot be pulled) and a new env; stack: a new value for alpha
    const unpushed = bed.images.beta.replace(/:1$/, ':404');
    const alphaTwo = { stack_alpha_env: { FOO: 'two', API_KEY: '{{ vault_api_key }}' } };
    bed.setVars({ ...side, side_image: unpushed, side_env: 'SIDE=two\n', ...alphaTwo });
    const r = await bed.rig(['deploy', '--role', 'stack']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('~ recreate alpha: env alpha.env changed (~FOO)  [stack]');
    // side shows only as context of the compose file's diff
    expect(r.out).not.toMatch(/side\.env|[-+] +image: .*beta|side:404|recreate side/);
    expect(await httpGetInContainer(bed.container('alpha'), '/env')).toContain('FOO=two');
    // the compose file holds side as it runs: same entry (image, env file, labels), same container
    expect(await sideEntry()).toEqual(deployed.entry);
    expect((await inspectContainer(sideContainer()))?.id).toBe(deployed.container);
    expect(await dockerOk(['exec', bed.host.container, 'cat', `${bed.host.dataDir}/proj/cfg/side.env`])).toBe(
      'SIDE=one', // (trimmed)
    );
    expect((await bed.rig(['plan', '--role', 'stack'])).out).toContain('h1: nothing to do');

    // the compose files are byte for byte what a deploy of both roles writes with side as deployed (services in the
    // repository's order of roles: side first)
    bed.setVars({ ...side, ...alphaTwo });
    expect((await bed.rig(['plan'])).out).toContain('h1: nothing to do');
    bed.setVars({ ...side, side_image: unpushed, side_env: 'SIDE=two\n', ...alphaTwo });

    // the whole repository: side is what changes now, and its image is what stops the deploy before anything
    const plan = await bed.rig(['plan']);
    expect(plan.out).toMatch(/recreate side: /);
    const all = await bed.rig(['deploy']);
    expect(all.code).toBe(1);
    expect(all.out + all.err).toContain(unpushed);
    expect((await inspectContainer(sideContainer()))?.id).toBe(deployed.container);
    bed.setVars({ ...side, side_env: 'SIDE=two\n', ...alphaTwo });
    const fixed = await bed.rig(['deploy']);
    expect(fixed.code, fixed.out).toBe(0);
    expect(fixed.out).toContain('~ recreate side: env side.env changed (~SIDE)  [side]');
    expect((await bed.rig(['plan'])).out).toContain('h1: nothing to do');
  });

  it("side's repairs a deploy --role stack must make: a drift repair killed after its files, an entry edited by hand", async () => {
    const sideDir = `${bed.host.dataDir}/proj/cfg`;
    const repo = (foo: string) => ({
      side_dir: sideDir,
      side_image: bed.images.beta,
      side_env: 'SIDE=two\n',
      stack_alpha_env: { FOO: foo, API_KEY: '{{ vault_api_key }}' },
    });
    bed.setVars(repo('two'));
    await dockerOk(['exec', bed.host.container, 'sed', '-i', 's/^SIDE=.*$/SIDE=by-hand/', `${sideDir}/side.env`]);
    await composeUpByHand(bed, 'side');
    expect((await inspectContainer(sideContainer()))?.env).toContain('SIDE=by-hand');
    // killed once side.env is written back: side's container still runs the hand copy
    await interrupt(bed, await holdDeployAt(bed, 'after-files'), 'SIGKILL');
    expect((await inspectContainer(sideContainer()))?.env).toContain('SIDE=by-hand');

    bed.setVars(repo('three'));
    const r = await bed.rig(['deploy', '--role', 'stack']);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toMatch(
      /~ recreate side: deploy [0-9a-f]{12} did not finish its recreate of this container {2}\[side\]/,
    );
    expect(r.out).toContain('~ recreate alpha: env alpha.env changed (~FOO)  [stack]');
    expect((await inspectContainer(sideContainer()))?.env).toContain('SIDE=two');
    expect((await bed.rig(['plan'])).out).toContain('h1: nothing to do');

    // side's entry edited by hand and its container made from it: deploy --role stack writes the entry back, and
    // recreates side (no later plan would see it); alpha, unchanged, is left alone
    await afterStartOf(sideContainer());
    await editComposeEntryByHand(bed, 'side');
    await composeUpByHand(bed, 'side');
    expect((await inspectContainer(sideContainer()))?.env).toContain('HAND=by-hand');
    const e = await bed.rig(['deploy', '--role', 'stack']);
    expect(e.code, e.out + e.err).toBe(0);
    expect(e.out).toContain(
      '~ recreate side: its entry in compose.apps.yml changed on the host, then the container started (compose up by hand from it?): written back  [side]',
    );
    expect(e.out).not.toMatch(/recreate alpha/);
    expect((await inspectContainer(sideContainer()))?.env).not.toContain('HAND=by-hand');
    expect((await bed.rig(['plan'])).out).toContain('h1: nothing to do');
  });

  it('side moved to another role: its compose entry changes (rig.role), nothing was edited by hand: kept', async () => {
    const text = readFileSync(path.join(bed.root, 'roles/side/role.ts'), 'utf8');
    const sideVars = { side_dir: `${bed.host.dataDir}/proj/cfg`, side_image: bed.images.beta, side_env: 'SIDE=two\n' };
    const asideVars = Object.fromEntries(Object.entries(sideVars).map(([k, v]) => [`a${k}`, v]));
    bed.setVars({ ...sideVars, ...asideVars, stack_alpha_env: { FOO: 'three', API_KEY: '{{ vault_api_key }}' } });
    const moved = async (role: string): Promise<void> => {
      const dir = path.join(bed.root, `roles/${role}`);
      rmSync(path.join(bed.root, role === 'side' ? 'roles/aside' : 'roles/side'), { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      // a role's variables carry its name
      writeFileSync(
        path.join(dir, 'role.ts'),
        text.replace("name: 'side'", `name: '${role}'`).replaceAll('side_', `${role}_`),
      );
      writeFileSync(path.join(bed.root, 'playbooks/site.yml'), `- hosts: all\n  roles: [${role}, stack]\n`);
      const r = await bed.rig(['deploy']);
      expect(r.code, r.out + r.err).toBe(0);
      expect(r.out).toContain(`+      rig.role: ${role}`);
      expect(r.out).not.toMatch(/recreate side/);
      expect((await bed.rig(['plan'])).out).toContain('h1: nothing to do');
    };
    const before = (await inspectContainer(sideContainer()))?.id;
    await moved('aside');
    await moved('side');
    expect((await inspectContainer(sideContainer()))?.id).toBe(before);
  });

  it('a state dir removed by hand: every running service is gated, and the plan says why; the deploy records a release', async () => {
    await dockerOk(['exec', bed.host.container, 'rm', '-rf', bed.stateDir]);
    const plan = await bed.rig(['plan']);
    expect(plan.code).toBe(2);
    const why = 'the host has no release (none recorded by rig, or its state dir was removed): gated, then recorded';
    expect(plan.out).toContain(`? gate side: ${why}  [side]`);
    expect(plan.out).toContain(`? gate alpha: ${why}  [stack]`);
    const r = await bed.rig(['deploy']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/release \d{8}T\d{6}Z-[0-9a-f]{4} recorded/);
    expect((await bed.rig(['plan'])).out).toContain('h1: nothing to do');
  });
});
