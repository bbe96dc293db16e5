// The deploy repository of a role bed: inventory `test` over the bed's hosts (known_hosts included), variables,
// vault, lint allowances, the playbook, and the roles (the repo's, test fixtures, or inline sources).
import { existsSync } from 'node:fs';
import { stringifyYaml } from '../../src/core/yaml-text.ts';
import { makeProject, roleDir } from '../helpers/project.ts';
import type { TestbedHost } from './testbed-description.ts';

/** A role written by the test: `roles/<name>/role.ts` with `source` as its content. */
export interface InlineRole {
  readonly name: string;
  readonly source: string;
}

/** What the repository needs of a host: its login (an address of this machine) and where its files are. */
export type BedHost = Pick<TestbedHost, 'name' | 'port' | 'user' | 'keyPath' | 'dataDir' | 'composeProject'> & {
  readonly address: string;
};

/** What goes into the repository (see `RoleBedOptions` for each field's meaning). */
export interface ProjectSpec {
  readonly roles: readonly (string | InlineRole)[];
  readonly hosts: readonly BedHost[];
  readonly knownHosts: string;
  readonly hostVars: ReadonlyMap<string, Record<string, unknown>>;
  readonly groupVars: Record<string, unknown>;
  /** Already encrypted `group_vars/all/secrets.yml`, and the password file's content. */
  readonly vault: { readonly encrypted: string; readonly password: string } | undefined;
  /** lint.yml entries: image name → why it may float. */
  readonly lintAllow: ReadonlyMap<string, string>;
  readonly files: Readonly<Record<string, string>>;
}

/** Writes the repository into a new temp dir (rig installed as its dependency) and returns its root. */
export function writeProject(spec: ProjectSpec): string {
  const linked: string[] = [];
  const files: Record<string, string> = {
    'inventory/test/hosts.yml': stringifyYaml({ all: { hosts: hostEntries(spec.hosts) } }),
    'inventory/test/known_hosts': spec.knownHosts,
    'playbooks/site.yml': stringifyYaml([{ hosts: 'all', roles: spec.roles.map(roleName) }]),
  };
  for (const [name, vars] of spec.hostVars) files[`inventory/test/host_vars/${name}.yml`] = stringifyYaml(vars);
  if (Object.keys(spec.groupVars).length > 0) {
    files['inventory/test/group_vars/all/vars.yml'] = stringifyYaml(spec.groupVars);
  }
  if (spec.vault !== undefined) {
    files['inventory/test/group_vars/all/secrets.yml'] = spec.vault.encrypted;
    files['.vault_password'] = `${spec.vault.password}\n`;
  }
  if (spec.lintAllow.size > 0) {
    files['lint.yml'] = stringifyYaml({ images: [...spec.lintAllow].map(([image, reason]) => ({ image, reason })) });
  }
  for (const role of spec.roles) {
    if (typeof role !== 'string') files[`roles/${role.name}/role.ts`] = role.source;
    // linked, not copied: a copy read as text would garble a role's binary files (sample's files/sample.bin)
    else if (existsSync(roleDir(role))) linked.push(role);
    else throw new Error(`role bed: no role ${role} in roles/ or test/fixtures/roles/`);
  }
  return makeProject({ ...files, ...spec.files }, { roles: linked, asPackage: true });
}

const hostEntries = (hosts: readonly BedHost[]) => Object.fromEntries(hosts.map((h) => [h.name, ssh(h)]));
const roleName = (r: string | InlineRole): string => (typeof r === 'string' ? r : r.name);

function ssh(h: BedHost): Record<string, unknown> {
  return {
    ansible_host: h.address,
    ansible_port: h.port,
    ansible_user: h.user,
    ansible_ssh_private_key_file: h.keyPath,
  };
}
