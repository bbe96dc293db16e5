// The template layer's only I/O: reading a template file.
import { readFileSync } from 'node:fs';
import { DiagnosticsError } from '../core/errors/diagnostic.js';

/** Reads a template file as UTF-8; a missing or unreadable file is a DiagnosticsError naming it. */
export function loadTemplateFile(path: string): { file: string; text: string } {
  try {
    return { file: path, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new DiagnosticsError([{ severity: 'error', message: `cannot read template ${path} (${code})` }]);
  }
}
