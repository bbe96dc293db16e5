// Fact `docker-state`: compose flavor, a project's containers, asked images and networks, in one exec; and its pure
// parser.
import { z } from 'zod';
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';
import { COMPOSE_DETECT_SH, parseComposeDetection, type ComposeDetection } from './compose-detect.js';
import {
  MISSING,
  parseContainerLine,
  parseJsonLine,
  SHELL_PRELUDE,
  splitSections,
  type ContainerState,
} from './container-state.js';
import { textFact, type Fact } from '../fact.js';

export { containerStatesCmd, parseContainerStates, type ContainerState } from './container-state.js';

/** A local image: its ID and the registry digests it is known by (empty for an image built or imported here). */
export interface ImageState {
  readonly id: string;
  readonly repoDigests: readonly string[];
}

export interface NetworkState {
  readonly name: string;
  readonly internal: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * What docker on one host says about a compose project. `compose` is the compose rig drives (undefined: none found);
 * the rest of ComposeDetection (the engine, a plugin root does not see) is what the support check explains with.
 */
export interface DockerState extends ComposeDetection {
  /**
   * Every container of the project, running or not, but `compose run` one-offs (label com.docker.compose.oneoff=True):
   * they are no service's container, and plan, drift, releases and smoke leave them alone.
   */
  readonly containers: readonly ContainerState[];
  /**
   * Containers outside the project whose names carry its prefix (`<project>_…`): one made by hand with a service's name
   * would make compose fail to create that service (the name is taken), so the planner must see it. One-offs excluded.
   */
  readonly nameHolders: readonly ContainerState[];
  /** By the ref asked; undefined = not on the host. */
  readonly images: ReadonlyMap<string, ImageState | undefined>;
  /** By the name asked; undefined = missing. */
  readonly networks: ReadonlyMap<string, NetworkState | undefined>;
  /**
   * The group id owning /var/run/docker.sock (containers that drive docker through it need it); undefined = no socket.
   */
  readonly socketGid: number | undefined;
}

export interface DockerStateQuery {
  readonly project: string;
  readonly images: readonly string[];
  readonly networks: readonly string[];
}

/** The `docker image inspect` template of an ImageState record (one JSON line). */
export const IMAGE_FORMAT = '{"id":{{json .Id}},"repoDigests":{{json .RepoDigests}}}';
const NETWORK_FORMAT = '{"name":{{json .Name}},"internal":{{json .Internal}},"labels":{{json .Labels}}}';

/*
 * Arguments: $1 the project, $2 the number N of image refs, then N refs, then the network names; none is ever part
 * of the script text. Output, one record per line, in sections:
 *   --containers  one CONTAINER_FORMAT JSON line per container of the project or named with its prefix (`missing` if
 *                 it vanished meanwhile)
 *   --images      one IMAGE_FORMAT JSON line or `missing` per ref, in argument order
 *   --networks    one NETWORK_FORMAT JSON line or `missing` per name, in argument order
 *   --socket      the group id of /var/run/docker.sock, or `missing`
 *   --compose     what compose-detect.ts's `compose` prints (which compose, the engine, a user-only plugin)
 *   --end
 * Compose detection runs concurrently on the left of a pipe (docker-compose v1 is Python: ~0.4 s to print its
 * version) and is printed last. `docker ps` is the first call needing the daemon: when docker is missing or its
 * socket unusable, the script exits with that status and docker's (or sh's) own message on stderr. One `docker ps`
 * lists every container with its names and project label, and the shell picks the project's and the prefixed ones
 * (a docker CLI call costs a host ~90 ms of CPU; this was two filtered calls, a tr and a sort). Full IDs are checked hex words,
 * so `$ids` is split unquoted; no IDs, no inspect call.
 */
const SCRIPT = `${SHELL_PRELUDE}
IF='${IMAGE_FORMAT}'
NF='${NETWORK_FORMAT}'
${COMPOSE_DETECT_SH}
images() {
  n=$1 i=0
  shift
  for a do
    [ $i -eq 0 ] && set --
    [ $i -lt $n ] && set -- "$@" "$a"
    i=$((i+1))
  done
  each image "$IF" "$@"
}
networks() {
  shift $(($1+1))
  each network "$NF" "$@"
}
# the IDs of the project's containers (label) and of those named with its prefix, from \`docker ps\` lines
pick() {
  for line do
    id=\${line%% *} rest=\${line#* }
    names=\${rest%% *} label=\${rest#* }
    case $id in *[!0-9a-f]* | '') continue ;; esac
    if [ "$label" = "$p" ]; then ids="$ids $id"; continue; fi
    case ,$names, in *,"$pre"*) ids="$ids $id" ;; esac
  done
}
p=$1
shift
# the name prefix compose v1 gives the project's containers: its name with - as _, then _
pre= r=$p
while case $r in *-*) ;; *) false ;; esac; do pre=$pre\${r%%-*}_ r=\${r#*-}; done
pre=$pre\${r}_
compose | {
  echo --containers
  all=$(docker ps -a --no-trunc --format '{{.ID}} {{.Names}} {{.Label "com.docker.compose.project"}}') || exit
  ids= ifs=$IFS
  IFS='
'
  set -f
  pick $all
  IFS=$ifs
  set +f
  each container "$CF" $ids
  echo --images
  images "$@"
  echo --networks
  networks "$@"
  echo --socket
  stat -c %g /var/run/docker.sock 2>/dev/null || echo missing
  echo --compose
  cat
  echo --end
}`;

/** The command reading `q` on a host in one exec (POSIX sh, the docker CLI from PATH). */
export function dockerStateCmd(q: DockerStateQuery): ExecNode {
  if (q.project === '') throw new Error('docker-state: the project name must not be empty');
  for (const v of [...q.images, ...q.networks])
    if (v === '') throw new Error('docker-state: image refs and network names must not be empty');
  const cmd = sh(SCRIPT, q.project, String(q.images.length), ...q.images, ...q.networks);
  assertCommandFits(cmd, `docker-state of ${q.images.length} images and ${q.networks.length} networks`);
  return cmd;
}

/** An IMAGE_FORMAT line; `repoDigests` is null for an image docker never pushed or pulled. */
export const ImageRecord = z.strictObject({
  id: z.string().startsWith('sha256:'),
  repoDigests: z.array(z.string()).nullable(),
});
const NetworkRecord = z.strictObject({
  name: z.string(),
  internal: z.boolean(),
  labels: z.record(z.string(), z.string()).nullable(),
});

/**
 * Parses the output of `dockerStateCmd(q)`; throws on a missing section, a malformed record or a wrong record count.
 */
export function parseDockerState(stdout: string, q: DockerStateQuery): DockerState {
  const [containers = [], images = [], networks = [], socket = [], compose = []] = splitSections(
    stdout,
    ['--containers', '--images', '--networks', '--socket', '--compose'],
    'docker-state',
  );
  const all = containers
    .filter((l) => l !== MISSING)
    .map((l, i) => parseContainerLine(l, 'docker-state', i))
    .filter((c) => !isOneOff(c));
  return {
    ...parseComposeDetection(compose, 'docker-state'),
    socketGid: parseSocketGid(socket),
    containers: all.filter((c) => c.project === q.project),
    nameHolders: all.filter((c) => c.project !== q.project),
    images: byAsked(q.images, images, 'image', (l, what) => {
      const r = parseJsonLine(l, ImageRecord, what);
      return { id: r.id, repoDigests: r.repoDigests ?? [] };
    }),
    networks: byAsked(q.networks, networks, 'network', (l, what, name) => {
      const r = parseJsonLine(l, NetworkRecord, what);
      // Docker resolves an unknown name as a network ID prefix: a record named otherwise means "no such network".
      return r.name === name ? { name: r.name, internal: r.internal, labels: r.labels ?? {} } : undefined;
    }),
  };
}

function byAsked<T>(
  asked: readonly string[],
  lines: readonly string[],
  kind: string,
  parse: (line: string, what: string, name: string) => T | undefined,
): Map<string, T | undefined> {
  if (lines.length !== asked.length)
    throw new Error(`docker-state: expected ${asked.length} ${kind} records, got ${lines.length}`);
  const result = new Map<string, T | undefined>();
  asked.forEach((name, i) => {
    const line = lines[i] ?? MISSING;
    result.set(
      name,
      line === MISSING ? undefined : parse(line, `docker-state: ${kind} record for ${JSON.stringify(name)}`, name),
    );
  });
  return result;
}

function parseSocketGid(lines: readonly string[]): number | undefined {
  const [line = ''] = lines;
  if (lines.length === 1 && line === MISSING) return undefined;
  if (lines.length !== 1 || !/^\d+$/.test(line))
    throw new Error(`docker-state: malformed --socket section ${JSON.stringify(lines.join('\n'))}`);
  return Number(line);
}

/** A container of `compose run` (v1 and v2 label it `True`; services' containers carry `False`). */
function isOneOff(c: ContainerState): boolean {
  return c.labels['com.docker.compose.oneoff']?.toLowerCase() === 'true';
}

/** Fact `docker-state`: the project's containers, the asked images and networks, the socket, Compose's version. */
export function dockerStateFact(q: DockerStateQuery): Fact<DockerState> {
  return textFact('docker-state', dockerStateCmd(q), (out) => parseDockerState(out, q));
}
