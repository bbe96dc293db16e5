// Releases on the host: `<stateDir>/releases/<id>/release.json`, content blobs shared by sha256, `current`, pruning.
import { sh, type ExecNode } from '../core/cmd/cmd.js';
import { fileContentCmd, parseFileContent } from '../facts/files/file-content.js';
import { run } from '../transport/run.js';
import type { Transport } from '../transport/transport.js';
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

/** A release id as a glob (ids are `YYYYMMDDTHHMMSSZ-xxxx`, UTC), the pattern LIST's grep and CURRENT's case use. */
const ID_GLOB =
  '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]';

// Prints the current id, then one compact release.json per line (newest first). Missing state prints nothing.
const LIST = `d="$1/releases"
[ -d "$d" ] || exit 0
cat "$d/current" 2>/dev/null || echo
for r in $(ls -1 "$d" | grep -E '^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}$' | sort -r); do
  [ -f "$d/$r/release.json" ] && { cat "$d/$r/release.json"; echo; }
done
exit 0`;

// Prints the current id, then the current release.json (one line), as LIST does for it alone: a plan needs only the
// current release, and this costs one process (LIST: ls, grep, sort and a cat per release). An id that is not a
// release id (a damaged `current`) prints the id alone, as LIST would (no record found). With `id` as $2 it prints the
// id alone (shell builtins only: no process).
const CURRENT = `d="$1/releases"
[ -f "$d/current" ] || exit 0
c=
{ IFS= read -r c || :; } < "$d/current"
printf '%s\\n' "$c"
case $c in
  ${ID_GLOB}) ;;
  *) exit 0 ;;
esac
[ "$2" != id ] || exit 0
[ -f "$d/$c/release.json" ] && cat -- "$d/$c/release.json"
exit 0`;

/** The releases kept on a host and the id of the current one. */
export interface ReleaseList {
  readonly current: string | undefined;
  /** Newest first. */
  readonly releases: readonly Release[];
}

/** The current release among those listed (undefined when none is current, or its record was unreadable). */
export function currentRelease(list: ReleaseList | undefined): Release | undefined {
  return list?.releases.find((r) => r.id === list.current);
}

/** Every release kept on the host, newest first, and the id of the current one. Unreadable records are skipped. */
export async function listReleases(t: Transport, stateDir: string, become = false): Promise<ReleaseList> {
  return parseReleaseList((await run(t, listReleasesCmd(stateDir), { become })).stdout);
}

/** The command printing the release list (one exec; also a part of the planning fact batch). */
export function listReleasesCmd(stateDir: string): ExecNode {
  return sh(LIST, stateDir);
}

/**
 * The command printing the current release only, in `listReleasesCmd`'s format (parsed by `parseReleaseList`);
 * `idOnly`: its id without its record (the list's `releases` then empty).
 */
export function currentReleaseCmd(stateDir: string, idOnly = false): ExecNode {
  return idOnly ? sh(CURRENT, stateDir, 'id') : sh(CURRENT, stateDir);
}

/** Parses `listReleasesCmd` (or `currentReleaseCmd`) output. */
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
export async function fetchBlobs(
  t: Transport,
  stateDir: string,
  shas: readonly string[],
  become = false,
): Promise<Map<string, Buffer>> {
  const unique = [...new Set(shas)];
  if (unique.length === 0) return new Map();
  const paths = unique.map((s) => blobPath(stateDir, s));
  const bytes = parseFileContent((await run(t, fileContentCmd(paths), { become })).stdoutBytes, paths);
  return new Map(
    unique.flatMap((s, i) =>
      bytes.has(paths[i] as string) ? [[s, bytes.get(paths[i] as string) as Buffer] as const] : [],
    ),
  );
}

/*
 * Args: stateDir, release id, how many to keep, then the release's blob digests. Stdin: the release.json line (only
 * that line is read: the journal's append after it in the same exec reads the rest). Writes release.json and
 * blobs.txt (0600, atomically), makes it current, keeps the newest $3 releases (and the current one) and removes the
 * blobs no kept release lists. The releases are listed by a glob (sorted, oldest first: ids are UTC timestamps), not
 * by ls, grep, sort and awk; the blobs too, and one `grep -vxF` reads the kept releases' lists itself (an `-f` each:
 * no `cat`, `sort -u` or temp file) to name those to remove, all with one `rm` (it was a process per blob, then
 * cat, sort, ls, grep and an `rm` of the temp). When grep finds none (exit 1) or fails, nothing is removed; a blob
 * that cannot be removed does not fail the release (it is garbage, removed by a later release).
 * The images of the removed releases' services (their `imageId`s, read by the shell before the removal: no process) that no
 * kept release lists are removed too when docker gives them no tag (pulled by digest, or left by a tag that moved on):
 * `docker image rm`, never forced, so an image a container still uses, a child image depends on or another name refers
 * to stays, and an image tagged by hand (or by another project) is never touched. Each docker call is bounded by
 * `timeout` (a hung daemon must not hold the run's last exec). Nothing of it fails the release.
 */
const WRITE = `d="$1/releases"; id=$2; keep=$3; shift 3
ids() {
  l=; { IFS= read -r l || :; } 2>/dev/null <"$1"
  while case $l in *'"imageId":"sha256:'*) true ;; *) false ;; esac; do
    l=\${l#*'"imageId":"sha256:'}; i=\${l%%'"'*}
    case $i in *[!0-9a-f]*) ;; *) [ \${#i} -eq 64 ] && found="$found sha256:$i" ;; esac
  done
}
umask 077
mkdir -p -m 0700 -- "$d/$id" || exit 1
IFS= read -r json || exit 1
printf '%s\\n' "$json" > "$d/$id/.release.json.tmp" && mv -f -- "$d/$id/.release.json.tmp" "$d/$id/release.json" || exit 1
for b do printf '%s\\n' "$b"; done > "$d/$id/blobs.txt" || exit 1
printf '%s\\n' "$id" > "$d/.current.tmp" && mv -f -- "$d/.current.tmp" "$d/current" || exit 1
set --
for r in "$d"/${ID_GLOB}; do [ -e "$r" ] && set -- "$@" "\${r##*/}"; done
over=$(($# - keep))
found=
for old do
  [ "$over" -gt 0 ] || break
  over=$((over - 1))
  [ "$old" = "$id" ] && continue
  ids "$d/$old/release.json"
  rm -rf -- "\${d:?}/$old"
done
gone_images=$found
set --
for r in "$d"/*/blobs.txt; do [ -e "$r" ] && set -- "$@" -f "$r"; done
if [ $# -gt 0 ] && gone=$(for b in "$d"/blobs/*; do [ -e "$b" ] && printf '%s\\n' "\${b##*/}"; done | grep -vxF "$@")
then
  set --; set -f; IFS='
'
  for b in $gone; do set -- "$@" "$d/blobs/$b"; done
  rm -f -- "$@" || :
fi
[ -n "$gone_images" ] || exit 0
set +f; unset IFS; found=
for r in "$d"/*/release.json; do [ -e "$r" ] && ids "$r"; done
set --
for i in $gone_images; do case "$found " in *" $i "*) ;; *) set -- "$@" "$i" ;; esac; done
[ $# -gt 0 ] || exit 0
dk() { if command -v timeout >/dev/null 2>&1; then timeout 120 docker "$@"; else docker "$@"; fi; }
rm=$(dk image inspect --format '{{.Id}} {{len .RepoTags}}' -- "$@" 2>/dev/null | while read -r i n; do [ "$n" = 0 ] && printf '%s\\n' "$i"; done)
[ -z "$rm" ] || dk image rm -- $rm >/dev/null 2>&1 || :`;

/** The blobs a release refers to (kept while it is): its files', and its compose files' (present when stored). */
export function releaseBlobs(release: Release): string[] {
  return [...release.files, ...(release.composeFiles ?? [])].map((f) => f.sha256);
}

/**
 * The command that records `release` (its blobs are already on the host: they travel with the deploy's files) and
 * its stdin; run it on its own or as a part of the run's last exec (with the journal and the unlock).
 */
export function releaseWriteCmd(stateDir: string, release: Release, keep: number): { cmd: ExecNode; stdin: string } {
  const json = JSON.stringify(release);
  if (json.includes('\n')) throw new Error('release: its JSON must be one line');
  return {
    cmd: sh(WRITE, stateDir, release.id, String(keep), ...new Set(releaseBlobs(release))),
    stdin: `${json}\n`,
  };
}
