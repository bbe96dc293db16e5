// Pure planning of a file apply's round trips: the exec that writes (content on its stdin), checks, the exec that
// commits.
import path from 'node:path';
import type { Cmd } from '../core/cmd/cmd.js';
import type { PathAttrs } from '../core/desired/op.js';
import type { ApplyStep, TempRef } from './apply-files-script.js';
import { tempTemplateFor } from './apply-temp-name.js';

/** A file to bring to its desired state: new content (written) or only new attrs. */
export interface FileWrite extends PathAttrs {
  readonly path: string;
  readonly content: Buffer;
  /** False when only mode/owner/group differ: nothing is written and `content` is ignored. */
  readonly contentChanged: boolean;
  /** Checks the written temp before the commit (see FileOp.validate). */
  readonly validate?: (uploaded: string) => Cmd;
}

/** A directory to create (`create`, it is missing) or whose attrs to change. */
export interface DirWrite extends PathAttrs {
  readonly path: string;
  readonly create: boolean;
}

/** A file's check, run between the two execs on the temp its write step made. */
export interface ApplyCheck {
  readonly path: string;
  /** Index of the write step (in `first`) whose temp is checked. */
  readonly write: number;
  readonly cmd: (temp: string) => Cmd;
}

/** The round trips of an apply; an empty `first` means nothing to do. */
export interface ApplyRounds {
  /** The first exec: dirs, stale-temp sweeps, writes, their prepare; without checks also commits, attrs, dir fsyncs. */
  readonly first: readonly ApplyStep[];
  /** The bytes of `first`'s write steps, in order: its stdin. */
  readonly stdin: Buffer;
  readonly checks: readonly ApplyCheck[];
  /** With checks, the second exec, given each write step's temp by step index: commits, attrs, fsyncs. */
  readonly second: (temps: ReadonlyMap<number, string>) => ApplyStep[];
}

/**
 * Plans the round trips; throws a plain Error on an invalid request (relative or duplicate path, bad mode or owner).
 */
export function planApplyRounds(files: readonly FileWrite[], dirs: readonly DirWrite[]): ApplyRounds {
  validate(files, dirs);
  const changed = files.filter((f) => f.contentChanged);
  const dirSteps = dirs.map((d): ApplyStep => ({
    kind: d.create ? 'mkdir' : 'attrs',
    path: d.path,
    attrs: attrsOf(d),
  }));
  const parents = unique(changed.map((f) => path.posix.dirname(f.path)));
  const createdIn = unique(dirs.filter((d) => d.create).map((d) => path.posix.dirname(d.path)));
  const head: ApplyStep[] = [...dirSteps, ...parents.map((p): ApplyStep => ({ kind: 'sweep', path: p }))];
  const writeAt = new Map(changed.map((f, i) => [f.path, head.length + i]));
  const writes = changed.map((f): ApplyStep => ({
    kind: 'write',
    path: f.path,
    template: tempTemplateFor(f.path),
    size: f.content.length,
    ...(f.mode === undefined ? {} : { mode: f.mode }),
  }));
  // sizes, modes and fsyncs of every temp in one process each, not one per file (see apply-files-script)
  const prepare: ApplyStep[] =
    changed.length > 0 ? [{ kind: 'prepare', path: path.posix.dirname(changed[0]?.path ?? '/') }] : [];
  const tail = (temp: (f: FileWrite) => TempRef): ApplyStep[] => {
    const fileSteps = files.flatMap((f): ApplyStep[] => {
      if (f.contentChanged) return [{ kind: 'commit', path: f.path, temp: temp(f), attrs: attrsOf(f) }];
      return hasAttrs(f) ? [{ kind: 'attrs', path: f.path, attrs: attrsOf(f) }] : [];
    });
    const syncs = unique([...parents, ...createdIn]).map((p): ApplyStep => ({ kind: 'sync-dir', path: p }));
    return fileSteps.length > 0 || head.length > 0 ? [...fileSteps, ...syncs] : [];
  };
  const checks = changed.flatMap((f) =>
    f.validate ? [{ path: f.path, write: writeAt.get(f.path) ?? -1, cmd: f.validate }] : [],
  );
  const stdin = Buffer.concat(changed.map((f) => f.content));
  if (checks.length === 0)
    return {
      first: [...head, ...writes, ...prepare, ...tail((f) => ({ step: writeAt.get(f.path) ?? -1 }))],
      stdin,
      checks,
      second: () => [],
    };
  return {
    first: [...head, ...writes, ...prepare],
    stdin,
    checks,
    second: (temps) => tail((f) => temps.get(writeAt.get(f.path) ?? -1) ?? ''),
  };
}

function attrsOf(a: PathAttrs): PathAttrs {
  return {
    ...(a.mode === undefined ? {} : { mode: a.mode }),
    ...(a.owner === undefined ? {} : { owner: a.owner }),
    ...(a.group === undefined ? {} : { group: a.group }),
  };
}

function hasAttrs(a: PathAttrs): boolean {
  return a.mode !== undefined || a.owner !== undefined || a.group !== undefined;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function validate(files: readonly FileWrite[], dirs: readonly DirWrite[]): void {
  const seen = new Set<string>();
  for (const item of [...dirs, ...files]) {
    const where = `apply: ${JSON.stringify(item.path)}`;
    if (!item.path.startsWith('/') || item.path.endsWith('/'))
      throw new Error(`${where}: path must be absolute, without a trailing slash`);
    if (seen.has(item.path)) throw new Error(`${where}: listed twice`);
    seen.add(item.path);
    if (item.mode !== undefined && !(Number.isInteger(item.mode) && item.mode >= 0 && item.mode <= 0o7777))
      throw new Error(`${where}: invalid mode ${item.mode}`);
    for (const name of [item.owner, item.group]) {
      if (name !== undefined && (name === '' || name.includes(':')))
        throw new Error(`${where}: invalid owner or group ${JSON.stringify(name)}`);
    }
  }
}
