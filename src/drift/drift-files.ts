// Pure: the release's files and directories against their state on the host (file-state fact): what differs.
import type { Release } from '../release/release-schema.js';
import type { PathState } from '../facts/files/file-state.js';
import type { DriftItem } from './drift-types.js';

type Attrs = {
  readonly mode?: number | undefined;
  readonly owner?: string | undefined;
  readonly group?: string | undefined;
};
type Owned = Extract<PathState, { kind: 'file' | 'dir' }>;
/** A file drift compares: the release's own files, and its compose files (no attributes set). */
type Tracked = Attrs & { readonly path: string; readonly sha256: string; readonly sensitive: boolean };

/**
 * Drift of every file and directory of `release`, in release order (directories first), then of its compose files as
 * rendered: their content only (rig writes them 0644, as root).
 */
export function fileDrift(release: Release, facts: ReadonlyMap<string, PathState>): DriftItem[] {
  const dirs = release.dirs.flatMap((d) => pathDrift('dir', d.path, d, facts.get(d.path)));
  const compose = (release.composeFiles ?? []).map((f) => ({ ...f, sensitive: false }));
  const tracked: readonly Tracked[] = [...release.files, ...compose];
  const files = tracked.flatMap((f) => {
    const fact = facts.get(f.path);
    return [...contentDrift(f, fact), ...pathDrift('file', f.path, f, fact)];
  });
  return [...dirs, ...files];
}

/** A regular file whose content is not the release's: its item (the diff is added once the bytes are read). */
function contentDrift(f: Tracked, fact: PathState | undefined): DriftItem[] {
  if (fact?.kind !== 'file' || fact.sha256 === f.sha256) return [];
  const { path: subject, sensitive, sha256: releaseSha256 } = f;
  return [{ kind: 'file', subject, what: 'content', sensitive, hostSha256: fact.sha256, releaseSha256 }];
}

/** The paths the fact query must cover for a release. */
export function releasePaths(release: Release): string[] {
  const files = [...release.files, ...(release.composeFiles ?? [])];
  return [...new Set([...release.dirs.map((d) => d.path), ...files.map((f) => f.path)])];
}

function pathDrift(kind: 'file' | 'dir', path: string, want: Attrs, fact: PathState | undefined): DriftItem[] {
  if (fact === undefined || fact.kind === 'missing') return [{ kind, subject: path, what: 'missing' }];
  if (fact.kind !== kind)
    return [
      {
        kind,
        subject: path,
        what: 'type',
        is: describeKind(fact),
        release: kind === 'file' ? 'a regular file' : 'a directory',
      },
    ];
  const differences = attrDifferences(want, fact);
  return differences.length === 0 ? [] : [{ kind, subject: path, what: 'attrs', differences }];
}

function attrDifferences(
  want: Attrs,
  have: Owned,
): { attr: 'mode' | 'owner' | 'group'; host: string; release: string }[] {
  const out: { attr: 'mode' | 'owner' | 'group'; host: string; release: string }[] = [];
  if (want.mode !== undefined && want.mode !== (have.mode & 0o7777))
    out.push({ attr: 'mode', host: octal(have.mode & 0o7777), release: octal(want.mode) });
  // The release keeps the owner as the role wrote it: a name, or a numeric id.
  if (want.owner !== undefined && want.owner !== have.owner && want.owner !== String(have.uid))
    out.push({ attr: 'owner', host: have.owner, release: want.owner });
  if (want.group !== undefined && want.group !== have.group && want.group !== String(have.gid))
    out.push({ attr: 'group', host: have.group, release: want.group });
  return out;
}

function describeKind(fact: PathState): string {
  switch (fact.kind) {
    case 'file':
      return 'a regular file';
    case 'dir':
      return 'a directory';
    case 'other':
      return `a ${fact.type}`;
    case 'missing':
      return 'missing';
  }
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
