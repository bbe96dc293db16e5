// `rig schema`: JSON Schemas generated from the zod schemas, for editors (yaml-language-server `$schema` comments).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EnvSettingsSchema, HostsFileSchema } from '../../../config/inventory/inventory-schema.js';
import { PlaybookSchema } from '../../../config/playbook.js';
import { ChecklistReportSchema } from '../../../checklist/checklist-report.js';
import { SmokeReportSchema } from '../../../smoke/smoke-report.js';
import { parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';

/**
 * Vars files map names to values; role variables are checked by the role schemas, so here only names are constrained.
 */
const VarsFileSchema = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.unknown())
  .describe('rig vars file (group_vars, host_vars, defaults.yml)');

export const SCHEMAS: Record<string, z.ZodType> = {
  'hosts.schema.json': HostsFileSchema,
  'vars.schema.json': VarsFileSchema,
  'env.schema.json': EnvSettingsSchema,
  'playbook.schema.json': PlaybookSchema,
  'smoke-report.schema.json': SmokeReportSchema,
  'checklist-report.schema.json': ChecklistReportSchema,
};

/** The JSON Schema text of one schema (stable, so `make schema` is reproducible). */
export function jsonSchemaText(schema: z.ZodType): string {
  return `${JSON.stringify(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
}

export function schemaCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags('schema', args, { out: { type: 'string' } });
  const dir = path.resolve(io.cwd, values.out ?? 'schema');
  mkdirSync(dir, { recursive: true });
  for (const [file, schema] of Object.entries(SCHEMAS)) {
    writeFileSync(path.join(dir, file), jsonSchemaText(schema));
    io.out(`wrote ${path.relative(io.cwd, path.join(dir, file))}`);
  }
  return Promise.resolve(0);
}
