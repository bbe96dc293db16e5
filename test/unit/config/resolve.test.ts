// Variable references, connection variables (rig and Ansible names) and host selection.
import { describe, expect, it } from 'vitest';
import { load, loadErrors, makeProject, sampleFiles } from '../../helpers/project.js';

const ALL = 'inventory/test/group_vars/all.yml';
const BASE = 'sample_dir: /srv/app\nsample_api_key: not-a-real-key-123\n';

describe('variable references', () => {
  it('a whole-string reference keeps the referenced type; embedded ones give strings; chains resolve', async () => {
    const root = makeProject(
      sampleFiles({
        [ALL]: `${BASE}base_port: 9000\nsample_port: "{{ base_port }}"\nurl: "http://{{ inventory_hostname }}:{{ sample_port }}/"\nalias: "{{ url }}"\n`,
      }),
    );
    const vars = (await load(root)).hosts.get('web1')!.vars;
    expect(vars.get('sample_port')?.value).toBe(9000);
    expect(vars.get('url')?.value).toBe('http://web1:9000/');
    expect(vars.get('alias')?.value).toBe('http://web1:9000/');
  });

  it('a literal {{ is written \\{{ (Handlebars escape)', async () => {
    const root = makeProject(sampleFiles({ [ALL]: `${BASE}sample_message: 'use \\{{name}} in templates'\n` }));
    expect((await load(root)).hosts.get('web1')!.vars.get('sample_message')?.value).toBe('use {{name}} in templates');
  });

  it('reports cycles, unknown references and Jinja filters at the value', async () => {
    const root = makeProject(
      sampleFiles({ [ALL]: `${BASE}a: "{{ b }}"\nb: "{{ a }}"\nc: "{{ nope }}"\nd: "{{ c | default('x') }}"\n` }),
    );
    const errors = await loadErrors(root);
    expect(errors).toContainEqual('inventory/test/group_vars/all.yml:3:1: variable cycle: a → b → a [host web1]');
    expect(errors).toContainEqual(
      expect.stringMatching(/^inventory\/test\/group_vars\/all\.yml:5:\d+: missing variable "nope"/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^inventory\/test\/group_vars\/all\.yml:6:\d+: Jinja filters are not supported; use Handlebars helpers/,
      ),
    );
  });
});

describe('connection variables', () => {
  it('accepts Ansible names unchanged and rig names', async () => {
    const hosts =
      'all:\n  children:\n    app:\n      hosts:\n        web1: { ansible_host: 10.1.1.1, ansible_port: "804", ansible_user: deploy, ansible_become: yes }\n        web2: { host: 10.1.1.2, port: 2222, user: ops, become: false }\n';
    const p = await load(makeProject(sampleFiles({ 'inventory/test/hosts.yml': hosts })));
    expect(p.hosts.get('web1')?.connection).toEqual({
      host: '10.1.1.1',
      port: 804,
      user: 'deploy',
      sshKey: undefined,
      become: true,
    });
    expect(p.hosts.get('web2')?.connection).toEqual({
      host: '10.1.1.2',
      port: 2222,
      user: 'ops',
      sshKey: undefined,
      become: false,
    });
  });

  it('the inventory name is the address when none is given (as Ansible, so ~/.ssh/config aliases work)', async () => {
    const p = await load(
      makeProject(
        sampleFiles({
          'inventory/test/hosts.yml': 'all:\n  hosts:\n    web1:\n',
          'playbooks/site.yml': '- hosts: all\n  roles: [sample]\n',
        }),
      ),
    );
    expect(p.hosts.get('web1')?.connection).toEqual({
      host: 'web1',
      port: undefined,
      user: undefined,
      sshKey: undefined,
      become: false,
    });
  });

  it('a bad port is reported at its variable', async () => {
    const hosts = 'all:\n  children:\n    app:\n      hosts:\n        web1:\n        web2: { ansible_port: 70000 }\n';
    const root = makeProject(sampleFiles({ 'inventory/test/hosts.yml': hosts }));
    expect(await loadErrors(root)).toEqual([
      expect.stringMatching(/^inventory\/test\/hosts\.yml:6:17: ansible_port: .*65535.* \[host web2\]$/),
    ]);
  });
});

describe('host selection', () => {
  const hosts = 'all:\n  children:\n    app:\n      hosts: { web1:, web2: }\n    vpn:\n      hosts: { vpn1: }\n';
  const playbook = '- hosts: app\n  roles: [sample]\n- hosts: [vpn, "!nothing"]\n  roles: [sample]\n';

  it('--limit narrows to hosts or groups; unknown names are errors', async () => {
    const root = makeProject(sampleFiles({ 'inventory/test/hosts.yml': hosts, 'playbooks/site.yml': playbook }));
    expect([...(await load(root)).hosts.keys()]).toEqual(['web1', 'web2', 'vpn1']);
    expect([...(await load(root, { limit: ['vpn'] })).hosts.keys()]).toEqual(['vpn1']);
    expect([...(await load(root, { limit: ['web2,vpn1'] })).hosts.keys()]).toEqual(['web2', 'vpn1']);
    expect(await loadErrors(root, { limit: ['wbe1'] })).toEqual([
      '--limit wbe1: no host or group "wbe1" in environment test (did you mean "web1"?)',
    ]);
  });

  it('--role keeps only hosts running that role; an unknown role is an error', async () => {
    const root = makeProject(sampleFiles({ 'inventory/test/hosts.yml': hosts, 'playbooks/site.yml': playbook }));
    expect((await load(root, { roles: ['sample'] })).hosts.size).toBe(3);
    expect(await loadErrors(root, { roles: ['sampel'] })).toEqual([
      '--role sampel: no play runs role "sampel" (did you mean "sample"?)',
    ]);
  });

  it('reports group cycles and host ranges', async () => {
    const cyclic =
      'all:\n  children:\n    a:\n      children:\n        b:\n          hosts: { web1: }\n          children:\n            a:\n    r:\n      hosts:\n        web[01:03]:\n';
    const errors = await loadErrors(makeProject(sampleFiles({ 'inventory/test/hosts.yml': cyclic })));
    expect(errors).toContainEqual(expect.stringMatching(/group cycle: a → b → a/));
    expect(errors).toContainEqual(
      'inventory/test/hosts.yml:11:9: host ranges ("web[01:03]") are not supported; list each host',
    );
  });
});
