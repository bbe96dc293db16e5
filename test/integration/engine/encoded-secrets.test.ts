// M2: secrets that roles encode (JSON, URL, base64), nest in mappings or reach through `@root` never show in plan,
// deploy, drift or --json.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRoleBed, type RoleBed } from '../../bed/index.js';
import { sshdUnavailable } from '../../helpers/sshd/sshd-fleet.js';

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
  let bed!: RoleBed;
  useRoleBed(
    {
      roles: [{ name: 'enc', source: ENC_ROLE }],
      sshd: { firstOctet: 67 },
      vault: { vault_token: SECRET },
      hostVars: (h) => ({
        enc_dir: `${h.dataDir}/app`,
        enc_token: '{{ vault_token }}',
        enc_derived: { nested: { url: 'https://deploy:{{ vault_token }}@api.example' } },
        enc_b64: '{{b64 @root.vault_token}}',
      }),
    },
    (b) => (bed = b),
  );
  const data = (): string => bed.host().dataDir;
  async function rig(args: string[]) {
    const r = await bed.rig(args);
    return { code: r.code, text: `${r.out}\n${r.err}` };
  }

  const expectNoForm = (text: string): void => {
    for (const f of FORMS) expect(text, `holds ${JSON.stringify(f)}`).not.toContain(f);
  };

  it('plan: every file that holds the secret in any form is sensitive; text and --json hold no form of it', async () => {
    const plan = await rig(['plan']);
    expect(plan.code, plan.text).toBe(2);
    for (const f of ['token.json', 'token.url', 'basic.txt', 'derived.txt', 'b64var.txt'])
      expect(plan.text).toContain(`${data()}/app/${f} (mode 0600) sensitive: new`);
    expect(plan.text).toContain(`${data()}/app/plain.txt: new`);
    expectNoForm(plan.text);
    expectNoForm((await rig(['plan', '--json', '-'])).text);
  });

  it('deploy, then a hand edit: deploy output, drift and drift --json hold no form of it', async () => {
    const deploy = await rig(['deploy']);
    expect(deploy.code, deploy.text).toBe(0);
    expectNoForm(deploy.text);
    appendFileSync(path.join(data(), 'app', 'token.json'), `{"again":${JSON.stringify(SECRET)}}\n`);
    const drift = await rig(['drift']);
    expect(drift.code, drift.text).toBe(2);
    expect(drift.text).toContain(`${data()}/app/token.json: content changed`);
    expectNoForm(drift.text);
    expectNoForm((await rig(['drift', '--json'])).text);
  });
});
