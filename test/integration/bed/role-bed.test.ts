// The role bed itself: a fixture role and an inline one, images pushed and pinned or deployed by tag beside a local
// one allowed by lint.yml, vault secrets masked, variables rewritten between runs, and stop() leaving nothing behind.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docker, dockerOk, inspectContainer } from '../../helpers/docker/index.js';
import { requireImages, startRoleBed, type RoleBedOptions, type BedHost } from '../../bed/index.js';

const skip = await requireImages('role bed', ['local/rig-svc:1'], 'scripts/build-images.sh');

const SECRET = 'sk-role-bed-3f9a1c7e';
const MARK_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'mark',
  description: 'writes one file',
  vars: z.object({ mark_file: z.string(), mark_text: z.string() }),
  tasks: ({ vars, content }) => [content(vars.mark_file, vars.mark_text)],
});
`;

const stackVars = (h: BedHost): Record<string, unknown> => ({
  stack_dir: `${h.dataDir}/proj/cfg`,
  stack_alpha_env: { API_KEY: '{{ vault_key }}' },
  stack_beta_env: { X: '1' },
  stack_alpha_conf: 'hello\n',
  mark_file: `${h.dataDir}/mark.txt`,
  mark_text: 'one',
});
const base = {
  roles: ['stack', { name: 'mark', source: MARK_ROLE }],
  vault: { vault_key: SECRET },
} satisfies RoleBedOptions;

describe.skipIf(skip !== undefined)('role bed', () => {
  it('deploys fixture and inline roles from pinned pushed images, then removes everything it made', async () => {
    const images = { stack_alpha_image: 'local/rig-svc:1', stack_beta_image: 'local/rig-svc:1' };
    const bed = await startRoleBed({ ...base, images, hostVars: stackVars });
    const { ref, digest } = bed.images['stack_alpha_image']!;
    const pulled = `${ref.slice(0, ref.lastIndexOf(':'))}@${digest}`;
    try {
      expect(readFileSync(path.join(bed.root, 'inventory/test/images.lock.yml'), 'utf8')).toContain(
        `digest: ${digest}`,
      );
      const r = await bed.rig(['deploy']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).not.toContain(SECRET);
      expect((await inspectContainer(bed.container('alpha')))?.imageRef).toBe(`${ref}@${digest}`);
      expect((await docker(['image', 'inspect', pulled])).code).toBe(0);
      expect(readFileSync(`${bed.host().dataDir}/proj/cfg/alpha.env`, 'utf8')).toContain(SECRET);
      expect(readFileSync(`${bed.host().dataDir}/mark.txt`, 'utf8')).toBe('one');
      bed.setHostVars({ mark_text: 'two' });
      expect((await bed.rig(['deploy'])).code).toBe(0);
      expect(readFileSync(`${bed.host().dataDir}/mark.txt`, 'utf8')).toBe('two');
    } finally {
      await bed.stop();
    }
    expect(await dockerOk(['ps', '-aq', '-f', `label=com.docker.compose.project=${bed.host().composeProject}`])).toBe(
      '',
    );
    expect(await dockerOk(['ps', '-aq', '-f', `label=rig.testbed.run=${bed.tb.runId}`])).toBe('');
    expect((await docker(['image', 'inspect', pulled])).code).not.toBe(0);
    expect(existsSync(bed.root)).toBe(false);
    await expect(fetch(`${bed.registry!.url}/v2/`)).rejects.toThrow();
  });

  it('with pin: false, a pushed image deploys by tag beside a local one that lint.yml allows', async () => {
    const bed = await startRoleBed({
      ...base,
      images: { stack_alpha_image: 'local/rig-svc:1' },
      pin: false,
      lintAllow: { 'local/rig-svc': 'built locally by scripts/images/svc.sh' },
      hostVars: (h) => ({ ...stackVars(h), stack_beta_image: 'local/rig-svc:1' }),
    });
    try {
      expect(existsSync(path.join(bed.root, 'inventory/test/images.lock.yml'))).toBe(false);
      const r = await bed.rig(['deploy']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect((await inspectContainer(bed.container('alpha')))?.imageRef).toBe(bed.images['stack_alpha_image']!.ref);
      expect((await inspectContainer(bed.container('beta')))?.imageRef).toBe('local/rig-svc:1');
    } finally {
      await bed.stop();
    }
  });
});
