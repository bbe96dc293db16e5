// Releases on the host: `<stateDir>/releases/<id>/release.json`, content blobs shared by sha256, `current`, pruning.
import { sh, type ExecNode } from '../core/cmd.js';
import { fileContentCmd, parseFileContent } from '../facts/file-content.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
import { applyFiles, type FileWrite } from './apply-files.js';
import { releaseSchema, type Release } from './release-schema.js';

/** Where a host keeps its releases. */
export function releaseDirs(stateDir: string): { root: string; blobs: string; current: string } {
  const root = `${stateDir}/releases`;
  return { root, blobs: `${root}/blobs`, current: `${root}/current` };
}

/** The blob path of a content digest. */
export function blobPath(stateDir: string, sha256: string): string {
  return `${releaseDirs(stateDir).blobs}/${sha256}`;
}

// Prints the current id, then one compact release.json per line (newest first). Missing state prints nothing.
const LIST = `d="$1/releases"
[ -d "$d" ] || exit 0
cat "$d/current" 2>/dev/null || echo
for r in $(ls -1 "$d" | grep -E '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}$' | sort -r); do
  [ -f "$d/$r/release.json" ] && { cat "$d/$r/release.json"; echo; }
done
exit 0`;

/** The releases kept on a host and the id of the current one. */
export interface ReleaseList {
  readonly current: string | undefined;
  /** Newest first. */
  readonly releases: readonly Release[];
}

/** Every release kept on the host, newest first, and the id of the current one. Unreadable records are skipped. */
export async function listReleases(t: Transport, stateDir: string, become = false): Promise<ReleaseList> {
  return parseReleaseList((await run(t, listReleasesCmd(stateDir), { become })).stdout);
}

/** The command printing the release list (one exec; also a part of the planning fact batch). */
export function listReleasesCmd(stateDir: string): ExecNode {
  return sh(LIST, stateDir);
}

/** Parses `listReleasesCmd` output. */
export function parseReleaseList(out: string): ReleaseList {
  const [first = '', ...rest] = out.split('\n');
  const releases = rest.flatMap((line) => {
    if (line.trim() === '') return [];
    try {
      const parsed = releaseSchema.safeParse(JSON.parse(line));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
  return { current: first.trim() === '' ? undefined : first.trim(), releases };
}

/** The contents of the given blobs (one exec). Missing ones are absent from the map. */
export async function fetchBlobs(t: Transport, stateDir: string, shas: readonly string[], become = false): Promise<Map<string, Buffer>> {
  const unique = [...new Set(shas)];
  if (unique.length === 0) return new Map();
  const paths = unique.map((s) => blobPath(stateDir, s));
  const bytes = parseFileContent((await run(t, fileContentCmd(paths), { become })).stdoutBytes, paths);
  return new Map(unique.flatMap((s, i) => (bytes.has(paths[i] as string) ? [[s, bytes.get(paths[i] as string) as Buffer] as const] : [])));
}

// Sets current, keeps the newest $2 releases (and current), removes blobs no kept release lists.
const FINALIZE = `d="$1/releases"; keep=$2; id=$3
printf '%s\\n' "$id" > "$d/.current.tmp" && mv -f "$d/.current.tmp" "$d/current" || exit 1
ls -1 "$d" | grep -E '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}$' | sort -r | awk -v k="$keep" 'NR > k' | while read -r old; do
  [ "$old" = "$id" ] || rm -rf -- "$d/$old"
done
cat "$d"/*/blobs.txt 2>/dev/null | sort -u > "$d/.keep"
for b in "$d"/blobs/*; do
  [ -f "$b" ] || continue
  grep -qx -- "\${b##*/}" "$d/.keep" || rm -f -- "$b"
done
rm -f -- "$d/.keep"`;

/**
 * Writes a release (blobs the host lacks, release.json and blobs.txt, all 0600 in 0700 directories, atomically),
 * makes it current and prunes to `keep`. Round trips: 1 exec (directories), the file apply (1 SFTP + 1 exec) and 1 exec (current, pruning).
 */
export async function writeRelease(t: Transport, stateDir: string, release: Release, blobs: ReadonlyMap<string, Buffer>, opts: { keep: number; haveBlobs: ReadonlySet<string>; become?: boolean }): Promise<void> {
  const dirs = releaseDirs(stateDir);
  const own = `${dirs.root}/${release.id}`;
  const files: FileWrite[] = [
    ...[...blobs].filter(([sha]) => !opts.haveBlobs.has(sha)).map(([sha, content]) => ({ path: blobPath(stateDir, sha), content, contentChanged: true, mode: 0o600 })),
    { path: `${own}/release.json`, content: Buffer.from(`${JSON.stringify(release)}\n`), contentChanged: true, mode: 0o600 },
    { path: `${own}/blobs.txt`, content: Buffer.from(release.files.map((f) => `${f.sha256}\n`).join('')), contentChanged: true, mode: 0o600 },
  ];
  const become = opts.become === true;
  await run(t, sh('mkdir -p -m 0700 -- "$1" "$2" "$3" "$4"', stateDir, dirs.root, dirs.blobs, own), { become });
  await applyFiles(t, files, [], { become });
  await run(t, sh(FINALIZE, stateDir, String(opts.keep), release.id), { become });
}
