// Fact `container-state`: the state of named containers in one exec, plus the inspect template, record schema and
// output helpers the docker-state fact shares.
import { z } from 'zod';
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { assertCommandFits } from '../../core/cmd/limit.js';

/** A container as docker reports it (`docker container inspect`), reduced to what deploys and health gates need. */
export interface ContainerState {
  readonly id: string;
  /** The name without docker's leading `/`. */
  readonly name: string;
  /** The image ID the container runs (`sha256:…`), not the ref it was created from. */
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
  /** From the `com.docker.compose.project` / `.service` labels, when set. */
  readonly project?: string;
  readonly service?: string;
  readonly status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  readonly running: boolean;
  readonly exitCode: number;
  /** RFC 3339 as docker prints it; `0001-01-01T00:00:00Z` for a container never started. */
  readonly startedAt: string;
  readonly restartCount: number;
  /** Absent when the container has no healthcheck. */
  readonly health?: 'starting' | 'healthy' | 'unhealthy';
  /** The docker networks it is attached to, sorted; absent when not read (a container known only from its gate). */
  readonly networks?: readonly string[];
  /** What `docker update` changes in place; absent when not read. */
  readonly limits?: ContainerLimits;
}

/** A container's settings that `docker update` changes without recreating it (docker's HostConfig, as it reports). */
export interface ContainerLimits {
  /** The restart policy's name: `no` (or `` when never set), `always`, `unless-stopped`, `on-failure`. */
  readonly restart: string;
  /** on-failure's retry limit, 0 = none. */
  readonly restartRetries: number;
  /** Bytes, 0 = no limit. */
  readonly memory: number;
  readonly memoryReservation: number;
  /** CPUs in billionths, 0 = no limit; `cpuQuota` is the other way to cap them (`docker update --cpu-quota`). */
  readonly nanoCpus: number;
  readonly cpuQuota: number;
  /** null, 0 or -1: no limit. */
  readonly pidsLimit: number | null;
}

// One JSON object per line: `{{json}}` escapes newlines inside values. Docker runs the template on the inspect JSON as
// a map with missingkey=error, and `State` has no `Health` key without a healthcheck: `index` reads it without failing.
const CONTAINER_FORMAT =
  '{"id":{{json .Id}},"name":{{json .Name}},"image":{{json .Image}},"labels":{{json .Config.Labels}},' +
  '"status":{{json .State.Status}},"running":{{json .State.Running}},"exitCode":{{json .State.ExitCode}},' +
  '"startedAt":{{json .State.StartedAt}},"restartCount":{{json .RestartCount}},' +
  '"health":{{with index .State "Health"}}{{json .Status}}{{else}}null{{end}},' +
  // a map ranges in key order; the trailing null closes the list without a separator test
  '"networks":[{{range $k, $v := .NetworkSettings.Networks}}{{json $k}},{{end}}null],' +
  '"limits":{"restart":{{json .HostConfig.RestartPolicy.Name}},' +
  '"restartRetries":{{json .HostConfig.RestartPolicy.MaximumRetryCount}},"memory":{{json .HostConfig.Memory}},' +
  '"memoryReservation":{{json .HostConfig.MemoryReservation}},"nanoCpus":{{json .HostConfig.NanoCpus}},' +
  '"cpuQuota":{{json .HostConfig.CpuQuota}},"pidsLimit":{{json .HostConfig.PidsLimit}}}}';

/** The line an `each` call prints for a name docker does not know. */
export const MISSING = 'missing';

/**
 * Shell text shared by the docker scripts. `each KIND FORMAT NAME…` prints one record per name, in order: the
 * `docker KIND inspect` line, or `missing`. When every name exists that is one docker call; otherwise (inspect exits 1
 * for an absent object, as for any other error) it first proves the daemon answers, so a dead daemon fails the script
 * with docker's own message instead of reading as "everything missing", then inspects name by name. (A failed
 * inspect still prints an empty line on stdout, hence the capture.)
 */
export const SHELL_PRELUDE = `CF='${CONTAINER_FORMAT}'
each() {
  k=$1 f=$2
  shift 2
  [ $# -gt 0 ] || return 0
  if out=$(docker "$k" inspect --format "$f" -- "$@" 2>/dev/null); then printf '%s\\n' "$out"; return 0; fi
  docker version --format '{{.Server.Version}}' >/dev/null || exit
  for a do
    if out=$(docker "$k" inspect --format "$f" -- "$a" 2>/dev/null); then printf '%s\\n' "$out"; else echo ${MISSING}; fi
  done
}`;

const SCRIPT = `${SHELL_PRELUDE}
echo --containers
each container "$CF" "$@"
echo --end`;

/** For the health gate's polling: the state of the containers `names` in one exec (absent ones are skipped). */
export function containerStatesCmd(names: readonly string[]): ExecNode {
  for (const n of names) if (n === '') throw new Error('container-state: a container name must not be empty');
  const cmd = sh(SCRIPT, ...names);
  assertCommandFits(cmd, `container-state of ${names.length} containers`);
  return cmd;
}

/**
 * Parses `containerStatesCmd(names)` output. Missing containers are absent from the result. With `names`, a record
 * whose name differs from the one asked is dropped too: docker resolves an unknown name as a container ID prefix.
 */
export function parseContainerStates(stdout: string, names?: readonly string[]): ContainerState[] {
  const [lines = []] = splitSections(stdout, ['--containers'], 'container-state');
  if (names !== undefined && lines.length !== names.length) {
    throw new Error(`container-state: expected ${names.length} records, got ${lines.length}`);
  }
  return lines.flatMap((line, i) => {
    if (line === MISSING) return [];
    const c = parseContainerLine(line, 'container-state', i);
    return names === undefined || names[i] === c.name ? [c] : [];
  });
}

const ContainerRecord = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().startsWith('/'),
  image: z.string(),
  labels: z.record(z.string(), z.string()).nullable(),
  status: z.enum(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead']),
  running: z.boolean(),
  exitCode: z.number().int(),
  startedAt: z.string(),
  restartCount: z.number().int().nonnegative(),
  // Docker also knows "none" (healthcheck disabled); it means the same as no healthcheck.
  health: z.enum(['starting', 'healthy', 'unhealthy', 'none']).nullable(),
  // optional: the script prints them; recordings in test/fixtures/facts (gate-state, project-containers) predate them
  networks: z.array(z.string().nullable()).optional(),
  limits: z
    .strictObject({
      restart: z.string(),
      restartRetries: z.number().int(),
      memory: z.number().int(),
      memoryReservation: z.number().int(),
      nanoCpus: z.number().int(),
      cpuQuota: z.number().int(),
      pidsLimit: z.number().int().nullable(),
    })
    .optional(),
});

/** One container record (a line of CONTAINER_FORMAT output); throws naming `fact` and the line number. */
export function parseContainerLine(line: string, fact: string, index: number): ContainerState {
  const r = parseJsonLine(line, ContainerRecord, `${fact}: container record ${index + 1}`);
  const labels = r.labels ?? {};
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  return {
    id: r.id,
    name: r.name.slice(1),
    image: r.image,
    labels,
    ...(project === undefined ? {} : { project }),
    ...(service === undefined ? {} : { service }),
    status: r.status,
    running: r.running,
    exitCode: r.exitCode,
    startedAt: r.startedAt,
    restartCount: r.restartCount,
    ...(r.health === null || r.health === 'none' ? {} : { health: r.health }),
    ...(r.networks ? { networks: r.networks.filter((n) => n !== null).sort() } : {}),
    ...(r.limits ? { limits: r.limits } : {}),
  };
}

/** JSON.parse + schema check of one output line; the error names `what` and the first problem. */
export function parseJsonLine<T>(line: string, schema: z.ZodType<T>, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${what} is not JSON: ${JSON.stringify(line.slice(0, 200))}`);
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  throw new Error(`${what} is malformed${at}: ${issue?.message ?? 'invalid'}: ${JSON.stringify(line.slice(0, 200))}`);
}

/**
 * Splits script output into the lines of each section. The output must be exactly the `markers`, in order, each
 * followed by its lines, then `--end` (which proves the script was not cut short); anything else throws.
 */
export function splitSections(stdout: string, markers: readonly string[], fact: string): string[][] {
  const lines = stdout.split('\n');
  if (lines.pop() !== '') throw new Error(`${fact}: output does not end with a newline (cut short?)`);
  const sections: string[][] = [];
  let at = 0;
  for (const [i, marker] of [...markers, '--end'].entries()) {
    const found = lines.indexOf(marker, at);
    if (found < 0 || (i === 0 && found !== 0))
      throw new Error(`${fact}: output has no ${marker} section where expected`);
    if (i > 0) sections.push(lines.slice(at, found));
    at = found + 1;
  }
  if (at !== lines.length) throw new Error(`${fact}: unexpected output after --end`);
  return sections;
}
