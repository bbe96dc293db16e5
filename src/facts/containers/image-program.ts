// Fact `image-program`: whether images hold the programs their healthchecks exec, read from each image without
// running it (a created, never started container and `docker cp`), in one exec; and the pure parser of its output.
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';

/**
 * One lookup: a program (undefined: the image's shell) in an image, with the service's PATH / working dir overrides.
 */
export interface ProgramQuery {
  readonly image: string;
  readonly program?: string | undefined;
  readonly path?: string | undefined;
  readonly workingDir?: string | undefined;
}

/**
 * What the image holds for one query. `imageId` is the image's ID (the cache key), absent when it could not be read.
 */
export type ProgramLookup =
  | { readonly kind: 'found'; readonly imageId: string; readonly path: string; readonly mode: string }
  | { readonly kind: 'not-executable'; readonly imageId: string; readonly path: string; readonly mode: string }
  | { readonly kind: 'missing'; readonly imageId: string; readonly searched: readonly string[] }
  | { readonly kind: 'error'; readonly imageId?: string; readonly message: string };

/** Docker's PATH for a container whose image sets none (moby's oci.DefaultPathEnv on Linux). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// Docker runs the template on the inspect JSON as a map with missingkey=error: optional keys are read with `index`.
const META =
  '{{.Id}}{{println}}{{with .Config}}{{index . "WorkingDir"}}{{println}}{{with index . "Shell"}}{{index . 0}}{{end}}' +
  '{{println}}{{range index . "Env"}}{{println .}}{{end}}{{else}}{{println}}{{println}}{{end}}';

/*
 * $1 `pull` (pull an image the host lacks) or `no`, $2 docker's default PATH, then 4 arguments per query: image,
 * program ('' = the image's shell: its SHELL, else /bin/sh), PATH ('' = the image's), working dir ('' = the image's).
 * Queries of one image are consecutive: one container is created for them, never started, removed on exit (a run
 * killed on the spot leaves it, labelled rig.probe, pruned by the next run once an hour old). Per query, in order:
 *   probe <TAB> n <TAB> <image id>                          then one line per place looked at:
 *   cand <TAB> n <TAB> <path> <TAB> <`tar -tv` line of it, or `! ` and docker cp's error>
 *   probe <TAB> n <TAB> - <TAB> <error>                     when the image cannot be pulled, read or created
 * A PATH lookup stops at the first executable regular file, as exec does. `docker cp -L` follows symlinks inside
 * the image (busybox applets); tar lists the entry it streams, so only a header line is kept.
 */
const SCRIPT = `pull=$1 defpath=$2; shift 2
cids= e=$(mktemp) || exit
trap 'rm -f "$e"; for c in $cids; do docker rm -f "$c" >/dev/null 2>&1; done' EXIT
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
docker container prune -f --filter label=rig.probe --filter until=1h >/dev/null 2>&1
oneline() { printf '%s' "$1" | tr '\\t\\n' '  '; }
look() {
  l=$(docker cp -L "$cid:$1" - 2>"$e" | tar -tvf - 2>/dev/null | head -n 1)
  [ -n "$l" ] || l="! $(oneline "$(cat "$e")")"
  printf 'cand\\t%s\\t%s\\t%s\\n' "$i" "$1" "$l"
  case \${l%% *} in -*x*) return 0 ;; esac
  return 1
}
inpath() {
  p=$1; shift
  for d do look "\${d:-$dir}/$p" && return 0; done
  return 0
}
i=0 last=
while [ $# -ge 4 ]; do
  img=$1 prog=$2 path=$3 wd=$4; shift 4; i=$((i+1))
  if [ "$img" != "$last" ]; then
    last=$img cid= err=
    if [ "$pull" = pull ] && ! docker image inspect -- "$img" >/dev/null 2>&1; then
      out=$(docker pull -q "$img" 2>&1) || err="not on the host and cannot be pulled: $out"
    fi
    [ -n "$err" ] || meta=$(docker image inspect --format '${META}' -- "$img" 2>&1) || err=$meta
    if [ -z "$err" ]; then
      id=$(printf '%s\\n' "$meta" | sed -n 1p)
      iwd=$(printf '%s\\n' "$meta" | sed -n 2p)
      ishell=$(printf '%s\\n' "$meta" | sed -n 3p)
      ipath=$(printf '%s\\n' "$meta" | sed -n '4,$s/^PATH=//p' | head -n 1)
      if cid=$(docker create --network none --label rig.probe=1 --entrypoint /rig-probe-never-started "$img" 2>&1); then cids="$cids $cid"
      else err="docker create: $cid"; fi
    fi
  fi
  if [ -n "$err" ]; then printf 'probe\\t%s\\t-\\t%s\\n' "$i" "$(oneline "$err")"; continue; fi
  printf 'probe\\t%s\\t%s\\n' "$i" "$id"
  [ -n "$prog" ] || prog=\${ishell:-/bin/sh}
  dir=\${wd:-\${iwd:-/}}
  case $prog in
    /*) look "$prog" ;;
    */*) look "\${dir%/}/$prog" ;;
    *) IFS=:; set -f; inpath "$prog" \${path:-\${ipath:-$defpath}}; unset IFS; set +f ;;
  esac
done
exit 0`;

/**
 * The command answering `queries` in one exec; `pull` fetches images the host lacks (the checklist's target images).
 */
export function imageProgramCmd(queries: readonly ProgramQuery[], opts: { pull: boolean }): ExecNode {
  const args = queries.flatMap((q) => [q.image, q.program ?? '', q.path ?? '', q.workingDir ?? '']);
  const cmd = sh(SCRIPT, opts.pull ? 'pull' : 'no', DEFAULT_PATH, ...args);
  assertCommandFits(cmd, `image-program of ${queries.length} healthchecks`);
  return cmd;
}

/**
 * docker cp's answers for a path the image does not have: the daemon's `Could not find the file …` and the CLI's own
 * `No such container:path: <id>:<path>` (docker 20.10 prints either, depending on where the stat fails).
 */
const NOT_THERE = /could not find the file|no such container:path|no such file or directory|not a directory/i;

/** Parses `imageProgramCmd(queries)` output: one lookup per query, in order. Throws on output it does not expect. */
export function parseImagePrograms(stdout: string, count: number): ProgramLookup[] {
  const byProbe = new Map<number, { head: string[]; cands: string[][] }>();
  for (const line of stdout.split('\n').filter((l) => l !== '')) {
    const [tag, n, ...rest] = line.split('\t');
    const entry = byProbe.get(Number(n)) ?? { head: [], cands: [] };
    if (tag === 'probe' && entry.head.length === 0) entry.head = rest;
    else if (tag === 'cand') entry.cands.push(rest);
    else throw new Error(`image-program: unexpected line ${JSON.stringify(line)}`);
    byProbe.set(Number(n), entry);
  }
  return Array.from({ length: count }, (_, i) => {
    const e = byProbe.get(i + 1);
    if (e === undefined || e.head.length === 0)
      throw new Error(`image-program: no answer for healthcheck ${i + 1} of ${count}`);
    return lookupOf(e.head, e.cands);
  });
}

function lookupOf(head: readonly string[], cands: readonly string[][]): ProgramLookup {
  const [id = '', error] = head;
  if (id === '-') return { kind: 'error', message: (error ?? '').trim() || 'unknown error' };
  if (!id.startsWith('sha256:')) throw new Error(`image-program: bad image id ${JSON.stringify(id)}`);
  const seen = cands.map(([path = '', listing = '']) => ({ path, listing, mode: listing.split(' ')[0] ?? '' }));
  const exe = seen.find((c) => /^-.*x/.test(c.mode));
  if (exe) return { kind: 'found', imageId: id, path: exe.path, mode: exe.mode };
  const failed = seen.find((c) => c.listing.startsWith('! ') && !NOT_THERE.test(c.listing));
  if (failed) return { kind: 'error', imageId: id, message: `docker cp ${failed.path}: ${failed.listing.slice(2)}` };
  const other = seen.find((c) => !c.listing.startsWith('! '));
  if (other) return { kind: 'not-executable', imageId: id, path: other.path, mode: other.mode };
  return { kind: 'missing', imageId: id, searched: seen.map((c) => c.path) };
}
