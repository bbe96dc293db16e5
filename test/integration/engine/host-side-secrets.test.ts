// M3: a secret rig does not know, written by hand into a managed file on the host, never shows in plan, drift or the
// nightly alert.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { alertText } from '../../../src/cron/alert-send.js';
import { failuresOf } from '../../../src/cron/nightly-checks.js';
import { useRoleBed, type RoleBed } from '../../bed/index.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP host-side-secrets: ${unavailable}`);

const HAND_WRITTEN = 'oidc-hand-written-5c9e2a7d41';

const CONF_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'conf',
  description: 'a plain config file, nothing secret in what rig renders',
  vars: z.object({ conf_dir: z.string(), conf_url: z.string() }),
  tasks: ({ vars, dir, content }) => [dir(vars.conf_dir), content(\`\${vars.conf_dir}/config.yaml\`, \`server_url: \${vars.conf_url}\\nlog_level: info\\n\`)],
});
`;

describe.skipIf(unavailable !== undefined)('a host-side secret in a managed file', () => {
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: [{ name: 'conf', source: CONF_ROLE }],
      sshd: { firstOctet: 68 },
      hostVars: (h) => ({ conf_dir: `${h.dataDir}/app`, conf_url: 'https://vpn.example' }),
    },
    (b) => (bed = b),
  );
  const data = (): string => bed.host().dataDir;
  async function rig(args: string[]) {
    const r = await bed.rig(args);
    return { code: r.code, out: r.out, text: `${r.out}\n${r.err}` };
  }

  it('deploys a plain file; an ordinary hand edit still gets its diff in plan and drift', async () => {
    expect((await rig(['deploy'])).code).toBe(0);
    writeFileSync(path.join(data(), 'app', 'config.yaml'), 'server_url: https://vpn.example\nlog_level: debug\n');
    const plan = await rig(['plan']);
    expect(plan.text).toContain('-log_level: debug');
    const drift = await rig(['drift']);
    expect(drift.text).toContain('+log_level: debug');
  });

  it('a hand-written client_secret: plan, drift, drift --json and the nightly alert show digests and line counts only', async () => {
    const conf = path.join(data(), 'app', 'config.yaml');
    writeFileSync(conf, `server_url: https://vpn.example\nlog_level: info\noidc:\n  client_secret: ${HAND_WRITTEN}\n`);
    const plan = await rig(['plan']);
    expect(plan.code).toBe(2);
    expect(plan.text).toContain(`~ ${conf} sensitive: changed`);
    const drift = await rig(['drift']);
    expect(drift.code).toBe(2);
    expect(drift.text).toContain(`${conf}: content changed (hand edit?)`);
    expect(drift.text).toContain('(2 lines → 4 lines); sensitive, content not shown');
    const json = await rig(['drift', '--json']);
    const alerts = failuresOf({ check: 'drift', code: json.code, out: json.out, err: '', durationMs: 1 });
    expect(alerts).toHaveLength(1);
    const message = alertText('test', alerts[0]!, { now: new Date(), log: '/x/test.log', redactor: new Redactor() });
    console.log(message);
    expect(message).toContain('(2 lines → 4 lines)');
    for (const text of [plan.text, drift.text, json.text, message]) {
      expect(text).not.toContain(HAND_WRITTEN);
      expect(text).not.toContain('client_secret');
    }
  });
});
