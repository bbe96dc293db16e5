// docs/lessons.md §10, the lessons a role can write into its own definition (2: a reload over a single-file bind mount;
// 16: a managed file the container's user cannot read): a role of the deploy repo whose service reads files it
// manages, fixed and then broken; `rig plan` and `rig lint` refuse the broken one at the role's call site.
import { describe, expect, it } from 'vitest';
import { BASELINE, lint, plan, repo } from './lessons-repo.js';

/** A role of the deploy repo whose service reads files it manages: lessons 2 and 16 live in a role's own definition. */
const MOUNTED_ROLE = `import { defineRole, z } from 'rig';
export default defineRole({
  name: 'mounted',
  description: 'a service reading a file its role manages (lessons 2 and 16)',
  vars: z.object({ mounted_single_file: z.boolean(), mounted_owner: z.string(), mounted_mode: z.number() }),
  tasks: ({ vars, dir, content, service }) => [
    dir('/opt/rigdemo/configs/mounted', { mode: 0o755 }),
    content('/opt/rigdemo/configs/mounted/app.conf', 'x = 1\\n', { mode: vars.mounted_mode, owner: vars.mounted_owner, group: '0' }),
    service('mounted', {
      image: 'caddy:2.8.4-alpine',
      user: '1000:1000',
      mounts: [vars.mounted_single_file
        ? { type: 'bind', source: '/opt/rigdemo/configs/mounted/app.conf', target: '/etc/app/app.conf', readOnly: true }
        : { type: 'bind', source: '/opt/rigdemo/configs/mounted', target: '/etc/app', readOnly: true }],
    }, { reload: { paths: ['/opt/rigdemo/configs/mounted'], command: ['kill', '-HUP', '1'] } }),
  ],
});
`;
const MOUNTED_VARS = 'inventory/test/host_vars/app.yml';
const MOUNTED_AT = `roles/mounted/role.ts:${MOUNTED_ROLE.split('\n').findIndex((l) => l.includes("service('mounted'")) + 1}:5`;
const withMounted = (vars: string): Record<string, string> => ({
  'roles/mounted/role.ts': MOUNTED_ROLE,
  'playbooks/site.yml': `${BASELINE['playbooks/site.yml'] ?? ''}- name: a service reading its own files\n  hosts: [app_servers]\n  roles: [mounted]\n`,
  [MOUNTED_VARS]: vars,
});

describe('lint and plan refuse the lessons a role can write into its own definition', () => {
  const FIXED = 'mounted_single_file: false\nmounted_owner: "1000"\nmounted_mode: 0o600\n';
  it.each<[string, string, string]>([
    [
      "2 a reload over a single-file bind mount (the container keeps the replaced file's inode)",
      'mounted_single_file: true',
      `${MOUNTED_AT}: service mounted: reloads in place when /opt/rigdemo/configs/mounted/app.conf changes, but it is bind-mounted as a single file (at /etc/app/app.conf): rig replaces the file (a new inode, renamed over it) and the container keeps the old one, so \`kill -HUP 1\` would read the old content (docs/lessons.md §10.2); mount its directory /opt/rigdemo/configs/mounted instead`,
    ],
    [
      "16 a managed file the container's user cannot read (mode and owner vs the service's user)",
      'mounted_owner: "0"',
      `${MOUNTED_AT}: service mounted: runs as 1000:1000, which cannot read /opt/rigdemo/configs/mounted/app.conf (mounted at /etc/app/app.conf): it is 0600 owned by 0:0 (docs/lessons.md §10.16: PermissionError at start); make the service's user own it or give its group or others read access`,
    ],
  ])('%s', async (_lesson, broken, expected) => {
    const fixed = repo(undefined, withMounted(FIXED));
    const [ok, okLint] = await Promise.all([plan(fixed), lint(fixed)]);
    expect([ok.said, okLint.code]).toEqual([[], 0]);
    const key = broken.split(':')[0] ?? '';
    const root = repo(
      undefined,
      withMounted(
        FIXED.split('\n')
          .map((l) => (l.startsWith(`${key}:`) ? broken : l))
          .join('\n'),
      ),
    );
    const [planned, linted] = await Promise.all([plan(root), lint(root)]);
    expect(planned.said.map((d) => `${d.severity} ${d.text}`)).toEqual([`error ${expected} [host app]`]);
    expect([linted.lines.filter((l) => l.startsWith(expected)).length, linted.code]).toEqual([1, 1]);
  });
});
