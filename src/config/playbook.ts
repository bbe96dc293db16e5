// Playbooks: ordered plays of `hosts: <group|host>` and `roles: [...]` with optional rolling `serial` batches.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { SourceLocation } from '../core/errors/diagnostic.js';
import { UserError } from '../core/errors/errors.js';
import { readYamlFile, type LoadContext } from './vars/vars-file.js';
import { zodIssuesToDiagnostics } from './zod-diagnostics.js';

const RoleRef = z.union([z.string().min(1), z.strictObject({ role: z.string().min(1) })]);

export const PlaySchema = z
  .strictObject({
    name: z.string().optional().describe('What this play does'),
    hosts: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('Groups or hosts (a name, a comma-separated list, or a list)'),
    roles: z.array(RoleRef).min(1).describe('Roles applied in order'),
    serial: z
      .union([z.number().int().min(1), z.string().regex(/^([1-9]\d?|100)%$/, 'a percentage such as "25%"')])
      .optional()
      .describe('Rolling batches: a host count or a percentage'),
  })
  .describe('A play');

export const PlaybookSchema = z.array(PlaySchema).min(1).describe('rig playbook: plays in order');

export interface Play {
  readonly name: string;
  readonly hosts: readonly string[];
  readonly roles: readonly { readonly name: string; readonly loc: SourceLocation }[];
  readonly serial: number | string | undefined;
  readonly loc: SourceLocation;
}

export interface Playbook {
  readonly file: string;
  readonly plays: readonly Play[];
}

/** Loads and validates a playbook; problems go to ctx.diagnostics. A missing file is a UserError. */
export function loadPlaybook(file: string, ctx: LoadContext): Playbook {
  if (!existsSync(file)) throw new UserError(`no playbook at ${file}`);
  const read = readYamlFile(file, ctx);
  if (!read) return { file, plays: [] };
  const parsed = PlaybookSchema.safeParse(read.source.toJS(), { reportInput: true });
  if (!parsed.success) {
    const keysAt = (p: readonly (string | number)[]): string[] => (p.length === 1 ? Object.keys(PlaySchema.shape) : []);
    ctx.diagnostics.add(...zodIssuesToDiagnostics(parsed.error.issues, read.source, [], { keysAt }));
    return { file, plays: [] };
  }
  const plays = parsed.data.map((p, i): Play => ({
    name: p.name ?? `play ${i + 1}`,
    hosts: (Array.isArray(p.hosts) ? p.hosts : p.hosts.split(/[,:]/)).map((h) => h.trim()).filter(Boolean),
    roles: p.roles.map((r, j) => ({
      name: typeof r === 'string' ? r : r.role,
      loc: read.source.locate([i, 'roles', j]),
    })),
    serial: p.serial,
    loc: read.source.locate([i]),
  }));
  return { file, plays };
}
