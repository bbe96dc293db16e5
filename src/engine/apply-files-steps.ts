// Pure planning of a file apply's round trips: what to mkdir before the upload, what to upload, what the final exec does.
import path from 'node:path';
import type { Cmd } from '../core/cmd.js';
import type { PathAttrs } from '../core/op.js';
import type { FileToPut } from '../transport/transport.js';
import type { ApplyStep } from './apply-files-script.js';
import { tempPathFor } from './apply-temp-name.js';

/** A file to bring to its desired state: new content (uploaded) or only new attrs. */
export interface FileWrite extends PathAttrs {
  readonly path: string;
  readonly content: Buffer;
  /** False when only mode/owner/group differ: nothing is uploaded and `content` is ignored. */
  readonly contentChanged: boolean;
  /** Checks the uploaded copy before the commit (see FileOp.validate). */
  readonly validate?: (uploaded: string) => Cmd;
}

/** A directory to create (`create`, it is missing) or whose attrs to change. */
export interface DirWrite extends PathAttrs {
  readonly path: string;
  readonly create: boolean;
}

/** The round trips of an apply; an empty list or `uploads` means that round trip is not made. */
export interface ApplyRounds {
  /** Before the upload: only when a directory must be created and there is something to upload into it. */
  readonly pre: readonly ApplyStep[];
  /** One SFTP transfer, each file to its temp name, mode 0600 while in flight. */
  readonly uploads: readonly FileToPut[];
  /** The final exec: dirs (unless done before), stale-temp sweeps, commits and attrs, then directory fsyncs. */
  readonly main: readonly ApplyStep[];
  /** Between upload and commit: each check with the uploaded copy it checks. */
  readonly checks: readonly { readonly path: string; readonly cmd: Cmd }[];
}

/** Mode of an upload until the commit step gives it its final attrs: nobody else can read a half-written secret. */
export const IN_FLIGHT_MODE = 0o600;

/** Plans the round trips; throws a plain Error on an invalid request (relative or duplicate path, bad mode or owner). */
export function planApplyRounds(files: readonly FileWrite[], dirs: readonly DirWrite[], runId: string, stageDir?: string): ApplyRounds {
  validate(files, dirs);
  const changed = files.filter((f) => f.contentChanged);
  const staged = (f: FileWrite): string => `${stageDir}/${changed.indexOf(f)}`;
  const dirSteps = dirs.map((d): ApplyStep => ({ kind: d.create ? 'mkdir' : 'attrs', path: d.path, attrs: attrsOf(d) }));
  // Staged uploads (become) do not go into the target directories, so those need not exist before the upload.
  const needPre = stageDir === undefined && changed.length > 0 && dirs.some((d) => d.create);
  const fileSteps = files.flatMap((f): ApplyStep[] => {
    const temp = tempPathFor(f.path, runId);
    const commit: ApplyStep = { kind: 'commit', path: f.path, temp, attrs: attrsOf(f) };
    if (f.contentChanged) return stageDir === undefined ? [commit] : [{ kind: 'place', path: staged(f), temp }, commit];
    return hasAttrs(f) ? [{ kind: 'attrs', path: f.path, attrs: attrsOf(f) }] : [];
  });
  const parents = unique(changed.map((f) => path.posix.dirname(f.path)));
  const createdIn = unique(dirs.filter((d) => d.create).map((d) => path.posix.dirname(d.path)));
  const main: ApplyStep[] = [
    ...(needPre ? [] : dirSteps),
    ...parents.map((p): ApplyStep => ({ kind: 'sweep', path: p })),
    ...fileSteps,
    ...unique([...parents, ...createdIn]).map((p): ApplyStep => ({ kind: 'sync-dir', path: p })),
    ...(stageDir !== undefined && changed.length > 0 ? [{ kind: 'unstage', path: stageDir } as const] : []),
  ];
  const uploads = changed.map((f) => ({ path: stageDir === undefined ? tempPathFor(f.path, runId) : staged(f), content: f.content, mode: IN_FLIGHT_MODE }));
  const hasWork = main.some((s) => s.kind !== 'sync-dir');
  const checks = changed.flatMap((f, i) => (f.validate ? [{ path: f.path, cmd: f.validate(uploads[i]?.path ?? '') }] : []));
  return { pre: needPre ? dirSteps : [], uploads, main: hasWork ? main : [], checks };
}

function attrsOf(a: PathAttrs): PathAttrs {
  return { ...(a.mode === undefined ? {} : { mode: a.mode }), ...(a.owner === undefined ? {} : { owner: a.owner }), ...(a.group === undefined ? {} : { group: a.group }) };
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
    if (!item.path.startsWith('/') || item.path.endsWith('/')) throw new Error(`${where}: path must be absolute, without a trailing slash`);
    if (seen.has(item.path)) throw new Error(`${where}: listed twice`);
    seen.add(item.path);
    if (item.mode !== undefined && !(Number.isInteger(item.mode) && item.mode >= 0 && item.mode <= 0o7777)) throw new Error(`${where}: invalid mode ${item.mode}`);
    for (const name of [item.owner, item.group]) {
      if (name !== undefined && (name === '' || name.includes(':'))) throw new Error(`${where}: invalid owner or group ${JSON.stringify(name)}`);
    }
  }
}
