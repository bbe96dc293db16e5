// One test per row of the README's precedence table: each source overrides every source above it.
import { describe, expect, it } from 'vitest';
import { load, makeProject, sampleFiles } from '../../helpers/project.js';

/** Rows lowest first; each writes sample_message = its own name. */
const ROWS: { row: string; files: Record<string, string>; opts?: { extraVars?: string[]; varsFiles?: string[] } }[] = [
  { row: 'role defaults', files: {} }, // roles/sample/defaults.yml says "hello from rig"
  { row: 'hosts.yml all vars', files: { 'inventory/test/hosts.yml': hostsYml({ all: 'hosts.yml all vars' }) } },
  {
    row: 'hosts.yml group vars',
    files: { 'inventory/test/hosts.yml': hostsYml({ all: 'x', group: 'hosts.yml group vars' }) },
  },
  {
    row: 'group_vars/all',
    files: {
      'inventory/test/group_vars/all.yml':
        'sample_dir: /srv/app\nsample_api_key: not-a-real-key-123\nsample_message: group_vars/all\n',
    },
  },
  { row: 'group_vars/<group>', files: { 'inventory/test/group_vars/app.yml': 'sample_message: group_vars/<group>\n' } },
  {
    row: 'hosts.yml host vars',
    files: { 'inventory/test/hosts.yml': hostsYml({ all: 'x', group: 'x', host: 'hosts.yml host vars' }) },
  },
  {
    row: 'host_vars/<host>',
    files: { 'inventory/test/host_vars/web1/main.yml': 'sample_message: host_vars/<host>\n' },
  },
  { row: '--vars-file', files: { 'extra.yml': 'sample_message: --vars-file\n' }, opts: { varsFiles: ['extra.yml'] } },
  { row: '--var', files: {}, opts: { extraVars: ['sample_message=--var'] } },
];

function hostsYml(v: { all?: string; group?: string; host?: string }): string {
  return [
    'all:',
    ...(v.all ? ['  vars:', `    sample_message: "${v.all}"`] : []),
    '  children:',
    '    app:',
    ...(v.group ? ['      vars:', `        sample_message: "${v.group}"`] : []),
    '      hosts:',
    '        web1:',
    ...(v.host ? [`          sample_message: "${v.host}"`] : ['          ansible_host: 127.0.0.1']),
    '',
  ].join('\n');
}

describe('variable precedence (README table)', () => {
  ROWS.forEach((_, i) => {
    const rows = ROWS.slice(0, i + 1);
    const top = rows[rows.length - 1]!;
    it(`${top.row} overrides every row above it`, async () => {
      const files = Object.assign(sampleFiles(), ...rows.map((r) => r.files)) as Record<string, string>;
      const opts = Object.assign({}, ...rows.map((r) => r.opts ?? {})) as {
        extraVars?: string[];
        varsFiles?: string[];
      };
      const project = await load(makeProject(files), opts);
      const v = project.hosts.get('web1')!.vars.get('sample_message')!;
      expect(v.value).toBe(i === 0 ? 'hello from rig' : top.row);
      expect(v.overridden).toHaveLength(i);
    });
  });

  it('children override parents regardless of name, siblings are ordered by name, ansible_group_priority first', async () => {
    const hosts = [
      'all:',
      '  children:',
      '    zparent:',
      '      children:',
      '        achild:',
      '          hosts: { web1: }',
      '    bsib:',
      '      hosts: { web1: }',
      '    csib:',
      '      hosts: { web1: }',
      '',
    ].join('\n');
    const files = sampleFiles({
      'inventory/test/hosts.yml': hosts,
      'playbooks/site.yml': '- hosts: all\n  roles: [sample]\n',
      'inventory/test/group_vars/zparent.yml': 'a: zparent\nd: zparent\n',
      'inventory/test/group_vars/achild.yml': 'a: achild\n',
      'inventory/test/group_vars/bsib.yml': 'c: bsib\nansible_group_priority: 5\n',
      'inventory/test/group_vars/csib.yml': 'c: csib\nd: csib\n',
    });
    const vars = (await load(makeProject(files))).hosts.get('web1')!.vars;
    expect(vars.get('a')?.value).toBe('achild'); // depth 2 beats depth 1
    expect(vars.get('d')?.value).toBe('zparent'); // same depth and priority: by name, zparent after csib
    expect(vars.get('c')?.value).toBe('bsib'); // priority 5 sorts after csib's default 1, despite the name
    expect(project_groups(vars.get('group_names')?.value)).toEqual(['bsib', 'csib', 'zparent', 'achild'].sort());
  });

  it('records file:line:col of the winning value', async () => {
    const root = makeProject(
      sampleFiles({ 'inventory/test/group_vars/app.yml': '# comment\n\nsample_message: here\n' }),
    );
    const v = (await load(root)).hosts.get('web1')!.vars.get('sample_message')!;
    expect(v.loc).toEqual({ file: `${root}/inventory/test/group_vars/app.yml`, line: 3, col: 1 });
    expect(v.layer).toBe('group_vars');
  });
});

function project_groups(v: unknown): string[] {
  return [...(v as string[])].sort();
}
