// `rig lint`: floating image tags in versions files, vars and templates, and in what each env's services really use;
// the rendered env's own consistency (services against their files, proxies against their upstreams, pairs of hosts).
import { renderProject } from '../../../config/roles/render-roles.js';
import { DiagnosticsError, formatDiagnostic, type Diagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError } from '../../../core/errors/errors.js';
import { listEnvironments } from '../../../config/inventory/inventory.js';
import { findRepoRoot } from '../../../config/repo-root.js';
import { envChecks } from '../../../lint/env-checks.js';
import { lintImages, lintImageValues, loadImageAllowList } from '../../../lint/lint-images.js';
import { envImages } from '../../../pin/env-images.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { openProject } from '../../project-context.js';

/**
 * Lints the repository's files (every env, or `--env E`), then each env's rendered services (images set by
 * variables or role code). Exit 1 when anything is found, 0 when clean.
 */
export async function lintCommand(args: string[], io: CliIo): Promise<number> {
  const { values: flags, positionals } = parseFlags('lint', args, PROJECT_OPTIONS);
  if (positionals.length > 0) throw new UsageError(`rig lint: unexpected argument "${positionals[0]}"`);
  const root = findRepoRoot(io.cwd, flags.root);
  const files = lintImages({ root, ...(flags.env ? { env: flags.env } : {}) });
  const found: Diagnostic[] = [...files.diagnostics];
  const allow = loadImageAllowList(root);
  for (const env of flags.env ? [flags.env] : listEnvironments(root)) {
    try {
      const project = await openProject({ ...flags, env }, io);
      const rendered = renderProject(project);
      const images = envImages(project, rendered).flatMap((i) => (i.loc ? [{ ref: i.ref, loc: i.loc }] : []));
      found.push(...lintImageValues(images, allow.entries).filter((d) => !found.some((f) => sameFinding(f, d))));
      found.push(...envChecks(project, rendered));
    } catch (err) {
      if (!(err instanceof DiagnosticsError)) throw err;
      found.push(...err.diagnostics);
    }
  }
  for (const d of found) io.out(formatDiagnostic(d, io.cwd));
  const errors = found.filter((d) => d.severity === 'error').length;
  io.out(`lint: ${files.checked} image references in files checked; ${errors} problem${errors === 1 ? '' : 's'}`);
  return errors > 0 ? 1 : 0;
}

function sameFinding(a: Diagnostic, b: Diagnostic): boolean {
  return (
    a.message === b.message && a.loc?.file === b.loc?.file && a.loc?.line === b.loc?.line && a.loc?.col === b.loc?.col
  );
}
