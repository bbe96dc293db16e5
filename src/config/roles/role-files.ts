// The files roles read while rendering (templates, files to copy), each read once per render.
import { existsSync, readFileSync } from 'node:fs';
import { DiagnosticsError, type SourceLocation } from '../../core/errors/diagnostic.js';
import { loadTemplateFile } from '../../template/index.js';

/**
 * A role's templates and files, each read once per render however many hosts use it: every host gets the same bytes,
 * and 100 hosts × 20 templates cost 20 reads, not 2,000 (compiling is cached by the template layer, by text). A
 * template that cannot be read fails every host that uses it, as before (the failure is kept, not the file retried).
 */
export class RoleFiles {
  private readonly templates = new Map<string, { ok: { file: string; text: string } } | { failed: unknown }>();
  private readonly copies = new Map<string, Uint8Array>();

  template(file: string): { file: string; text: string } {
    let got = this.templates.get(file);
    if (got === undefined) {
      try {
        got = { ok: loadTemplateFile(file) };
      } catch (err) {
        got = { failed: err };
      }
      this.templates.set(file, got);
    }
    if ('failed' in got) throw got.failed;
    return got.ok;
  }

  /** A file to copy; a missing one is an error at the call site `at` (not kept: each call site is named). */
  bytes(file: string, at: SourceLocation | undefined): Uint8Array {
    const hit = this.copies.get(file);
    if (hit !== undefined) return hit;
    if (!existsSync(file))
      throw new DiagnosticsError([{ severity: 'error', message: `no file ${file} to copy`, loc: at }]);
    const bytes = readFileSync(file);
    this.copies.set(file, bytes);
    return bytes;
  }
}
