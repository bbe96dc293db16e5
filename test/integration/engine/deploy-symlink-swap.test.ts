// H1 end to end: a `rig deploy` paused between its locked facts and its apply while uid 1000 swaps a symlink in.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { makeProject } from '../../helpers/project.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { attacker, swapBedUnavailable, expectVictimsIntact, makeBed, swapDir, swapFile, U, type Bed } from '../../helpers/swap-bed.js';
import { testIo } from '../../helpers/test-io.js';
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
  let fleet: SshdFleet;
  let root: string;
  let bed: Bed;
  let pauses: string;
  let data: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    fleet = await startSshdFleet(1, { firstOctet: 65 });
    data = mkdtempSync(path.join(os.tmpdir(), 'rig-swap-deploy-'));
    chmodSync(data, 0o755);
    bed = makeBed(data, 'host');
    pauses = mkdtempSync(path.join(os.tmpdir(), 'rig-pauses-'));
    const h = fleet.hosts[0]!;
    root = makeProject({
      'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port} }\n`,
      'inventory/test/group_vars/all.yml': `ansible_user: root\nansible_ssh_private_key_file: ${fleet.clientKey.path}\nrig_state_dir: ${bed.base}/rig-state\nagent_state: ${path.dirname(bed.ws)}\nagent_text: "v1\\n"\n`,
      'playbooks/site.yml': '- hosts: all\n  roles: [agent]\n',
      'roles/agent/role.ts': AGENT_ROLE,
    }, { roles: [] });
  });
  afterAll(async () => {
    await fleet?.stop();
    for (const d of [data, pauses, root, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function rig(args: string[], env: Record<string, string> = {}) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'], ...env } });
    const code = await main([...args, '--env', 'test', '--known-hosts', fleet.knownHostsFile], io);
    return { code, out: io.outText(), err: io.errText() };
  }

  /** Deploys with the `after-facts` pause point; `attack` runs while the deploy waits there. */
  const pausedDeploy = (args: string[], attack: () => Promise<void>) => atPause(pauses, 'after-facts', 'h1', () => rig(['deploy', ...args], pauseEnv(pauses, 'after-facts')), attack);

  it('deploys the workspace owned by uid 1000 (files written as that uid)', async () => {
    const r = await rig(['deploy']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect([readFileSync(bed.agents, 'utf8'), statSync(bed.agents).uid, statSync(bed.agents).mode & 0o777]).toEqual(['v1\n', U, 0o644]);
  });

  it("the issue's attack: chmod 600, wait for rig's facts, rename a symlink to a root-only file over AGENTS.md", async () => {
    await attacker('rm -f "$1" && printf "v1\\n" > "$1" && chmod 600 "$1"', bed.agents);
    const plan = await rig(['plan']);
    expect(plan.out).toContain(`~ ${bed.agents}  [agent] mode 0600 → 0644`);
    const r = await pausedDeploy([], () => swapFile(bed, bed.victim));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`cannot apply ${bed.agents}: chmod failed as uid ${U}, the owner of its directory`);
    expectVictimsIntact(bed);
  });

  it('a content change while the workspace directory is swapped for a symlink to a root-only directory', async () => {
    await attacker('rm -f "$1" && printf "v1\\n" > "$1"', bed.agents);
    const r = await pausedDeploy(['--var', 'agent_text=v2'], () => swapDir(bed));
    expect(r.code).toBe(1);
    expect(r.out).toContain(`temp failed as uid ${U}`);
    expectVictimsIntact(bed);
    // with the swap still in place, neither plan nor drift shows what the root-only file holds
    const plan = await rig(['plan', '--var', 'agent_text=v2']);
    expect(`${plan.out}${plan.err}`).not.toContain('root-only');
    const drift = await rig(['drift']);
    expect(`${drift.out}${drift.err}`).not.toContain('root-only');
    expectVictimsIntact(bed);
  });
});
