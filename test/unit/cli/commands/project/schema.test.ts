// The committed JSON Schemas (editor support) match the zod schemas, and the repo's YAML files point at them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaText, SCHEMAS } from '../../../../../src/cli/commands/project/schema.js';
import { REPO_ROOT } from '../../../../helpers/project.js';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const full = path.join(dir, e);
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return e.endsWith('.yml') ? [full] : [];
  });
}

describe('JSON Schemas', () => {
  it.each(Object.entries(SCHEMAS))('schema/%s is up to date (run `make schema`)', (file, schema) => {
    expect(readFileSync(path.join(REPO_ROOT, 'schema', file), 'utf8')).toBe(jsonSchemaText(schema));
  });

  it('every inventory, playbook and defaults file references an existing schema', () => {
    // images.lock.yml is written by `rig pin`, not by hand (and the demo's is not committed)
    const files = [
      ...yamlFiles(path.join(REPO_ROOT, 'inventory')),
      ...yamlFiles(path.join(REPO_ROOT, 'playbooks')),
      ...yamlFiles(path.join(REPO_ROOT, 'roles')),
    ].filter((f) => path.basename(f) !== 'images.lock.yml');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const m = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(f, 'utf8'));
      expect(m, `${f} has no $schema comment`).not.toBeNull();
      expect(existsSync(path.resolve(path.dirname(f), m![1]!)), `${f} → ${m![1]}`).toBe(true);
    }
  });
});
