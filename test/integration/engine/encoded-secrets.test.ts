// M2: secrets that roles encode (JSON, URL, base64), nest in mappings or reach through `@root` never show in plan, deploy, drift or --json.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { VaultKeyring } from '../../../src/config/vault/keyring.js';
import { makeProject } from '../../helpers/project.js';
import { sshdUnavailable, startSshdFleet, type SshdFleet } from '../../helpers/sshd/sshd-fleet.js';
import { testIo } from '../../helpers/test-io.js';

const unavailable = await sshdUnavailable();
if (unavailable !== undefined) console.warn(`SKIP encoded-secrets: ${unavailable}`);

// A quote and a backslash: JSON escaping changes it, so a redactor matching only the clear text would miss it.
const SECRET = 'tok"en\\9f8e7d6c5b';
// Written out here, not taken from the redactor: what each file of the role below holds.
const FORMS = [
  SECRET,
  JSON.stringify(SECRET).slice(1, -1),
  encodeURIComponent(SECRET),
  Buffer.from(`deploy:${SECRET}`).toString('base64'),
  Buffer.from(SECRET).toString('base64'),
];

const ENC_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'enc',
  description: 'role code that encodes a secret every way it can',
  vars: z.object({ enc_dir: z.string(), enc_token: z.string(), enc_derived: z.object({ nested: z.object({ url: z.string() }) }), enc_b64: z.string() }),
  tasks: ({ vars, dir, content }) => [
    dir(vars.enc_dir),
    content(\`\${vars.enc_dir}/token.json\`, JSON.stringify({ token: vars.enc_token }) + '\\n'),
    content(\`\${vars.enc_dir}/token.url\`, 'https://api.example/?k=' + encodeURIComponent(vars.enc_token) + '\\n'),
    content(\`\${vars.enc_dir}/basic.txt\`, 'Authorization: Basic ' + Buffer.from('deploy:' + vars.enc_token).toString('base64') + '\\n'),
    content(\`\${vars.enc_dir}/derived.txt\`, vars.enc_derived.nested.url + '\\n'),
    content(\`\${vars.enc_dir}/b64var.txt\`, vars.enc_b64 + '\\n'),
    content(\`\${vars.enc_dir}/plain.txt\`, 'nothing secret\\n'),
  ],
});
`;

describe.skipIf(unavailable !== undefined)('encoded, nested and derived secrets', () => {
  let fleet: SshdFleet;
  let root: string;
  let data: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'rig-home-'));

  beforeAll(async () => {
    fleet = await startSshdFleet(1, { firstOctet: 67 });
    data = mkdtempSync(path.join(os.tmpdir(), 'rig-encoded-'));
    const ring = VaultKeyring.fromPasswords([{ password: 'encoded-pw' }]);
    const h = fleet.hosts[0]!;
    root = makeProject({
      'inventory/test/hosts.yml': `all:\n  hosts:\n    h1: { ansible_host: ${h.address}, ansible_port: ${h.port} }\n`,
      'inventory/test/group_vars/all/main.yml': [
        'ansible_user: root',
        `ansible_ssh_private_key_file: ${fleet.clientKey.path}`,
        `rig_state_dir: ${data}/state`,
        `enc_dir: ${data}/app`,
        'enc_token: "{{ vault_token }}"',
        'enc_derived: { nested: { url: "https://deploy:{{ vault_token }}@api.example" } }',
        'enc_b64: "{{b64 @root.vault_token}}"',
        '',
      ].join('\n'),
      'inventory/test/group_vars/all/secrets.yml': ring.encrypt(`vault_token: ${JSON.stringify(SECRET)}\n`),
      '.vault_password': 'encoded-pw\n',
      'playbooks/site.yml': '- hosts: all\n  roles: [enc]\n',
      'roles/enc/role.ts': ENC_ROLE,
    }, { roles: [] });
  });
  afterAll(async () => {
    await fleet?.stop();
    for (const d of [data, root, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function rig(args: string[]) {
    const io = testIo({ cwd: root, env: { HOME: home, PATH: process.env['PATH'] } });
    const code = await main([...args, '--env', 'test', '--known-hosts', fleet.knownHostsFile], io);
    return { code, text: `${io.outText()}\n${io.errText()}` };
  }

  const expectNoForm = (text: string): void => {
    for (const f of FORMS) expect(text, `holds ${JSON.stringify(f)}`).not.toContain(f);
  };

  it('plan: every file that holds the secret in any form is sensitive; text and --json hold no form of it', async () => {
    const plan = await rig(['plan']);
    expect(plan.code, plan.text).toBe(2);
    for (const f of ['token.json', 'token.url', 'basic.txt', 'derived.txt', 'b64var.txt']) expect(plan.text).toContain(`${data}/app/${f} (mode 0600) sensitive: new`);
    expect(plan.text).toContain(`${data}/app/plain.txt: new`);
    expectNoForm(plan.text);
    expectNoForm((await rig(['plan', '--json', '-'])).text);
  });

  it('deploy, then a hand edit: deploy output, drift and drift --json hold no form of it', async () => {
    const deploy = await rig(['deploy']);
    expect(deploy.code, deploy.text).toBe(0);
    expectNoForm(deploy.text);
    appendFileSync(path.join(data, 'app', 'token.json'), `{"again":${JSON.stringify(SECRET)}}\n`);
    const drift = await rig(['drift']);
    expect(drift.code, drift.text).toBe(2);
    expect(drift.text).toContain(`${data}/app/token.json: content changed`);
    expectNoForm(drift.text);
    expectNoForm((await rig(['drift', '--json'])).text);
  });
});
