// renderString: Ansible-style variable references, native-type passthrough, and locations inside YAML values.
import { describe, expect, it } from 'vitest';
import { DiagnosticsError, formatDiagnostic } from '../../../src/core/errors/diagnostic.js';
import { Redactor } from '../../../src/core/redact/redactor.js';
import { renderString } from '../../../src/template/index.js';

const loc = { file: 'inventory/prod/group_vars/all.yml', line: 7, col: 10 };
const redactor = new Redactor(['hunter2-secret']);
const ctx = {
  port: 5432,
  db: { host: 'db1', opts: ['a'] },
  vault_db_password: 'hunter2-secret',
  flag: false,
  nothing: null,
};

function errorOf(text: string): string {
  try {
    renderString(text, ctx, { redactor, loc });
  } catch (err) {
    if (err instanceof DiagnosticsError) return err.diagnostics.map((d) => formatDiagnostic(d)).join('\n');
    throw err;
  }
  throw new Error('expected a DiagnosticsError');
}

describe('renderString', () => {
  it('returns the referenced value unchanged when the text is exactly one {{ path }}', () => {
    expect(renderString('{{ port }}', ctx, { redactor, loc })).toEqual({ value: 5432, sensitive: false });
    expect(renderString('{{db}}', ctx, { redactor, loc }).value).toBe(ctx.db);
    expect(renderString('{{ db.opts }}', ctx, { redactor, loc }).value).toBe(ctx.db.opts);
    expect(renderString('{{flag}}', ctx, { redactor, loc }).value).toBe(false);
    expect(renderString('{{nothing}}', ctx, { redactor, loc }).value).toBeNull();
  });

  it('renders anything else to a string', () => {
    expect(renderString('postgres://{{db.host}}:{{port}}/app', ctx, { redactor, loc }).value).toBe(
      'postgres://db1:5432/app',
    );
    expect(renderString(' {{port}}', ctx, { redactor, loc }).value).toBe(' 5432');
    expect(renderString('{{default missing 3}}', ctx, { redactor, loc }).value).toBe('3');
    expect(renderString('no mustache', ctx, { redactor, loc })).toEqual({ value: 'no mustache', sensitive: false });
  });

  it('marks secrets, whether passed through natively or embedded', () => {
    expect(renderString('{{ vault_db_password }}', ctx, { redactor, loc })).toEqual({
      value: 'hunter2-secret',
      sensitive: true,
    });
    expect(renderString('pg://u:{{vault_db_password}}@x', ctx, { redactor, loc }).sensitive).toBe(true);
    expect(renderString('{{b64 vault_db_password}}', ctx, { redactor, loc }).sensitive).toBe(true);
  });

  it('locates errors at the column inside the string', () => {
    expect(errorOf('{{ nope }}')).toBe(
      'inventory/prod/group_vars/all.yml:7:13: missing variable "nope" (not defined for this host)',
    );
    expect(errorOf('{{ db.nope.x }}')).toBe(
      'inventory/prod/group_vars/all.yml:7:13: missing variable "db.nope" (not defined for this host)',
    );
    expect(errorOf('x-{{nope}}')).toBe(
      'inventory/prod/group_vars/all.yml:7:14: missing variable "nope" (not defined for this host)',
    );
    expect(errorOf("{{ x | default('y') }}")).toBe(
      'inventory/prod/group_vars/all.yml:7:15: Jinja filters are not supported; use Handlebars helpers, e.g. {{default x "y"}}',
    );
    expect(errorOf('a\n{{nope}}')).toBe(
      'inventory/prod/group_vars/all.yml:7:10: missing variable "nope" (not defined for this host)',
    );
  });
});
