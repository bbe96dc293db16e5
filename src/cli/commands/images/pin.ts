// `rig pin`: resolves every image the env deploys to a digest and writes images.lock.yml; `--check` only compares
// (nightly cron).
import path from 'node:path';
import { writeFileAtomic } from '../../../config/vault/atomic-write.js';
import { renderProject } from '../../../config/roles/render-roles.js';
import { formatDiagnostic } from '../../../core/errors/diagnostic.js';
import { UsageError } from '../../../core/errors/errors.js';
import { envImages } from '../../../pin/env-images.js';
import {
  lockChanges,
  lockFilePath,
  readLockFile,
  renderLockFile,
  type LockEntry,
  type LockFile,
} from '../../../pin/lockfile.js';
import { resolveImages, type Resolution } from '../../../pin/resolve-images.js';
import type { ResolvedImage } from '../../../registry/registry-client.js';
import { PROJECT_OPTIONS, parseFlags } from '../../args.js';
import type { CliIo } from '../../io.js';
import { openProject } from '../../project-context.js';

const OPTIONS = { ...PROJECT_OPTIONS, check: { type: 'boolean' } } as const;

/** Exit 0: lock written (or, with --check, nothing moved); 2 (--check): a tag moved or disappeared; 1: any error. */
export async function pinCommand(args: string[], io: CliIo): Promise<number> {
  const { values: flags, positionals } = parseFlags('pin', args, OPTIONS);
  if (positionals.length > 0) throw new UsageError(`rig pin: unexpected argument "${positionals[0]}"`);
  const project = await openProject(flags, io, { allHosts: false });
  for (const w of project.warnings) io.err(formatDiagnostic(w, io.cwd));
  const file = lockFilePath(project.root, project.env);
  const shown = path.relative(io.cwd, file);
  const lock = readLockFile(file);
  const results = await resolveImages(project, envImages(project, renderProject(project)));
  const now = new Date().toISOString();
  if (flags.check === true) return check(results, lock, shown, io);
  const failed = results.filter((r) => 'error' in r);
  for (const r of failed) io.err(`rig pin: ${r.error.message}`);
  if (failed.length > 0) {
    io.err(
      `rig pin: ${failed.length} image${failed.length === 1 ? '' : 's'} could not be resolved; ${shown} was not changed`,
    );
    return 1;
  }
  const entries = results.flatMap((r) => ('resolved' in r ? [entry(r.resolved, r.image.ref, lock, now)] : []));
  const text = renderLockFile(project.env, entries);
  await writeFileAtomic(file, text, 0o644);
  io.out(changesText(lock, entries, shown));
  return 0;
}

/** A lock entry; an unchanged digest keeps its old resolvedAt, so re-pinning an unchanged env changes no byte. */
function entry(r: ResolvedImage, ref: string, lock: LockFile | undefined, now: string): LockEntry {
  const old = lock?.images.find((e) => e.ref === ref && e.digest === r.digest);
  const registry = r.registry === 'registry-1.docker.io' ? 'docker.io' : r.registry;
  return {
    ref,
    registry,
    repository: r.repository,
    tag: r.tag,
    digest: r.digest,
    mediaType: r.mediaType,
    ...(r.platforms && Object.keys(r.platforms).length > 0 ? { platforms: r.platforms } : {}),
    resolvedAt: old?.resolvedAt ?? now,
  };
}

function changesText(lock: LockFile | undefined, entries: readonly LockEntry[], shown: string): string {
  const c = lockChanges(lock, entries);
  const lines = [
    ...c.added.map((e) => `+ ${e.ref}  ${e.digest}`),
    ...c.changed.map((e) => `~ ${e.ref}  ${short(e.from)} → ${short(e.to)}`),
    ...c.removed.map((r) => `- ${r}  (no longer deployed)`),
  ];
  return [
    ...lines,
    `pin: ${shown}: ${c.added.length} added, ${c.changed.length} changed, ${c.removed.length} removed, ${c.same} unchanged`,
  ].join('\n');
}

/**
 * `--check`: resolves without writing; a moved or vanished tag is drift (exit 2), an unreachable registry an error (1).
 */
function check(results: readonly Resolution[], lock: LockFile | undefined, shown: string, io: CliIo): number {
  const pins = new Map((lock?.images ?? []).map((e) => [e.ref, e]));
  const lines: string[] = [];
  let drift = 0;
  let errors = 0;
  for (const r of results) {
    const pinned = pins.get(r.image.ref);
    const verdict = checkOne(r, pinned, shown);
    if (verdict.kind === 'drift') drift++;
    if (verdict.kind === 'error') errors++;
    if (verdict.line) lines.push(verdict.line);
  }
  lines.push(`pin --check: ${results.length} images, ${drift} moved or disappeared, ${errors} could not be checked`);
  io.out(lines.join('\n'));
  return errors > 0 ? 1 : drift > 0 ? 2 : 0;
}

function checkOne(
  r: Resolution,
  pinned: LockEntry | undefined,
  shown: string,
): { kind: 'ok' | 'drift' | 'error'; line?: string } {
  if ('error' in r && r.error.kind === 'not-found' && pinned)
    return {
      kind: 'drift',
      line: `! ${r.image.ref}: disappeared upstream (was ${short(pinned.digest)}): ${r.error.message}`,
    };
  if ('error' in r) return { kind: 'error', line: `? ${r.image.ref}: ${r.error.message}` };
  if (!pinned) return { kind: 'ok', line: `+ ${r.image.ref}: not in ${shown} yet (now ${short(r.resolved.digest)})` };
  if (pinned.digest !== r.resolved.digest)
    return {
      kind: 'drift',
      line: `~ ${r.image.ref}: moved upstream ${short(pinned.digest)} → ${short(r.resolved.digest)}`,
    };
  return { kind: 'ok' };
}

function short(digest: string): string {
  return `${digest.slice(0, 19)}…`;
}
