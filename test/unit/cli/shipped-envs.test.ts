// inventory/prod and inventory/preprod as shipped must pass their first deploy's offline stages: with the vault file
// the README asks for (dummy values) and a lock, `rig lint` is clean, and loading, rendering, pinning and each host's
// compose desired state say nothing at all. The hosts are placeholder addresses: nothing is contacted.
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { composeDesired } from '../../../src/compose/compose-desired.js';
import { formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { resolveMerges } from '../../../src/plan/yaml-merge.js';
import { DUMMY_VAULT, loadShipped, pinOffline, SHIPPED_ENVS, shippedRepo } from '../../helpers/shipped-env.js';
import { testIo } from '../../helpers/test-io.js';

const root = shippedRepo();

describe.each(SHIPPED_ENVS)('inventory/%s as shipped', (env) => {
  it('rig lint is clean', async () => {
    const lines: string[] = [];
    const code = await main(['lint', '--env', env], { ...testIo({ cwd: root }), out: (t) => void lines.push(t) });
    expect([code, lines]).toEqual([
      0,
      [expect.stringMatching(/^lint: \d+ image references in files checked; 0 problems$/)],
    ]);
  });

  it("loads, renders, pins and builds every host's compose files with nothing said, secrets nowhere in them", async () => {
    const { project, rendered, said } = await loadShipped(root, env);
    const pinned = pinOffline(root, project, rendered);
    for (const [host, roleOps] of pinned) {
      const merged = resolveMerges(roleOps, new Map(), host);
      const stack = project.hosts.get(host)?.stack;
      if (!stack) throw new Error(`no stack for ${host}`);
      const desired = composeDesired(host, stack, merged.roleOps, () => undefined, project.redactor, 989);
      said.push(...merged.problems, ...desired.problems);
      for (const f of desired.files)
        for (const secret of Object.values(DUMMY_VAULT)) expect(String(f.content)).not.toContain(secret);
    }
    expect(said.map((d) => formatDiagnostic(d, root))).toEqual([]);
    expect([...pinned.keys()]).toEqual(
      env === 'prod' ? ['prod-server', 'vpn-server'] : ['preprod-server', 'vpn-server'],
    );
  });

  it("Headscale runs the distroless image's own CLI as its probe (no shell, no wget in it)", async () => {
    const { rendered } = await loadShipped(root, env);
    const headscale = (rendered.get('vpn-server') ?? [])
      .flatMap((r) => r.ops)
      .find((o) => o.kind === 'service' && o.name === 'headscale');
    expect(headscale?.kind === 'service' && [headscale.spec.image, headscale.spec.healthcheck?.test]).toEqual([
      'ghcr.io/juanfont/headscale:0.23.0',
      ['headscale', 'users', 'list'],
    ]);
  });
});
