// `rig inventory`: hosts, groups and each variable with its value (secrets masked) and the file:line:col it came from.
import { formatDiagnostic, formatLocation } from '../../../core/errors/diagnostic.js';
import type { HostConfig, Project } from '../../../config/project.js';
import type { ResolvedVar } from '../../../config/vars/resolve-vars.js';
import { SECRET_PLACEHOLDER } from '../../../config/vars/var-entry.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { openProject } from '../../project-context.js';

const OPTIONS = {
  ...PROJECT_OPTIONS,
  host: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/** Lists the env's hosts; `--host` narrows, `--json` prints the same data for programs. */
export async function inventoryCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('inventory', args, OPTIONS);
  const project = await openProject(values, io, { limit: values.host, allHosts: true });
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  if (values.json) io.out(JSON.stringify(inventoryJson(project, io.cwd), null, 2));
  else io.out(inventoryText(project, io.cwd, values.verbose === true));
  return 0;
}

function shown(v: ResolvedVar): unknown {
  return v.secret ? SECRET_PLACEHOLDER : v.value;
}

/** The documented JSON shape: `{ env, groups: {name: {parents, children, hosts}}, hosts: {name: {...}} }`. */
export function inventoryJson(project: Project, cwd: string): unknown {
  const groups = Object.fromEntries(
    [...project.inventory.tree.groups.values()].map((g) => [
      g.name,
      { parents: [...g.parents], children: [...g.children], hosts: [...g.hosts] },
    ]),
  );
  const hosts = Object.fromEntries([...project.hosts.values()].map((h) => [h.name, hostJson(h, cwd)]));
  return { env: project.env, settings: project.inventory.settings, groups, hosts };
}

function hostJson(h: HostConfig, cwd: string): unknown {
  const vars = Object.fromEntries(
    [...h.vars.values()].map((v) => [
      v.name,
      {
        value: shown(v),
        secret: v.secret,
        source: formatLocation(v.loc, cwd),
        layer: v.layer,
        overrides: v.overridden.map((o) => ({ source: formatLocation(o.loc, cwd), layer: o.layer })),
      },
    ]),
  );
  return { groups: h.groups, roles: h.roles.map((r) => r.name), connection: h.connection, vars };
}

function inventoryText(project: Project, cwd: string, verbose: boolean): string {
  const lines = [
    `environment ${project.env}${project.inventory.settings.confirm ? ' (confirm)' : ''}${project.inventory.settings.pinned ? ' (pinned)' : ''}`,
  ];
  for (const h of project.hosts.values()) {
    const c = h.connection;
    lines.push(
      '',
      `${h.name}  ssh ${c.user ?? '(default user)'}@${c.host}${c.port ? `:${c.port}` : ''}${c.become ? ' become' : ''}`,
    );
    lines.push(`  groups: ${h.groups.join(', ')}`, `  roles:  ${h.roles.map((r) => r.name).join(', ') || '(none)'}`);
    const vars = [...h.vars.values()]
      .filter((v) => verbose || v.layer !== 'built-in')
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const width = Math.max(0, ...vars.map((v) => v.name.length));
    for (const v of vars) {
      lines.push(`  ${v.name.padEnd(width)}  ${JSON.stringify(shown(v))}  ${formatLocation(v.loc, cwd)} (${v.layer})`);
      if (verbose)
        for (const o of v.overridden)
          lines.push(`  ${''.padEnd(width)}    overrides ${formatLocation(o.loc, cwd)} (${o.layer})`);
    }
  }
  return lines.join('\n');
}
