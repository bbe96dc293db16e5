// Fact `project-containers`: a compose project's containers, the images they run and the host's clock, in one exec.
import { sh, type ExecNode } from '../../core/cmd/cmd.js';
import { IMAGE_FORMAT, ImageRecord, type ImageState } from './docker-state.js';
import {
  MISSING,
  parseContainerLine,
  parseJsonLine,
  SHELL_PRELUDE,
  splitSections,
  type ContainerState,
} from './container-state.js';
import { textFact, type Fact } from '../fact.js';

/** What `rig status` needs from docker: every container of the project and the image each one runs. */
export interface ProjectContainers {
  /** The host's clock (epoch seconds) when the containers were read: uptimes are the host's, whatever ours says. */
  readonly now: number;
  readonly containers: readonly ContainerState[];
  /** By image ID (`sha256:…`), for the images the containers run (absent: removed meanwhile). */
  readonly images: ReadonlyMap<string, ImageState>;
}

/*
 * Argument: $1 the project. Output sections: --now (epoch seconds), --containers (one CONTAINER_FORMAT line or
 * `missing` per container of the project), --images (one IMAGE_FORMAT line or `missing` per distinct image ID those
 * containers run), --end. A dead daemon fails the script with docker's own message (`docker ps` runs first).
 */
const SCRIPT = `${SHELL_PRELUDE}
IF='${IMAGE_FORMAT}'
echo --now
date +%s
ids=$(docker ps -a -q --no-trunc --filter "label=com.docker.compose.project=$1") || exit
echo --containers
each container "$CF" $ids
echo --images
[ -z "$ids" ] || each image "$IF" $(docker container inspect --format '{{.Image}}' -- $ids 2>/dev/null | sort -u)
echo --end`;

/** The command reading `project`'s containers and their images on a host (POSIX sh, the docker CLI from PATH). */
export function projectContainersCmd(project: string): ExecNode {
  if (project === '') throw new Error('project-containers: the project name must not be empty');
  return sh(SCRIPT, project);
}

/** Parses `projectContainersCmd` output; throws on a missing section or a malformed record. */
export function parseProjectContainers(stdout: string): ProjectContainers {
  const [now = [], containers = [], images = []] = splitSections(
    stdout,
    ['--now', '--containers', '--images'],
    'project-containers',
  );
  const clock = now.length === 1 ? Number(now[0]) : NaN;
  if (!Number.isInteger(clock))
    throw new Error(`project-containers: malformed --now section ${JSON.stringify(now.join('\n'))}`);
  const records = images
    .filter((l) => l !== MISSING)
    .map((l, i) => parseJsonLine(l, ImageRecord, `project-containers: image record ${i + 1}`));
  return {
    now: clock,
    containers: containers.filter((l) => l !== MISSING).map((l, i) => parseContainerLine(l, 'project-containers', i)),
    images: new Map(records.map((r) => [r.id, { id: r.id, repoDigests: r.repoDigests ?? [] }])),
  };
}

/** Fact `project-containers`: every container of `project` and their images, with the host's clock. */
export function projectContainersFact(project: string): Fact<ProjectContainers> {
  return textFact('project-containers', projectContainersCmd(project), parseProjectContainers);
}
