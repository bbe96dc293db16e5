// H1 end to end: a `rig deploy` paused between its locked facts and its apply while uid 1000 swaps a symlink in.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRoleBed, type RoleBed } from '../../bed/index.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';
import {
  attacker,
  swapBedUnavailable,
  expectVictimsIntact,
  makeBed,
  swapDir,
  swapFile,
  U,
  type Bed,
} from '../../helpers/swap-bed.js';
import { atPause, pauseEnv } from '../../helpers/test-pause.js';

const unavailable = await swapBedUnavailable(sshdUnavailable);
if (unavailable !== undefined) console.warn(`SKIP deploy-symlink-swap: ${unavailable}`);

// The workspace layout of role openclaw: a state dir and a workspace owned by the sandbox's uid, AGENTS.md in it.
const AGENT_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'agent',
  description: 'a workspace owned by the sandbox uid, as role openclaw makes it',
  vars: z.object({ agent_state: z.string(), agent_text: z.string() }),
  tasks: ({ vars, dir, content }) => {
    const owner = { owner: '${U}', group: '${U}' };
    return [
      dir(vars.agent_state, { mode: 0o700, ...owner }),
      dir(\`\${vars.agent_state}/ws\`, { mode: 0o755, ...owner }),
      content(\`\${vars.agent_state}/ws/AGENTS.md\`, vars.agent_text, { mode: 0o644, ...owner }),
    ];
  },
});
`;

describe.skipIf(unavailable !== undefined)('deploy paused after its facts while the sandbox swaps a symlink in', () => {
  let rb!: RoleBed;
  // the swap bed's layout under the host's data dir (makeBed(<data dir>, 'host')): the workspace is <base>/state/ws
  useRoleBed(
    {
      roles: [{ name: 'agent', source: AGENT_ROLE }],
      sshd: { firstOctet: 65 },
      hostVars: (h) => ({ agent_state: `${h.dataDir}/host/state`, agent_text: 'v1\n' }),
    },
    (b) => (rb = b),
  );
  let swap: Bed;
  const pauses = mkdtempSync(path.join(os.tmpdir(), 'rig-pauses-'));
  beforeAll(() => {
    // uid 1000 (the sandbox) must reach its workspace: the data dirs are 0700 temp dirs
    for (const dir of [path.dirname(rb.host().dataDir), rb.host().dataDir]) chmodSync(dir, 0o755);
    swap = makeBed(rb.host().dataDir, 'host');
  });
  afterAll(() => rmSync(pauses, { recursive: true, force: true }));
  const rig = (args: string[], env: Record<string, string> = {}) => rb.rig(args, { env });

  /** Deploys with the `after-facts` pause point; `attack` runs while the deploy waits there. */
  const pausedDeploy = (args: string[], attack: () => Promise<void>) =>
    atPause(pauses, 'after-facts', 'h1', () => rig(['deploy', ...args], pauseEnv(pauses, 'after-facts')), attack);

  it('deploys the workspace owned by uid 1000 (files written as that uid)', async () => {
    const r = await rig(['deploy']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect([readFileSync(swap.agents, 'utf8'), statSync(swap.agents).uid, statSync(swap.agents).mode & 0o777]).toEqual([
      'v1\n',
      U,
      0o644,
    ]);
  });

  it("the issue's attack: chmod 600, wait for rig's facts, rename a symlink to a root-only file over AGENTS.md", async () => {
    await attacker('rm -f "$1" && printf "v1\\n" > "$1" && chmod 600 "$1"', swap.agents);
    const plan = await rig(['plan']);
    expect(plan.out).toContain(`~ ${swap.agents}  [agent] mode 0600 → 0644`);
    const r = await pausedDeploy([], () => swapFile(swap, swap.victim));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`cannot apply ${swap.agents}: chmod failed as uid ${U}, the owner of its directory`);
    expectVictimsIntact(swap);
  });

  it('a content change while the workspace directory is swapped for a symlink to a root-only directory', async () => {
    await attacker('rm -f "$1" && printf "v1\\n" > "$1"', swap.agents);
    const r = await pausedDeploy(['--var', 'agent_text=v2'], () => swapDir(swap));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`temp failed as uid ${U}`);
    expectVictimsIntact(swap);
    // with the swap still in place, neither plan nor drift shows what the root-only file holds
    const plan = await rig(['plan', '--var', 'agent_text=v2']);
    expect(`${plan.out}${plan.err}`).not.toContain('root-only');
    const drift = await rig(['drift']);
    expect(`${drift.out}${drift.err}`).not.toContain('root-only');
    expectVictimsIntact(swap);
  });
});
