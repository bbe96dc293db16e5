// One host's drift: its current release (1 exec), the facts of everything in it (1 exec), diffs of drifted files (1
// exec, only then; a drifted compose file's bytes also say whose entries were edited by hand).
import { UserError } from '../core/errors/errors.js';
import type { Redactor } from '../core/redact/redactor.js';
import type { StackConfig } from '../config/vars/stack-vars.js';
import { describeFileChange, isEnvFilePath } from '../diff/file-diff.js';
import type { Release } from '../release/release-schema.js';
import { blobPath, currentRelease, listReleases, type ReleaseList } from '../release/release-store.js';
import { fileContentCmd, parseFileContent } from '../facts/files/file-content.js';
import { execHost } from '../facts/gather.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { readDriftFacts } from './drift-facts.js';
import { editedComposeEntries } from '../compose/compose-edits.js';
import { fileDrift } from './drift-files.js';
import { serviceDrift } from './drift-services.js';
import type { DriftItem, HostDrift } from './drift-types.js';

/** What drift needs to know about a host. */
export interface DriftHostInput {
  readonly host: string;
  readonly stack: StackConfig;
  readonly become: boolean;
  /** Masks known secrets in the diffs of non-sensitive files (which should hold none). */
  readonly redactor: Redactor;
}

/**
 * Compares the host with its current release. Read-only: no deploy lock, no journal line, nothing written. Throws a
 * UserError for a host rig never deployed (no release), a RemoteCommandError when a fact cannot be read.
 */
export async function driftOnHost(t: Transport, input: DriftHostInput): Promise<HostDrift> {
  const { stateDir } = input.stack;
  const release = comparedRelease(await listReleases(t, stateDir, input.become), stateDir);
  const facts = await readDriftFacts(execHost(t, input.become), release, stateDir);
  const files = await withDiffs(t, fileDrift(release, facts.files), input);
  const edited = {
    entries: editedEntries(release, files.bytes),
    modifiedAt: (p: string) => {
      const f = facts.files.get(p);
      return f?.kind === 'file' ? f.modifiedAt : undefined;
    },
  };
  const items = [...files.items, ...(facts.docker ? serviceDrift(release, facts.docker, facts.reloads, edited) : [])];
  return {
    host: input.host,
    release: { id: release.id, createdAt: release.createdAt, user: release.user },
    items,
    checked: {
      files: release.files.length,
      dirs: release.dirs.length,
      services: release.services.length,
      networks: release.networks.length,
    },
    execs: t.counters.execChannels,
  };
}

/** The current release, or the error that says why the host cannot be compared. */
function comparedRelease(list: ReleaseList, stateDir: string): Release {
  if (list.releases.length === 0)
    throw new UserError(`never deployed by rig: no release in ${stateDir}/releases (deploy it first: rig deploy)`);
  const current = currentRelease(list);
  if (current === undefined)
    throw new UserError(
      `the current release ${list.current ?? '(none recorded)'} is not readable in ${stateDir}/releases (kept: ${list.releases.map((r) => r.id).join(', ')})`,
    );
  return current;
}

/**
 * Adds the diff (release → host) and line counts to each content item of a non-sensitive file: the host's bytes and
 * the release's blob in one exec. A sensitive file is never read: its item says only that the content changed.
 */
async function withDiffs(
  t: Transport,
  items: readonly DriftItem[],
  input: DriftHostInput,
): Promise<{ items: DriftItem[]; bytes: ReadonlyMap<string, { host: Buffer; release: Buffer }> }> {
  const readable = items.filter((i) => i.what === 'content' && !i.sensitive);
  const read = new Map<string, { host: Buffer; release: Buffer }>();
  if (readable.length === 0) return { items: [...items], bytes: read };
  const pairs = readable.flatMap((i) =>
    i.what === 'content' ? [{ path: i.subject, blob: blobPath(input.stack.stateDir, i.releaseSha256) }] : [],
  );
  const paths = pairs.flatMap((p) => [p.path, p.blob]);
  const bytes = parseFileContent((await run(t, fileContentCmd(paths), { become: input.become })).stdoutBytes, paths);
  const diffed = items.map((i) => {
    const pair = pairs.find((p) => p.path === i.subject);
    if (i.what !== 'content' || i.sensitive || pair === undefined) return i;
    const host = bytes.get(pair.path);
    const release = bytes.get(pair.blob);
    if (host === undefined || release === undefined) return i;
    read.set(i.subject, { host, release });
    const change = describeFileChange({
      path: i.subject,
      before: release,
      after: host,
      sensitive: false,
      envFile: isEnvFilePath(i.subject),
      redactor: input.redactor,
    });
    // the host's side may hold a secret rig does not know (a hand-written client_secret): then digests and line counts
    const lines = { release: lineCount(release), host: lineCount(host) };
    return {
      ...i,
      lines,
      ...(change.sensitive ? { sensitive: true } : {}),
      ...(change.diff === undefined ? {} : { diff: relabel(change.diff, i.subject) }),
    };
  });
  return { items: diffed, bytes: read };
}

/** The services whose entry in a compose file drifted (read, with its release blob, for the diffs) is not the release's. */
function editedEntries(
  release: Release,
  bytes: ReadonlyMap<string, { host: Buffer; release: Buffer }>,
): ReadonlyMap<string, string> {
  const compose = (release.composeFiles ?? []).flatMap((f) => {
    const pair = bytes.get(f.path);
    return pair ? [{ path: f.path, content: pair.release, host: pair.host }] : [];
  });
  return editedComposeEntries(compose, new Map(compose.map((f) => [f.path, f.host])));
}

function lineCount(bytes: Buffer): number {
  let n = 0;
  for (const b of bytes) if (b === 0x0a) n++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? n + 1 : n;
}

/** The plan's diff headers say remote → rig; here the old side is the release and the new one the host. */
function relabel(diff: string, path: string): string[] {
  const [, , ...body] = diff.replace(/\n$/, '').split('\n');
  return [`--- ${path} (release)`, `+++ ${path} (host)`, ...body];
}
